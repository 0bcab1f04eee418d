/**
 * Pull sync end to end against the sandbox's GitHub: every issue and pull request of the
 * user's repositories, then edits and creates picked up incrementally. GitHub reports a
 * deleted issue only by webhook, so a deletion arrives through `applyChanges`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyMapping } from '../src/mapping/index.ts';
import { applyChanges } from '../src/sync/index.ts';
import { linkedEntities, startWorld, type Json, type World } from './sync-fixture.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const COMPARED = ['title', 'state', 'number', 'body', 'labels', 'isPullRequest'];
const issueId = (issue: Json): string => `${/repos\/([^/]+\/[^/]+)/.exec(issue.repository_url as string)![1]}#${issue.number}`;

async function expectStoreEqualsSandbox(w: World): Promise<Json[]> {
  const issues = (await w.control('/github/issues?limit=100000')).records as Json[];
  const linked = linkedEntities(w, 'issue');
  const live = [...linked.entries()].filter(([, e]) => e.tombstonedAt === null).map(([id]) => id);
  expect(live.sort()).toEqual(issues.map(issueId).sort());
  for (const issue of issues) {
    const expected = applyMapping(w.mapping, issue).entities[0]!.fields;
    const entity = linked.get(issueId(issue))!;
    for (const field of COMPARED) expect(entity.fields[field], `${issueId(issue)}.${field}`).toEqual(expected[field]);
  }
  return issues;
}

describe('pull sync of GitHub issues', () => {
  it('mirrors every issue, linked to its repository and author, and picks up edits and creates incrementally', async () => {
    world = await startWorld({ provider: 'github', object: 'issues', size: 60 });
    const first = await world.run({ pageSize: 25 });
    const issues = await expectStoreEqualsSandbox(world);
    expect(first).toMatchObject({ status: 'succeeded', counts: { created: issues.length, failed: 0 } });
    const sample = linkedEntities(world, 'issue').get(issueId(issues[0]))!;
    const rels = await world.store.entities.relationshipsOf('ten_sync', sample.entityId);
    expect(rels.outgoing.map((r) => r.kind)).toEqual(expect.arrayContaining(['in_repository', 'authored_by']));

    const before = world.sql<{ seq: number }>('SELECT MAX(seq) AS seq FROM entity_changes')[0]!.seq;
    await world.control('/clock/advance', 'POST', { ms: 5_000 });
    const [a, b] = [issues[0], issues[issues.length - 1]];
    await world.control(`/github/issues/${encodeURIComponent(issueId(a))}`, 'PATCH', { title: 'Renamed by a person' });
    await world.control(`/github/issues/${encodeURIComponent(issueId(b))}`, 'PATCH', { state: b.state === 'open' ? 'closed' : 'open' });
    const repo = /repos\/([^/]+\/[^/]+)/.exec(a.repository_url as string)![1];
    const created = await world.control('/github/issues', 'POST', { repo, title: 'Brand new' });
    const second = await world.run({ pageSize: 25 });
    expect(second.counts).toMatchObject({ created: 1, updated: 2, deleted: 0, failed: 0 });
    await expectStoreEqualsSandbox(world);
    const feed = (await world.store.entities.changes('ten_sync', before, 1000)).filter((c) => c.change.type === 'issue');
    expect(feed).toHaveLength(3);
    expect(feed.find((c) => c.change.op === 'create')?.change.fields).toMatchObject({ title: 'Brand new', number: created.number });

    // A deletion (from a webhook) tombstones the link and soft-deletes the issue.
    await world.control(`/github/issues/${encodeURIComponent(issueId(a))}`, 'DELETE');
    const counts = await applyChanges({ store: world.store, clock: { now: () => Date.now() }, integration: await world.integration(), mapping: world.mapping, runId: 'run_webhook1', records: [], deletions: [issueId(a)] });
    expect(counts.deleted).toBe(1);
    await expectStoreEqualsSandbox(world);
    expect(linkedEntities(world, 'issue').get(issueId(a))).toMatchObject({ tombstonedAt: expect.any(String), deletedAt: expect.any(String) });
    const third = await world.run({ pageSize: 25 });
    expect(third.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  });
});
