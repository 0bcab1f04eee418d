import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every way Tributary is started carries the bin's Node.js flags (docs/runtime.md), and so
// does bench:ingest: a figure measured under other flags would not be the product's.
const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
// Node.js and V8 options with a value (`--import tsx` is a loader, not a runtime setting).
const v8Flags = (command: string): string[] => command.split(/\s+/).filter((word) => /^--[a-z0-9-]+=/.test(word));

describe('Node.js flags', () => {
  const shebang = read('bin/tributary.js').split('\n')[0]!;
  const flags = v8Flags(shebang).filter((flag) => !flag.startsWith('--max-old-space-size'));

  it('are set by the bin, and by npm start, bench:ingest and the Azure Functions host the same way', () => {
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(flags).toEqual(['--v8-pool-size=0']);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'bench:ingest']) expect(v8Flags(scripts[name]!), name).toEqual(expect.arrayContaining(flags));
    const azure = /\| `languageWorkers__node__arguments` \| `([^`]+)`/.exec(read('docs/deploy-azure.md'))?.[1];
    expect(v8Flags(azure ?? '')).toEqual(flags);
  });
});
