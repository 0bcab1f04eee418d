import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../src/backends/sqlite/database.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import type { MappedEntity, MappingResult } from '../src/domain/mapping.ts';
import { resolveDedupSettings, writePage, type MappedRecord, type RecordCounts } from '../src/sync/index.ts';
import { seedWriterTenant } from './fixtures/writer-tenant.ts';

const T = 'ten_w';
const AT = '2026-01-01T00:00:00.000Z';
let dir: string;
let handle: SqliteHandle;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-writer-'));
  handle = openSqlite({ path: join(dir, 'db.sqlite') });
  store = new SqliteStore(handle, { clock: { now: () => Date.parse(AT) } });
  await seedWriterTenant(store, T, AT);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function person(object: string, externalId: string, fields: Record<string, unknown>, deleted = false): MappedEntity {
  return { target: 'person', entityType: 'person', object, externalId, fields, remoteVersion: null, deleted };
}

const result = (...entities: MappedEntity[]): MappingResult => ({ entities, relationships: [], errors: [], failed: false });

/** Writes a page; `withProgress` writes the run's progress with it, as a pull run does. */
async function write(provider: 'salesforce' | 'google', records: MappedRecord[], deletions: string[] = [], withProgress = false) {
  const object = provider === 'salesforce' ? 'Contact' : 'person';
  return writePage(store, {
    tenantId: T, connectionId: provider === 'salesforce' ? 'con_sf' : 'con_gg', integrationId: `int_${provider}`, runId: `run_${provider}`, at: AT,
    primaryObject: object, records, deletions, recordErrors: [], dedup: resolveDedupSettings({}),
    ...(withProgress ? { progress: (counts: RecordCounts) => ({ recordsSoFar: records.length, pages: 1, totalEstimate: null, checkpoint: null, counts: { ...counts, failed: 0 }, fullResync: false }) } : {}),
  });
}

const liveEntities = async () => (await store.entities.list(T, { limit: 1000 })).items;

