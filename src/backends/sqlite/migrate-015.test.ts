import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrate.ts';
import { tempSqliteFile } from './temp-store.ts';

const at = '2026-01-01T00:00:00.000Z';

// 015 rebuilt the pull's hot tables without their tenant (and integration) keys; what
// those keys did on delete is done by the entity and connection keys and by triggers.
describe('SQLite migration 015 (pull rows without parent checks)', () => {
  let cleanup: () => Promise<void>;

  afterEach(() => cleanup());

  it('keeps a store written before it, its feed positions, and what deleting a tenant or an integration removes', async () => {
    const file = tempSqliteFile('migrate-015');
    cleanup = file.cleanup;
    const { store, handle: { db } } = file;
    migrate(db, loadMigrations().filter((m) => m.version < 15));
    for (const tenant of ['ten_a', 'ten_b']) {
      db.prepare('INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(tenant, tenant, at, at);
      db.prepare(`INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) VALUES (?, ?, 'salesforce', 'sf', 'active', ?, ?)`).run(`con_${tenant}`, tenant, at, at);
      db.prepare(`INSERT INTO integrations (id, tenant_id, connection_id, object, direction, mapping, created_at, updated_at) VALUES (?, ?, ?, 'Contact', 'pull', '{}', ?, ?)`)
        .run(`int_${tenant}`, tenant, `con_${tenant}`, at, at);
      for (const n of [1, 2]) {
        db.prepare(`INSERT INTO entities (id, tenant_id, type, fields, created_at, updated_at) VALUES (?, ?, 'person', '{"n":${n}}', ?, ?)`).run(`ent_${tenant}_${n}`, tenant, at, at);
        db.prepare(`INSERT INTO entity_links (id, tenant_id, entity_id, connection_id, integration_id, object, external_id, record_id, created_at) VALUES (?, ?, ?, ?, ?, 'Contact', ?, ?, ?)`)
          .run(`lnk_${tenant}_${n}`, tenant, `ent_${tenant}_${n}`, `con_${tenant}`, `int_${tenant}`, `003${n}`, `003${n}`, at);
        db.prepare(`INSERT INTO entity_changes (tenant_id, entity_id, change, at) VALUES (?, ?, '{"op":"create"}', ?)`).run(tenant, `ent_${tenant}_${n}`, at);
        db.prepare(`INSERT INTO entity_match_keys (tenant_id, entity_type, key, entity_id, key_hash, entity_hash) VALUES (?, 'person', ?, ?, tributary_hash(?, 'person', ?), tributary_hash(?))`)
          .run(tenant, `email:${n}@${tenant}.example`, `ent_${tenant}_${n}`, tenant, `email:${n}@${tenant}.example`, `ent_${tenant}_${n}`);
      }
      db.prepare(`INSERT INTO entity_match_sources (tenant_id, entity_type, connection_id, object) VALUES (?, 'person', ?, 'Contact')`).run(tenant, `con_${tenant}`);
      db.prepare(`INSERT INTO relationships (tenant_id, from_entity_id, kind, to_entity_id, created_at) VALUES (?, ?, 'works_with', ?, ?)`).run(tenant, `ent_${tenant}_1`, `ent_${tenant}_2`, at);
    }
    // The feed's newest row is purged: its seq must still never be handed out again.
    const newest = (db.prepare('SELECT max(seq) AS seq FROM entity_changes').get() as { seq: number }).seq;
    db.prepare('DELETE FROM entity_changes WHERE seq = ?').run(newest);

    expect((await store.migrate()).applied).toEqual([15]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect((db.pragma('foreign_key_list(entity_links)') as { table: string }[]).map((k) => k.table).sort()).toEqual(['connections', 'entities']);

    // Everything is still there and still found.
    const linked = await store.entities.findLinks('ten_a', 'con_ten_a', [{ object: 'Contact', externalId: '0031' }]);
    expect(linked.map((l) => [l.linkId, l.entity.fields])).toEqual([['lnk_ten_a_1', { n: 1 }]]);
    expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:2@ten_a.example'], 'con_other', 'Contact')).toEqual([{ key: 'email:2@ten_a.example', entityId: 'ent_ten_a_2' }]);
    expect((await store.entities.relationshipsOf('ten_a', 'ent_ten_a_1')).outgoing.map((r) => r.toEntityId)).toEqual(['ent_ten_a_2']);
    await store.entities.applyBatch({
      tenantId: 'ten_a', at, entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], reviews: [], matchKeys: [],
      changes: [{ entityId: 'ent_ten_a_1', change: { op: 'update', fields: { n: 3 } } }],
    });
    const seqs = (await store.entities.changes('ten_a', 0, 10)).map((c) => c.seq);
    expect(seqs.at(-1)).toBeGreaterThan(newest);

    // Deleting an integration keeps its links and forgets it on them (ON DELETE SET NULL before).
    expect(await store.integrations.delete('ten_a', 'int_ten_a')).toBe(true);
    expect(db.prepare(`SELECT DISTINCT integration_id AS id FROM entity_links WHERE tenant_id = 'ten_a'`).all()).toEqual([{ id: null }]);
    expect(db.prepare(`SELECT DISTINCT integration_id AS id FROM entity_links WHERE tenant_id = 'ten_b'`).all()).toEqual([{ id: 'int_ten_b' }]);

    // Deleting a tenant removes all of its entity rows and none of another tenant's.
    db.prepare(`DELETE FROM tenants WHERE id = 'ten_a'`).run();
    // ten_b's rows as written (its newest feed row was the purged one).
    const left = { entities: 2, entity_links: 2, relationships: 1, entity_changes: 1, entity_match_keys: 2 };
    for (const [table, n] of Object.entries(left)) {
      expect(db.prepare(`SELECT tenant_id, count(*) AS n FROM ${table} GROUP BY tenant_id`).all(), table).toEqual([{ tenant_id: 'ten_b', n }]);
    }
  });
});
