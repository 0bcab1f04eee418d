import type { EntityWriteBatch } from '../../../ports/store.ts';
import { toJson, type PgContext } from '../sql.ts';

/*
 * Each kind of write is ONE statement for the whole page, whatever its size: the rows
 * travel as a JSON array and jsonb_to_recordset turns them into a relation. WITH
 * ORDINALITY keeps the batch's order where it matters (the change feed's seq).
 */
const INSERT_ENTITIES = `INSERT INTO entities (id, tenant_id, type, fields, version, created_at, updated_at)
  SELECT x.id, $1, x.type, x.fields, 1, $2, $2 FROM jsonb_to_recordset($3::jsonb) AS x(id text, type text, fields jsonb)`;
const UPDATE_ENTITIES = `UPDATE entities e SET fields = x.fields, version = x.version, deleted_at = x.deleted_at, updated_at = $2
  FROM jsonb_to_recordset($3::jsonb) AS x(id text, fields jsonb, version integer, deleted_at text)
  WHERE e.id = x.id AND e.tenant_id = $1`;
const INSERT_LINKS = `INSERT INTO entity_links (id, tenant_id, entity_id, connection_id, integration_id, object, external_id, record_id,
    remote_version, base_snapshot, last_synced_at, tombstoned_at, created_at, remote_modified_at)
  SELECT x.id, $1, x.entity_id, x.connection_id, x.integration_id, x.object, x.external_id, x.record_id, x.remote_version,
    x.base_snapshot, $2, x.tombstoned_at, $2, x.remote_modified_at
  FROM jsonb_to_recordset($3::jsonb) AS x(id text, entity_id text, connection_id text, integration_id text, object text,
    external_id text, record_id text, remote_version text, base_snapshot jsonb, tombstoned_at text, remote_modified_at text)`;
const UPDATE_LINKS = `UPDATE entity_links l SET record_id = COALESCE(x.record_id, l.record_id), remote_version = x.remote_version,
    base_snapshot = x.base_snapshot, tombstoned_at = x.tombstoned_at, last_synced_at = $2,
    remote_modified_at = COALESCE(x.remote_modified_at, l.remote_modified_at)
  FROM jsonb_to_recordset($3::jsonb) AS x(id text, record_id text, remote_version text, base_snapshot jsonb, tombstoned_at text, remote_modified_at text)
  WHERE l.id = x.id AND l.tenant_id = $1`;
const INSERT_RELATIONSHIPS = `INSERT INTO relationships (tenant_id, from_entity_id, kind, to_entity_id, created_at)
  SELECT $1, x.from_id, x.kind, x.to_id, $2 FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (from_id text, kind text, to_id text)) WITH ORDINALITY AS x(from_id, kind, to_id, n)
  ORDER BY x.n ON CONFLICT (from_entity_id, kind, to_entity_id) DO NOTHING`;
const INSERT_CHANGES = `INSERT INTO entity_changes (tenant_id, entity_id, change, at)
  SELECT $1, x.entity_id, x.change, $2 FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (entity_id text, change jsonb)) WITH ORDINALITY AS x(entity_id, change, n)
  ORDER BY x.n`;
const INSERT_KEYS = `INSERT INTO entity_match_keys (tenant_id, entity_type, key, entity_id)
  SELECT $1, x.entity_type, x.key, x.entity_id FROM jsonb_to_recordset($2::jsonb) AS x(entity_type text, key text, entity_id text)
  ON CONFLICT DO NOTHING`;
const INSERT_SOURCES = `INSERT INTO entity_match_sources (tenant_id, entity_type, connection_id, object)
  SELECT DISTINCT $1, x.entity_type, x.connection_id, x.object FROM jsonb_to_recordset($2::jsonb) AS x(entity_type text, connection_id text, object text)
  ON CONFLICT DO NOTHING`;
const INSERT_REVIEWS = `INSERT INTO dedup_reviews (id, tenant_id, status, payload, resolution, created_at, resolved_at)
  SELECT x.id, $1, x.status, x.payload, x.resolution, x.created_at, x.resolved_at
  FROM jsonb_to_recordset($2::jsonb) AS x(id text, status text, payload jsonb, resolution jsonb, created_at text, resolved_at text)`;

// Push intake (EntityWriteBatch.outbox): kept apart from the pull's own writes.
const INSERT_OUTBOX = `INSERT INTO outbox (id, tenant_id, entity_id, change, created_at)
  SELECT x.id, $1, x.entity_id, x.change, $2 FROM jsonb_to_recordset($3::jsonb) AS x(id text, entity_id text, change jsonb)`;

