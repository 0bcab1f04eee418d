/**
 * Faults: with 10% of the sandbox's Salesforce answers failing (5xx and 429), the sync
 * still ends with exactly the sandbox's data. The provider client retries single calls;
 * a call that keeps failing fails the attempt, which the queue would retry: here the
 * same run id is run again, and it resumes from its last committed page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isTributaryError } from '../src/domain/errors.ts';
import type { PullOutcome } from '../src/sync/index.ts';
import { linkedEntities, startWorld, type Json, type World } from './sync-fixture.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** Runs the same run id until it ends, as the queue would on retryable failures. */
async function runToEnd(w: World, pageSize: number): Promise<{ outcome: PullOutcome; failedAttempts: number }> {
  let failedAttempts = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return { outcome: await w.run({ runId: 'run_faulty', pageSize }), failedAttempts };
    } catch (error) {
      expect(isTributaryError(error) && error.retryable).toBe(true);
      failedAttempts += 1;
    }
  }
  throw new Error('the run never ended');
}

async function injectFaults(w: World, provider: string): Promise<void> {
  await w.control('/faults', 'POST', { provider, kind: 'status', status: 503, rate: 0.05 });
  await w.control('/faults', 'POST', { provider, kind: 'status', status: 429, rate: 0.05, retryAfterSeconds: 0 });
}

async function faultsApplied(w: World): Promise<number> {
  const { faults } = (await w.control('/faults')) as Json;
  await w.control('/faults', 'DELETE');
  return (faults as Json[]).reduce((n: number, f: Json) => n + (f.applied as number), 0);
}

describe('pull sync under injected faults', () => {
  it('completes Salesforce Contacts with correct data while 10% of responses are 5xx or 429', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 3000, maxAttempts: 2 });
    await injectFaults(world, 'salesforce');
    const { outcome } = await runToEnd(world, 200);
    expect(await faultsApplied(world)).toBeGreaterThan(0);
    expect(outcome.status).toBe('succeeded');
    const contacts = (await world.control('/salesforce/Contact?limit=100000')).records as Json[];
    const linked = linkedEntities(world, 'Contact');
    expect([...linked.keys()].sort()).toEqual(contacts.map((c) => c.Id as string).sort());
    for (const c of contacts) expect(linked.get(c.Id)!.fields.familyName).toBe(c.LastName);
    expect(outcome.counts.created).toBe(contacts.length);
    expect(world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person'")[0]!.n).toBe(contacts.length);
    // Retried attempts of one run are one run.
    expect(world.sql('SELECT id FROM sync_runs')).toHaveLength(1);
  });

  it('completes GitHub issues, paged finely, with correct data while 10% of responses are 5xx or 429', async () => {
    world = await startWorld({ provider: 'github', object: 'issues', size: 60, maxAttempts: 2 });
    await injectFaults(world, 'github');
    const { outcome } = await runToEnd(world, 5);
    const applied = await faultsApplied(world);
    expect(applied).toBeGreaterThan(2);
    expect(outcome.status).toBe('succeeded');
    const issues = (await world.control('/github/issues?limit=100000')).records as Json[];
    const linked = linkedEntities(world, 'issue');
    const ids = issues.map((i) => `${/repos\/([^/]+\/[^/]+)/.exec(i.repository_url as string)![1]}#${i.number}`);
    expect([...linked.keys()].sort()).toEqual(ids.sort());
    expect(world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'issue'")[0]!.n).toBe(issues.length);
  });
});
