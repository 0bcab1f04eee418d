/**
 * Pull sync end to end against the sandbox's Salesforce: full sync, then edits, creates
 * and deletes made through the sandbox picked up by the incremental run, exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyMapping, recordPathsOf } from '../src/mapping/index.ts';
import { linkedEntities, startWorld, type Json, type World } from './sync-fixture.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const COMPARED = ['givenName', 'familyName', 'email', 'phone', 'title', 'city', 'tier'];

async function sandboxContacts(w: World): Promise<Json[]> {
  return (await w.control('/salesforce/Contact?limit=100000')).records as Json[];
}

/** Every live sandbox Contact has exactly one live person entity with the mapped fields, and nothing else is live. */
async function expectStoreEqualsSandbox(w: World): Promise<void> {
  const contacts = await sandboxContacts(w);
  const linked = linkedEntities(w, 'Contact');
  const live = [...linked.entries()].filter(([, e]) => e.tombstonedAt === null);
  expect(live.map(([id]) => id).sort()).toEqual(contacts.map((c) => c.Id as string).sort());
  for (const contact of contacts) {
    const expected = applyMapping(w.mapping, contact).entities[0]!.fields;
    const entity = linked.get(contact.Id)!;
    expect(entity.deletedAt).toBeNull();
    for (const field of COMPARED) expect(entity.fields[field], `${contact.Id}.${field}`).toEqual(expected[field]);
  }
  const n = w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person' AND deleted_at IS NULL")[0]!.n;
  expect(n).toBe(contacts.length);
}

