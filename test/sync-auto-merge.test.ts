/**
 * Automatic dedup links keep lineage and can be undone (issue #6), on SQLite and on
 * PostgreSQL (a schema of its own): the pull's dedup links a Google person to the
 * Salesforce person with the same email; the link is listed as a merge of the survivor;
 * undoing it detaches the Google record into an entity of its own (its fields from the
 * link's base, its relationships with it), the survivor loses what the record added,
 * the pair is remembered as distinct, and the next pull updates the detached entity.
 * Also: a stale pulled record (read before its link's last recorded modification) is skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from '../src/backends/postgres/pg-test-support.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { isTributaryError } from '../src/domain/errors.ts';
import type { MappedEntity, MappedRelationship, MappingResult } from '../src/domain/mapping.ts';
import type { Store } from '../src/ports/store.ts';
import { MergeService, resolveDedupSettings, writePage, type MappedRecord } from '../src/sync/index.ts';
import { seedWriterTenant } from './fixtures/writer-tenant.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T = 'ten_am';
const AT = '2026-02-01T00:00:00.000Z';
const clock = { now: () => Date.parse(AT) };
const actor = { actor: { kind: 'tenant' as const, keyId: null, tenantId: T }, requestId: 'req_am' };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-automerge-'));
  const store = new SqliteStore(openSqlite({ path: join(dir, 'db.sqlite') }), { clock });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

async function pgStore(): Promise<Store> {
  const schema: PgTestSchema = await createPgTestSchema(URL);
  cleanups.push(() => schema.drop());
  return schema.openStore(clock);
}

async function seed(store: Store): Promise<void> {
  await seedWriterTenant(store, T, AT);
}

const person = (object: string, externalId: string, fields: Record<string, unknown>, remoteVersion: string | null = null): MappedEntity =>
  ({ target: 'person', entityType: 'person', object, externalId, fields, remoteVersion, deleted: false });
const org = (externalId: string): MappedEntity => ({ target: 'org', entityType: 'organization', object: 'org', externalId, fields: { name: 'Analytical Engines' }, remoteVersion: null, deleted: false });
const worksAt = (object: string, externalId: string, orgId: string): MappedRelationship => ({
  kind: 'works_at', from: { object, externalId, entityType: 'person' }, to: { object: 'org', externalId: orgId, entityType: 'organization' },
});
const result = (entities: MappedEntity[], relationships: MappedRelationship[] = []): MappingResult => ({ entities, relationships, errors: [], failed: false });

function write(store: Store, provider: 'salesforce' | 'google', records: MappedRecord[]) {
  const object = provider === 'salesforce' ? 'Contact' : 'person';
  return writePage(store, {
    tenantId: T, connectionId: provider === 'salesforce' ? 'con_sf' : 'con_gg', integrationId: `int_${provider}`, runId: `run_${provider}`, at: AT,
    primaryObject: object, records, deletions: [], recordErrors: [], dedup: resolveDedupSettings({}),
  });
}

const SF_ADA = { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', title: 'Countess' };
const GG_ADA = { givenName: 'Ada', familyName: 'Lovelace', email: 'ADA@Example.com', city: 'London' };

describe.each([['SQLite', sqliteStore], ['PostgreSQL', pgStore]] as const)('automatic merges on %s', (_name, open) => {
  it('records lineage for an automatic link, and undoing it detaches the record into its own entity, remembered as distinct', async () => {
    const store = await open();
    await seed(store);
    const merges = new MergeService({ store, clock });
    await write(store, 'salesforce', [{ recordId: '003A', result: result([person('Contact', '003A', SF_ADA)]) }]);
    await write(store, 'google', [{ recordId: 'p1', result: result([person('person', 'p1', GG_ADA), org('o1')], [worksAt('person', 'p1', 'o1')]) }]);

    const people = (await store.entities.list(T, { type: 'person' })).items;
    expect(people).toHaveLength(1);
    const survivor = people[0]!;
    expect(survivor.fields).toMatchObject({ title: 'Countess', city: 'London', email: 'ADA@Example.com' });
    const listed = (await merges.list(T, survivor.id)).items;
    expect(listed).toHaveLength(1);
    const lineage = listed[0]!;
    expect(lineage).toMatchObject({ survivorId: survivor.id, undoneAt: null, reason: { automatic: true, rule: 'email', connectionId: 'con_gg', object: 'person', externalId: 'p1' } });
    expect(lineage.mergedId).not.toBe(survivor.id);

    // Another tenant sees nothing of it.
    await expect(merges.undo('ten_other', survivor.id, lineage.id, actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const undone = await merges.undo(T, survivor.id, lineage.id, actor);
    expect(undone.undoneAt).not.toBeNull();
    const after = (await store.entities.get(T, survivor.id))!;
    expect(after.fields).toEqual(SF_ADA);
    expect((await store.entities.linksOf(T, survivor.id)).map((l) => l.connectionId)).toEqual(['con_sf']);
    const detached = (await store.entities.get(T, lineage.mergedId))!;
    expect(detached).toMatchObject({ type: 'person', fields: GG_ADA, deletedAt: null, mergedInto: null });
    expect((await store.entities.linksOf(T, detached.id)).map((l) => `${l.connectionId}/${l.externalId}`)).toEqual(['con_gg/p1']);
    const orgId = (await store.entities.list(T, { type: 'organization' })).items[0]!.id;
    expect((await store.entities.relationshipsOf(T, detached.id)).outgoing.map((r) => `${r.kind}->${r.toEntityId}`)).toEqual([`works_at->${orgId}`]);
    expect(await store.dedupReviews.isPairDismissed(T, survivor.id, detached.id)).toBe(true);
    expect((await merges.list(T, detached.id)).items.map((m) => m.id)).toEqual([lineage.id]);
    const error = await merges.undo(T, survivor.id, lineage.id, actor).catch((e: unknown) => e);
    expect(isTributaryError(error) && error.code).toBe('CONFLICT');

    // The next pull of the Google record updates the detached entity, and merges nothing again.
    await write(store, 'google', [{ recordId: 'p1', result: result([person('person', 'p1', { ...GG_ADA, city: 'Paris' }), org('o1')], [worksAt('person', 'p1', 'o1')]) }]);
    expect((await store.entities.get(T, detached.id))!.fields.city).toBe('Paris');
    expect((await store.entities.get(T, survivor.id))!.fields).toEqual(SF_ADA);
    expect((await store.entities.list(T, { type: 'person' })).items).toHaveLength(2);
    expect((await merges.list(T, survivor.id)).items).toHaveLength(1);
  });

  it('skips a pulled record older than what its link last recorded, and takes a newer one', async () => {
    const store = await open();
    await seed(store);
    const at = (s: number) => `2026-02-01T00:00:${String(s).padStart(2, '0')}.000Z`;
    const rec = (phone: string, modifiedAt: string): MappedRecord => ({ recordId: '003B', modifiedAt, result: result([person('Contact', '003B', { familyName: 'Hopper', phone }, modifiedAt)]) });
    await write(store, 'salesforce', [rec('+14155550100', at(10))]);
    const stale = await write(store, 'salesforce', [rec('+14155550999', at(5))]);
    expect(stale).toMatchObject({ unchanged: 1, updated: 0 });
    const id = (await store.entities.list(T, { type: 'person' })).items[0]!.id;
    expect((await store.entities.get(T, id))!.fields.phone).toBe('+14155550100');
    const newer = await write(store, 'salesforce', [rec('+14155550111', at(20))]);
    expect(newer).toMatchObject({ updated: 1 });
    expect((await store.entities.get(T, id))!.fields.phone).toBe('+14155550111');
  });
});
