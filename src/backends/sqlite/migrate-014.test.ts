import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrate.ts';
import { tempSqliteFile } from './temp-store.ts';

// 014 rebuilt entity_match_keys and narrowed entity_links_record: a store written before
// it must keep finding its match keys and its links by record id after it.
describe('SQLite migration 014 (compact pull indexes)', () => {
  let cleanup: () => Promise<void>;

  afterEach(() => cleanup());

  it('carries match keys and record-id lookups over from a store written before it', async () => {
    const file = tempSqliteFile('migrate-014');
    cleanup = file.cleanup;
    const { store, handle: { db } } = file;
    migrate(db, loadMigrations().filter((m) => m.version < 14));
    const at = '2026-01-01T00:00:00.000Z';
    db.prepare('INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run('ten_a', 'A', at, at);
    for (const [id, provider] of [['con_sf', 'salesforce'], ['con_gh', 'github']]) {
      db.prepare('INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, 'ten_a', provider, id, 'active', at, at);
    }
    const entity = db.prepare(`INSERT INTO entities (id, tenant_id, type, fields, created_at, updated_at) VALUES (?, 'ten_a', 'person', '{}', ?, ?)`);
    const link = db.prepare(`INSERT INTO entity_links (id, tenant_id, entity_id, connection_id, object, external_id, record_id, created_at) VALUES (?, 'ten_a', ?, ?, ?, ?, ?, ?)`);
    const key = db.prepare(`INSERT INTO entity_match_keys (tenant_id, entity_type, key, entity_id) VALUES ('ten_a', 'person', ?, ?)`);
    entity.run('ent_1', at, at);
    entity.run('ent_2', at, at);
    link.run('lnk_1', 'ent_1', 'con_sf', 'Contact', '003A', '003A', at);
    link.run('lnk_2', 'ent_2', 'con_gh', 'issue', 'https://api.github.com/repos/o/r/issues/7', '7', at);
    key.run('email:ada@example.org', 'ent_1');
    key.run('name:ADA:a', 'ent_1');
    key.run('email:ada@example.org', 'ent_2');
    const source = db.prepare(`INSERT INTO entity_match_sources (tenant_id, entity_type, connection_id, object) VALUES ('ten_a', 'person', ?, ?)`);
    source.run('con_sf', 'Contact');
    source.run('con_gh', 'issue');

    expect((await store.migrate()).applied[0]).toBe(14);

    // Keys of another source (ent_1 is linked through con_sf) are found, with their texts.
    expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:ada@example.org', 'name:ADA:a', 'email:nobody@example.org'], 'con_gh', 'issue'))
      .toEqual(expect.arrayContaining([{ key: 'email:ada@example.org', entityId: 'ent_1' }, { key: 'name:ADA:a', entityId: 'ent_1' }]));
    expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:ada@example.org'], 'con_sf', 'Contact')).toEqual([{ key: 'email:ada@example.org', entityId: 'ent_2' }]);
    expect((await store.entities.findLinksByRecordId('ten_a', 'con_sf', 'Contact', ['003A'])).map((l) => l.linkId)).toEqual(['lnk_1']);
    expect((await store.entities.findLinksByRecordId('ten_a', 'con_gh', 'issue', ['7'])).map((l) => l.linkId)).toEqual(['lnk_2']);

    // A key written again is not stored twice, and a merge undo's delete still finds it.
    await store.entities.applyBatch({
      tenantId: 'ten_a', at, entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], changes: [], reviews: [],
      matchKeys: [{ entityType: 'person', key: 'email:ada@example.org', connectionId: 'con_sf', object: 'Contact', entityId: 'ent_1' }],
    });
    expect(db.prepare(`SELECT count(*) AS n FROM entity_match_keys WHERE entity_id = 'ent_1'`).get()).toEqual({ n: 2 });
    await store.merges.deleteMatchKeys('ten_a', 'ent_1', [{ entityType: 'person', key: 'email:ada@example.org' }]);
    expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:ada@example.org'], 'con_gh', 'issue')).toEqual([]);
  });
});