describe('pull sync of Salesforce Contacts', () => {
  it('mirrors every Contact after a full sync, with its account as a related organization', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 150 });
    const outcome = await world.run({ pageSize: 200 });
    const contacts = await sandboxContacts(world);
    expect(outcome).toMatchObject({ status: 'succeeded', records: contacts.length, counts: { created: contacts.length, updated: 0, failed: 0 } });
    await expectStoreEqualsSandbox(world);
    const withAccount = contacts.find((c) => c.AccountId);
    const entityId = linkedEntities(world, 'Contact').get(withAccount.Id)!.entityId;
    const rels = await world.store.entities.relationshipsOf('ten_sync', entityId);
    expect(rels.outgoing).toEqual([expect.objectContaining({ kind: 'works_at' })]);
    const org = await world.store.entities.get('ten_sync', rels.outgoing[0]!.toEntityId);
    expect(org?.type).toBe('organization');
    // The query asks for the parent field the mapping reads (Account.Name): the person shows its account's
    // name, and the organization the contact made has it before the Account sync runs.
    const account = ((await world.control('/salesforce/Account?limit=100000')).records as Json[]).find((a) => a.Id === withAccount.AccountId);
    expect(account?.Name).toEqual(expect.any(String));
    expect(org?.fields.name).toBe(account.Name);
    expect((await world.store.entities.get('ten_sync', entityId))?.fields.organizationName).toBe(account.Name);
    const orgLinks = await world.store.entities.linksOf('ten_sync', org!.id);
    expect(orgLinks).toEqual([expect.objectContaining({ object: 'Account', externalId: withAccount.AccountId, tombstonedAt: null })]);
    const run = await world.store.runs.get('ten_sync', outcome.runId);
    expect(run).toMatchObject({ status: 'succeeded', recordsSoFar: contacts.length, totalEstimate: contacts.length, checkpoint: null });
    const result = await world.store.runs.getResultByRun('ten_sync', outcome.runId);
    expect(result).toMatchObject({ status: 'success', recordsProcessed: contacts.length, recordsCreated: contacts.length, recordsUpdated: 0, recordsFailed: 0, conflictsDetected: 0, ttlSeconds: 30 * 86_400 });
    expect((await world.integration()).cursor).toMatchObject({ v: 1 });
  });

  it('picks up exactly the edits, creates and deletes made since the last run', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 120 });
    await world.run();
    const before = world.sql<{ seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM entity_changes')[0]!.seq;
    const [a, b, c] = await sandboxContacts(world);
    await world.advance(5 * 60_000);
    await world.control(`/salesforce/Contact/${a.Id}`, 'PATCH', { Title: 'Chief Tester' });
    await world.control(`/salesforce/Contact/${b.Id}`, 'PATCH', { LastName: 'Renamed' });
    const created = await world.control('/salesforce/Contact', 'POST', { FirstName: 'Nova', LastName: 'Newcomer', Email: 'nova@example.com' });
    await world.control(`/salesforce/Contact/${c.Id}`, 'DELETE');
    await world.advance(2 * 60_000);

    const outcome = await world.run();
    expect(outcome).toMatchObject({ status: 'succeeded', counts: { created: 1, updated: 2, deleted: 1, failed: 0 } });
    await expectStoreEqualsSandbox(world);
    const linked = linkedEntities(world, 'Contact');
    expect(linked.get(c.Id)).toMatchObject({ tombstonedAt: expect.any(String), deletedAt: expect.any(String) });

    const feed = await world.store.entities.changes('ten_sync', before, 1000);
    const byEntity = new Map(feed.map((f) => [f.entityId, f.change]));
    expect(byEntity.get(linked.get(a.Id)!.entityId)).toMatchObject({ op: 'update', fields: { title: 'Chief Tester' } });
    expect(byEntity.get(linked.get(b.Id)!.entityId)).toMatchObject({ op: 'update', fields: { familyName: 'Renamed', name: expect.stringContaining('Renamed') } });
    expect(byEntity.get(linked.get(created.Id ?? created.id)!.entityId)).toMatchObject({ op: 'create', fields: { familyName: 'Newcomer' } });
    expect(byEntity.get(linked.get(c.Id)!.entityId)).toMatchObject({ op: 'delete' });
    expect(feed.filter((f) => f.change.type === 'person')).toHaveLength(4);

    // Nothing changed since: the next run (whose window overlaps the last) writes nothing.
    await world.advance(2 * 60_000);
    const quiet = await world.run();
    expect(quiet.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await world.store.entities.changes('ten_sync', feed[feed.length - 1]!.seq, 10)).toEqual([]);
  });

  it('changes nothing when a page is replayed from the old cursor (a crash before the cursor commit)', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 300 });
    // As the engine reads it: with the mapping's paths, which the run's cursor keeps.
    const first = await world.object.readPage(world.ctx, null, { pageSize: 200, paths: recordPathsOf(world.mapping) });
    await world.run({ pageSize: 200 });
    const snapshot = world.sql('SELECT id, fields, version, deleted_at FROM entities ORDER BY id');
    const links = world.sql('SELECT id, entity_id, remote_version, base_snapshot FROM entity_links ORDER BY id');
    const seq = world.sql<{ seq: number }>('SELECT MAX(seq) AS seq FROM entity_changes')[0]!.seq;
    // Rewind the committed cursor to the end of page one and run again: pages 2.. replay.
    await world.store.integrations.setCursor('ten_sync', 'int_sync', first.cursor, new Date().toISOString());
    const replay = await world.run({ pageSize: 200 });
    expect(replay.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(replay.counts.unchanged).toBeGreaterThan(0);
    expect(world.sql('SELECT id, fields, version, deleted_at FROM entities ORDER BY id')).toEqual(snapshot);
    expect(world.sql('SELECT id, entity_id, remote_version, base_snapshot FROM entity_links ORDER BY id')).toEqual(links);
    expect(world.sql<{ seq: number }>('SELECT MAX(seq) AS seq FROM entity_changes')[0]!.seq).toBe(seq);
    await expectStoreEqualsSandbox(world);
  });

  it('records a Contact that fails mapping against the run and writes the rest of the page', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 60 });
    const integration = await world.integration();
    // A mapping whose required field one Contact lacks.
    const [victim] = await sandboxContacts(world);
    await world.control(`/salesforce/Contact/${victim.Id}`, 'PATCH', { Email: null });
    const mapping = structuredClone(world.mapping) as Json;
    mapping.targets[0].fields.find((f: Json) => f.target === 'email').required = true;
    const contacts = await sandboxContacts(world);
    const withoutEmail = contacts.filter((c) => !c.Email).map((c) => c.Id as string);
    const outcome = await world.run({ mapping, integration });
    expect(outcome.status).toBe('partial');
    expect(outcome.counts.failed).toBe(withoutEmail.length);
    expect(outcome.counts.created).toBe(contacts.length - withoutEmail.length);
    const errors = await world.store.runs.listRecordErrors('ten_sync', outcome.runId, 100);
    expect(errors.map((e) => e.externalId).sort()).toEqual([...withoutEmail].sort());
    expect(errors.find((e) => e.externalId === victim.Id)).toMatchObject({ field: 'person.email', reason: expect.any(String) });
    expect(linkedEntities(world, 'Contact').has(victim.Id)).toBe(false);
    expect((await world.store.runs.getResultByRun('ten_sync', outcome.runId))).toMatchObject({ status: 'partial', recordsFailed: withoutEmail.length });
  });

  it('resyncs in full by itself when the deletion window has expired', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 40 });
    await world.run();
    await world.advance(16 * 86_400_000);
    const outcome = await world.run();
    expect(outcome).toMatchObject({ status: 'succeeded', fullResync: true, counts: { created: 0, updated: 0 } });
    await expectStoreEqualsSandbox(world);
  });
});