// Lineage of the page's automatic dedup links (EntityWriteBatch.merges).
const INSERT_MERGES = `INSERT INTO merge_lineage (id, tenant_id, survivor_id, merged_id, snapshot, reason, merged_at, undone_at)
  SELECT x.id, $1, x.survivor_id, x.merged_id, x.snapshot, x.reason, x.merged_at, x.undone_at
  FROM jsonb_to_recordset($2::jsonb) AS x(id text, survivor_id text, merged_id text, snapshot jsonb, reason jsonb, merged_at text, undone_at text)`;

/** The last entry per id: an UPDATE ... FROM applies only one source row per target row, so keep the batch's final word. */
function lastPerId<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((row) => [row.id, row])).values()];
}

/**
 * Applies one page's writes in the order that keeps foreign keys satisfied (entities,
 * links, relationships, feed, keys, reviews), one statement per non-empty kind. The
 * caller runs it atomically (`PgContext.atomic`, or inside the page's transaction).
 */
export async function applyPgEntityBatch(sql: PgContext, batch: EntityWriteBatch): Promise<void> {
  const { tenantId, at } = batch;
  if (batch.entityInserts.length > 0) {
    await sql.query(INSERT_ENTITIES, [tenantId, at, toJson(batch.entityInserts.map((e) => ({ id: e.id, type: e.type, fields: e.fields })))]);
  }
  if (batch.entityUpdates.length > 0) {
    const rows = lastPerId(batch.entityUpdates).map((e) => ({ id: e.id, fields: e.fields, version: e.version, deleted_at: e.deletedAt }));
    await sql.query(UPDATE_ENTITIES, [tenantId, at, toJson(rows)]);
  }
  if (batch.linkInserts.length > 0) {
    const rows = batch.linkInserts.map((l) => ({
      id: l.id, entity_id: l.entityId, connection_id: l.connectionId, integration_id: l.integrationId, object: l.object,
      external_id: l.externalId, record_id: l.recordId, remote_version: l.remoteVersion, base_snapshot: l.baseSnapshot, tombstoned_at: l.tombstonedAt,
      remote_modified_at: l.remoteModifiedAt ?? null,
    }));
    await sql.query(INSERT_LINKS, [tenantId, at, toJson(rows)]);
  }
  if (batch.linkUpdates.length > 0) {
    const rows = lastPerId(batch.linkUpdates).map((l) => ({
      id: l.id, record_id: l.recordId, remote_version: l.remoteVersion, base_snapshot: l.baseSnapshot, tombstoned_at: l.tombstonedAt,
      remote_modified_at: l.remoteModifiedAt ?? null,
    }));
    await sql.query(UPDATE_LINKS, [tenantId, at, toJson(rows)]);
  }
  if (batch.relationships.length > 0) {
    const rows = batch.relationships.map((r) => ({ from_id: r.fromEntityId, kind: r.kind, to_id: r.toEntityId }));
    await sql.query(INSERT_RELATIONSHIPS, [tenantId, at, toJson(rows)]);
  }
  if (batch.changes.length > 0) {
    await sql.query(INSERT_CHANGES, [tenantId, at, toJson(batch.changes.map((c) => ({ entity_id: c.entityId, change: c.change })))]);
  }
  if (batch.matchKeys.length > 0) {
    // In key order, so that the inserts walk the key index in order (fewer page visits).
    const rows = batch.matchKeys.map((k) => ({ entity_type: k.entityType, key: k.key, entity_id: k.entityId, connection_id: k.connectionId, object: k.object }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const json = toJson(rows);
    await sql.query(INSERT_KEYS, [tenantId, json]);
    await sql.query(INSERT_SOURCES, [tenantId, json]);
  }
  if (batch.reviews.length > 0) {
    const rows = batch.reviews.map((r) => ({
      id: r.id, status: r.status, payload: r.payload, resolution: r.resolution, created_at: r.createdAt, resolved_at: r.resolvedAt,
    }));
    await sql.query(INSERT_REVIEWS, [tenantId, toJson(rows)]);
  }
  if (batch.outbox !== undefined && batch.outbox.length > 0) {
    await sql.query(INSERT_OUTBOX, [tenantId, at, toJson(batch.outbox.map((o) => ({ id: o.id, entity_id: o.entityId, change: o.change })))]);
  }
  if (batch.merges !== undefined && batch.merges.length > 0) {
    const rows = batch.merges.map((m) => ({ id: m.id, survivor_id: m.survivorId, merged_id: m.mergedId, snapshot: m.snapshot, reason: m.reason, merged_at: m.mergedAt, undone_at: m.undoneAt }));
    await sql.query(INSERT_MERGES, [tenantId, toJson(rows)]);
  }
}
