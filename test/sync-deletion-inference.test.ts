/**
 * Deletion inference end to end against the sandbox's GitHub, whose issue deletions
 * arrive only by webhook: an incremental run never deletes; a full resync that completes
 * tombstones exactly the issues it did not see (and soft-deletes their entities), even
 * when it was stopped midway and resumed under the same run id; a full resync that ends
 * partial or failed deletes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectDefinition } from '../src/providers/provider.ts';
import { linkedEntities, startWorld, type Json, type World } from './sync-fixture.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const issueId = (issue: Json): string => `${/repos\/([^/]+\/[^/]+)/.exec(issue.repository_url as string)![1]}#${issue.number}`;

/** Issue ids whose link is live, and those tombstoned with their entity soft-deleted. */
function linkState(w: World): { live: string[]; gone: string[] } {
  const linked = [...linkedEntities(w, 'issue').entries()];
  const gone = linked.filter(([, e]) => e.tombstonedAt !== null);
  for (const [id, e] of gone) expect(e.deletedAt, id).not.toBeNull();
  return { live: linked.filter(([, e]) => e.tombstonedAt === null).map(([id]) => id).sort(), gone: gone.map(([id]) => id).sort() };
}

async function sandboxIssues(w: World): Promise<string[]> {
  return ((await w.control('/github/issues?limit=100000')).records as Json[]).map(issueId).sort();
}

describe('deletion inference after a full resync (GitHub issues: deletions only by webhook)', () => {
  it('tombstones exactly the records a complete full resync did not see, also when it resumed after a stop; never in an incremental, partial or failed run', async () => {
    world = await startWorld({ provider: 'github', object: 'issues', size: 60, maxAttempts: 1 });
    const w = world;
    expect((await w.run({ pageSize: 10 })).status).toBe('succeeded');
    const all = await sandboxIssues(w);
    expect(linkState(w)).toEqual({ live: all, gone: [] });

    const [first, second] = [all[0]!, all[all.length - 1]!];
    await w.advance(5_000);
    await w.control(`/github/issues/${encodeURIComponent(first)}`, 'DELETE');
    const incremental = await w.run({ pageSize: 10 });
    expect(incremental).toMatchObject({ status: 'succeeded', counts: { deleted: 0 } });
    expect(linkState(w).gone).toEqual([]);

    // A full resync stopped after its first pages committed: nothing deleted yet.
    const controller = new AbortController();
    let reads = 0;
    const stopping: ObjectDefinition = {
      ...w.object,
      readPage: async (...args) => {
        const page = await w.object.readPage(...args);
        if (++reads === 2) controller.abort();
        return page;
      },
    };
    await w.advance(5_000);
    await expect(w.run({ runId: 'run_full1', fullResync: true, pageSize: 10, commitEveryRecords: 10, object: stopping, signal: controller.signal }))
      .rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    const stopped = w.sql<{ status: string; pages: number }>("SELECT status, pages FROM sync_runs WHERE id = 'run_full1'")[0]!;
    expect(stopped.status).toBe('retrying');
    expect(stopped.pages).toBeGreaterThan(0);
    expect(linkState(w).gone).toEqual([]);
    const feedBefore = w.sql<{ seq: number }>('SELECT MAX(seq) AS seq FROM entity_changes')[0]!.seq;

    // Resumed under the same run id (the queue's retry) after those pages: their records still count as seen.
    const resumed = await w.run({ runId: 'run_full1', pageSize: 10, commitEveryRecords: 10 });
    expect(resumed).toMatchObject({ status: 'succeeded', fullResync: true, counts: { deleted: 1, failed: 0 } });
    expect(resumed.records).toBe(all.length - 1); // every remaining issue read once over both attempts: resumed, not restarted
    expect(linkState(w)).toEqual({ live: all.filter((id) => id !== first), gone: [first] });
    const deletedEntity = linkedEntities(w, 'issue').get(first)!.entityId;
    const feed = (await w.store.entities.changes('ten_sync', feedBefore, 1000)).filter((c) => c.change.op === 'delete');
    expect(feed.map((c) => [c.entityId, (c.change.source as Json).runId])).toEqual([[deletedEntity, 'run_full1']]);
    expect((await w.store.runs.getResultByRun('ten_sync', 'run_full1'))).toMatchObject({ status: 'success' });

    // A full resync that cannot read one repository ends partial or failed, and deletes nothing.
    await w.advance(5_000);
    await w.control(`/github/issues/${encodeURIComponent(second)}`, 'DELETE');
    const repo = second.split('#')[0]!;
    await w.control('/faults', 'POST', { provider: 'github', kind: 'status', status: 422, path: `^/repos/${repo}/issues$` });
    const broken = await w.run({ fullResync: true, pageSize: 10 });
    expect(['partial', 'failed']).toContain(broken.status);
    expect(broken.counts.deleted).toBe(0);
    expect(linkState(w).gone).toEqual([first]);

    // The next complete full resync deletes it, and only it.
    await w.control('/faults', 'DELETE');
    await w.advance(5_000);
    const complete = await w.run({ fullResync: true, pageSize: 10 });
    expect(complete).toMatchObject({ status: 'succeeded', counts: { deleted: 1 } });
    expect(linkState(w)).toEqual({ live: all.filter((id) => id !== first && id !== second), gone: [first, second] });
    expect(await sandboxIssues(w)).toEqual(linkState(w).live);
  }, 60_000);
});