describe('the entity writer (pull pages)', () => {
  it('links a person of another source to the existing entity by normalised email, merging fields', async () => {
    await write('salesforce', [{ recordId: '003A', result: result(person('Contact', '003A', { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', title: 'Countess' })) }]);
    const counts = await write('google', [{ recordId: 'p1', result: result(person('person', 'p1', { givenName: 'Ada', familyName: 'Lovelace', email: 'ADA@Example.com ', city: 'London' })) }]);
    expect(counts.created).toBe(1);
    const entities = await liveEntities();
    expect(entities).toHaveLength(1);
    expect(entities[0]!.fields).toMatchObject({ title: 'Countess', city: 'London', email: 'ADA@Example.com ' });
    expect((await store.entities.linksOf(T, entities[0]!.id)).map((l) => l.connectionId).sort()).toEqual(['con_gg', 'con_sf']);
  });

  it('never merges two records of the same source, even with one email', async () => {
    await write('salesforce', [
      { recordId: '003A', result: result(person('Contact', '003A', { familyName: 'Twin', email: 'same@example.com' })) },
      { recordId: '003B', result: result(person('Contact', '003B', { familyName: 'Twin', email: 'same@example.com' })) },
    ]);
    await write('salesforce', [{ recordId: '003C', result: result(person('Contact', '003C', { familyName: 'Twin', email: 'same@example.com' })) }]);
    expect(await liveEntities()).toHaveLength(3);
  });

  it('scores people without a shared identifier: a near-certain match links, a weaker one opens a review', async () => {
    await write('salesforce', [
      { recordId: '003A', result: result(person('Contact', '003A', { givenName: 'Katherine', familyName: 'Johnson', city: 'Hampton', postcode: '23666', birthDate: '1918-08-26' })) },
      { recordId: '003B', result: result(person('Contact', '003B', { givenName: 'Dorothy', familyName: 'Vaughan', city: 'Kansas City' })) },
    ]);
    await write('google', [
      { recordId: 'p1', result: result(person('person', 'p1', { givenName: 'Katherine', familyName: 'Johnson', city: 'Hampton', postcode: '23666', birthDate: '1918-08-26' })) },
      { recordId: 'p2', result: result(person('person', 'p2', { givenName: 'Dot', familyName: 'Vaughan', city: 'Hampton' })) },
      { recordId: 'p3', result: result(person('person', 'p3', { givenName: 'Mary', familyName: 'Jackson' })) },
    ]);
    const entities = await liveEntities();
    const katherine = entities.filter((e) => e.fields.familyName === 'Johnson');
    expect(katherine).toHaveLength(1);
    expect(entities.filter((e) => e.fields.familyName === 'Vaughan')).toHaveLength(2);
    const reviews = await store.entities.listReviews(T, 'open');
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.payload).toMatchObject({ entityType: 'person', score: expect.any(Number) });
    expect(entities).toHaveLength(4);
  });

  it('tombstones the link on deletion, soft-deletes an entity with no live link left, and revives it when the record returns', async () => {
    await write('salesforce', [{ recordId: '003A', result: result(person('Contact', '003A', { familyName: 'Gone', email: 'g@example.com' })) }]);
    await write('google', [{ recordId: 'p1', result: result(person('person', 'p1', { familyName: 'Gone', email: 'g@example.com' })) }]);
    const [entity] = await liveEntities();
    expect(await write('salesforce', [], ['003A'])).toMatchObject({ deleted: 1 });
    expect((await store.entities.get(T, entity!.id))?.deletedAt).toBeNull(); // google still links it
    await write('google', [{ recordId: 'p1', result: result(person('person', 'p1', { familyName: 'Gone' }, true)) }]);
    expect((await store.entities.get(T, entity!.id))?.deletedAt).toBe(AT);
    expect(await write('salesforce', [], ['003A'])).toMatchObject({ deleted: 0 }); // already gone
    await write('salesforce', [{ recordId: '003A', result: result(person('Contact', '003A', { familyName: 'Back', email: 'g@example.com' })) }]);
    expect(await store.entities.get(T, entity!.id)).toMatchObject({ deletedAt: null, fields: { familyName: 'Back' } });
    const feed = await store.entities.changes(T, 0, 100);
    // Google's identical view changed no field: no feed row for it.
    expect(feed.map((c) => c.change.op)).toEqual(['create', 'delete', 'update']);
  });

  it('keeps a record that comes back in the same page as its deletion (the records are the newer read)', async () => {
    await write('salesforce', [{ recordId: '003A', result: result(person('Contact', '003A', { familyName: 'Lazarus' })) }]);
    await write('salesforce', [{ recordId: '003A', result: result(person('Contact', '003A', { familyName: 'Lazarus', title: 'Undeleted' })) }], ['003A']);
    const [entity] = await liveEntities();
    expect(entity).toMatchObject({ deletedAt: null, fields: { title: 'Undeleted' } });
    expect((await store.entities.linksOf(T, entity!.id))[0]!.tombstonedAt).toBeNull();
  });

  it('fills a placeholder made for a relationship when its record arrives, and removes a field its source stopped sending', async () => {
    const contact: MappingResult = {
      entities: [person('Contact', '003A', { familyName: 'Hopper', title: 'Rear Admiral' })],
      relationships: [{ kind: 'works_at', from: { entityType: 'person', object: 'Contact', externalId: '003A' }, to: { entityType: 'organization', object: 'Account', externalId: '001X' } }],
      errors: [], failed: false,
    };
    await write('salesforce', [{ recordId: '003A', result: contact }]);
    const org = (await store.entities.list(T, { type: 'organization' })).items[0]!;
    expect(org.fields).toEqual({});
    await write('salesforce', [{ recordId: '001X', result: result({ target: 'organization', entityType: 'organization', object: 'Account', externalId: '001X', fields: { name: 'US Navy' }, remoteVersion: 'v1', deleted: false }) }]);
    expect((await store.entities.get(T, org.id))?.fields).toEqual({ name: 'US Navy' });
    await write('salesforce', [{ recordId: '003A', result: { ...contact, entities: [person('Contact', '003A', { familyName: 'Hopper' })] } }]);
    const hopper = (await store.entities.list(T, { type: 'person' })).items[0]!;
    expect(hopper.fields).toEqual({ familyName: 'Hopper' });
    expect((await store.entities.relationshipsOf(T, hopper.id)).outgoing).toEqual([expect.objectContaining({ kind: 'works_at', toEntityId: org.id })]);
  });
  it('points a later page\'s relationship at the entity already stored for its end, making no second placeholder', async () => {
    const worksAt = (contact: string): MappedRecord => ({
      recordId: contact,
      result: {
        entities: [person('Contact', contact, { familyName: contact })],
        relationships: [{ kind: 'works_at', from: { entityType: 'person', object: 'Contact', externalId: contact }, to: { entityType: 'organization', object: 'Account', externalId: '001X' } }],
        errors: [], failed: false,
      },
    });
    await write('salesforce', [worksAt('003A')]);
    const [org] = (await store.entities.list(T, { type: 'organization' })).items;
    await write('salesforce', [worksAt('003B'), worksAt('003C')]);
    expect((await store.entities.list(T, { type: 'organization' })).items.map((e) => e.id)).toEqual([org!.id]);
    expect((await store.entities.relationshipsOf(T, org!.id)).incoming).toHaveLength(3);
    expect((await store.entities.changes(T, 0, 100)).filter((c) => c.entityId === org!.id)).toHaveLength(1);
  });

  it('records in the feed exactly the fields a later page changed, and nothing for a stored entity it only repeats', async () => {
    // As the default Contact mapping reads it: the contact, and its account as the record's second entity.
    const contact = (id: string, fields: Record<string, unknown>, account: string): MappedRecord => ({
      recordId: id,
      result: {
        entities: [person('Contact', id, fields), { target: 'account', entityType: 'organization', object: 'Account', externalId: '001X', fields: { name: account }, remoteVersion: null, deleted: false }],
        relationships: [{ kind: 'works_at', from: { entityType: 'person', object: 'Contact', externalId: id }, to: { entityType: 'organization', object: 'Account', externalId: '001X' } }],
        errors: [], failed: false,
      },
    });
    await write('salesforce', [contact('003A', { familyName: 'Hopper', title: 'Commodore' }, 'US Navy')]);
    const org = (await store.entities.list(T, { type: 'organization' })).items[0]!;
    const hopper = (await store.entities.list(T, { type: 'person' })).items[0]!;
    const feedOf = async (id: string) => (await store.entities.changes(T, 0, 100)).filter((c) => c.entityId === id).map((c) => c.change);

    await write('salesforce', [contact('003A', { familyName: 'Hopper', title: 'Rear Admiral' }, 'US Navy'), contact('003B', { familyName: 'Murray' }, 'US Navy')]);
    expect(await feedOf(hopper.id)).toEqual([expect.objectContaining({ op: 'create' }), expect.objectContaining({ op: 'update', fields: { title: 'Rear Admiral' }, version: 2 })]);
    expect(await feedOf(org.id)).toEqual([expect.objectContaining({ op: 'create' })]);
    expect(await store.entities.get(T, org.id)).toMatchObject({ version: 1, fields: { name: 'US Navy' } });

    await write('salesforce', [contact('003B', { familyName: 'Murray' }, 'United States Navy')]);
    expect(await feedOf(org.id)).toEqual([expect.objectContaining({ op: 'create' }), expect.objectContaining({ op: 'update', fields: { name: 'United States Navy' }, version: 2 })]);
    expect((await store.entities.get(T, hopper.id))?.fields).toEqual({ familyName: 'Hopper', title: 'Rear Admiral' });
  });

  // A pull run's pages skip SQLite's per-row foreign-key lookups (the writer sees every parent itself).
  describe('pages written with their run progress', () => {
    const worksAt = (contact: string, account: string): MappingResult => ({
      entities: [person('Contact', contact, { familyName: contact, email: `${contact}@example.com` })],
      relationships: [{ kind: 'works_at', from: { entityType: 'person', object: 'Contact', externalId: contact }, to: { entityType: 'organization', object: 'Account', externalId: account } }],
      errors: [], failed: false,
    });

    it('leave every row with its parent, and the connection checking foreign keys again', async () => {
      await write('salesforce', [{ recordId: '003A', result: worksAt('003A', '001X') }, { recordId: '003B', result: worksAt('003B', '001X') }], [], true);
      await write('google', [{ recordId: 'p1', result: result(person('person', 'p1', { familyName: '003A', email: '003a@example.com' })) }], [], true);
      await write('salesforce', [{ recordId: '003C', result: worksAt('003C', '001Y') }], ['003B'], true);
      // 003A (with p1 linked to it) and 003C, and both organisations; 003B was deleted.
      expect(await liveEntities()).toHaveLength(4);
      expect(handle.db.pragma('foreign_key_check')).toEqual([]);
      expect(handle.db.pragma('foreign_keys', { simple: true })).toBe(1);
    });

    it('fail with NOT_FOUND and write nothing when the connection was deleted meanwhile', async () => {
      await store.connections.delete(T, 'con_sf');
      await expect(write('salesforce', [{ recordId: '003A', result: worksAt('003A', '001X') }], [], true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await liveEntities()).toEqual([]);
      expect(handle.db.pragma('foreign_key_check')).toEqual([]);
      expect(handle.db.pragma('foreign_keys', { simple: true })).toBe(1);
    });
  });
});
