import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli-process.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-cli-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BAD_MASTER_KEY = 'NotBase64-But-A-Secret-Value-8c2f1e';

describe('tributary start with bad configuration', () => {
  it('stops with exit code 2 and one line naming the key, never echoing a secret', async () => {
    const data = (name: string) => ['--data', join(dir, name), '--no-demo'];
    const cases: { args: string[]; env: Record<string, string>; line: string | RegExp }[] = [
      { args: ['start', ...data('port')], env: { TRIBUTARY_PORT: 'abc' }, line: 'Invalid configuration: TRIBUTARY_PORT must be an integer from 0 to 65535 (got "abc")' },
      { args: ['start', ...data('roles'), '--roles', 'api,bogus'], env: {}, line: /^Invalid configuration: --roles names an unknown role "bogus" \(expected .*\)$/ },
      { args: ['start', ...data('env-roles')], env: { TRIBUTARY_ROLES: 'api,bogus' }, line: /^Invalid configuration: TRIBUTARY_ROLES names an unknown role "bogus"/ },
      { args: ['start', ...data('master')], env: { TRIBUTARY_MASTER_KEY: BAD_MASTER_KEY }, line: /^Invalid configuration: TRIBUTARY_MASTER_KEY is not a valid master key: .*expected base64/ },
      { args: ['start', ...data('admin')], env: { TRIBUTARY_ADMIN_KEY: 'short-secret' }, line: /^Invalid configuration: TRIBUTARY_ADMIN_KEY must be at least 16 characters/ },
      {
        args: ['start', ...data('cluster')],
        env: { TRIBUTARY_DATABASE_URL: 'postgres://u:pw-9f8e7d@db/tributary' },
        line: /^Invalid configuration: TRIBUTARY_DATABASE_URL is set but TRIBUTARY_REDIS_URL is not \(expected both/,
      },
    ];
    // Two at a time: six CLI start-ups at once on a two-core machine, beside another test
    // file, could take longer than runCli's limit.
    const results: Awaited<ReturnType<typeof runCli>>[] = [];
    for (let i = 0; i < cases.length; i += 2) results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => runCli(c.args, c.env)))));
    results.forEach((result, index) => {
      const expected = cases[index]!;
      const lines = result.stderr.trimEnd().split('\n');
      expect(result.code, result.stderr).toBe(2);
      expect(lines).toHaveLength(1);
      if (typeof expected.line === 'string') expect(lines[0]).toBe(expected.line);
      else expect(lines[0]).toMatch(expected.line);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      for (const value of Object.values(expected.env)) {
        if (value !== 'abc') expect(result.stdout + result.stderr).not.toContain(value);
      }
    });
  });

  it('reports the schema version with `migrate`', async () => {
    const first = await runCli(['migrate', '--data', join(dir, 'migrate')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/migrated to schema version \d+ \(applied /);
    const second = await runCli(['migrate', '--data', join(dir, 'migrate')]);
    expect(second.stdout).toMatch(/is at schema version \d+; nothing to apply/);
  });
});
