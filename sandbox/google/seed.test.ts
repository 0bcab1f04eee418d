import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';
import { createGoogleSimulator } from './index.ts';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Seeded times (and etags made from them) are relative to the sandbox's start; the rest must match exactly. */
const TIME_KEYS = new Set(['updateTime', 'created', 'updated', 'createdTime', 'modifiedTime', 'start', 'end', 'etag', 'htmlLink']);

function snapshot(sandbox: Sandbox): { total: number; records: Record<string, unknown>[] }[] {
  const sim = sandbox.core.simulators[0];
  if (!sim) throw new Error('no simulator');
  const lists = ['contacts', 'events', 'files'].map((object) => sim.control.list(object, { limit: 10_000, offset: 0 }));
  return JSON.parse(JSON.stringify(lists, (key, value: unknown) => (TIME_KEYS.has(key) ? undefined : value))) as { total: number; records: Record<string, unknown>[] }[];
}

describe('Google seeding', () => {
  it('gives the same account for the same seed and size, and reseeds it identically on reset', async () => {
    const a = await createSandbox({ seed: 9, size: 90, providers: [createGoogleSimulator()] });
    const b = await createSandbox({ seed: 9, size: 90, providers: [createGoogleSimulator()] });
    open.push(a, b);
    const first = snapshot(a);
    expect(snapshot(b)).toEqual(first);
    const contacts = first[0];
    expect(contacts?.total).toBeGreaterThan(20);
    expect(first[1]?.total).toBeGreaterThan(5);
    a.core.simulators[0]?.control.remove('contacts', String(contacts?.records[0]?.resourceName));
    a.core.reset();
    expect(snapshot(a)).toEqual(first);
    expect(a.ctx.truth.entries().filter((e) => e.provider === 'google')).toHaveLength(contacts?.total ?? -1);
  });
});
