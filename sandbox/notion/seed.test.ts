import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';
import { createNotionSimulator } from './index.ts';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function contacts(sandbox: Sandbox): Promise<unknown[]> {
  const sim = sandbox.core.simulators[0];
  if (!sim) throw new Error('no simulator');
  return sim.control.list('contacts', { limit: 10_000, offset: 0 }).records.map((r) => {
    const page = r as { id: string; properties: Record<string, unknown> };
    return { id: page.id, name: page.properties.Name, email: page.properties.Email };
  });
}

describe('Notion seeding', () => {
  it('gives the same workspace for the same seed and size, and reseeds it identically on reset', async () => {
    const a = await createSandbox({ seed: 5, size: 120, providers: [createNotionSimulator()] });
    const b = await createSandbox({ seed: 5, size: 120, providers: [createNotionSimulator()] });
    const c = await createSandbox({ seed: 6, size: 120, providers: [createNotionSimulator()] });
    open.push(a, b, c);
    const first = await contacts(a);
    expect(first.length).toBeGreaterThan(20);
    expect(await contacts(b)).toEqual(first);
    expect(await contacts(c)).not.toEqual(first);
    const sim = a.core.simulators[0];
    sim?.control.update('contacts', (first[0] as { id: string }).id, { Email: 'edited@example.com' });
    a.core.reset();
    expect(await contacts(a)).toEqual(first);
    expect(a.ctx.truth.entries().filter((e) => e.provider === 'notion' && e.object === 'contacts')).toHaveLength(first.length);
  });
});
