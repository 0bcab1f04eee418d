import type { EntityWriteBatch } from '../../../ports/store.ts';
import { entityHash, matchKeyHash } from '../match-key-hash.ts';
import { RowInserter } from '../row-inserter.ts';
import { toJson, type StatementCache } from '../store-sql.ts';

type MatchKeyRow = EntityWriteBatch['matchKeys'][number];

// Multi-row inserts (row-inserter.ts): FAIL and IGNORE need no statement journal.
const INSERT_ENTITY = 'INSERT OR FAIL INTO entities (id, tenant_id, type, fields, version, created_at, updated_at)';
const UPDATE_ENTITY = 'UPDATE entities SET fields = ?, version = ?, deleted_at = ?, updated_at = ? WHERE id = ? AND tenant_id = ?';
const INSERT_LINK = `INSERT OR FAIL INTO entity_links (id, tenant_id, entity_id, connection_id, integration_id, object, external_id, record_id,
  remote_version, base_snapshot, last_synced_at, tombstoned_at, created_at, remote_modified_at)`;
const UPDATE_LINK = `UPDATE entity_links SET record_id = COALESCE(?, record_id), remote_version = ?, base_snapshot = ?, tombstoned_at = ?,
  last_synced_at = ?, remote_modified_at = COALESCE(?, remote_modified_at) WHERE id = ? AND tenant_id = ?`;
const INSERT_RELATIONSHIP = 'INSERT OR IGNORE INTO relationships (tenant_id, from_entity_id, kind, to_entity_id, created_at)';
const INSERT_CHANGE = 'INSERT OR FAIL INTO entity_changes (tenant_id, entity_id, change, at)';
const INSERT_KEY = 'INSERT OR IGNORE INTO entity_match_keys (tenant_id, entity_type, key, entity_id, key_hash, entity_hash)';
const INSERT_SOURCE = 'INSERT OR IGNORE INTO entity_match_sources (tenant_id, entity_type, connection_id, object) VALUES (?, ?, ?, ?)';
const INSERT_REVIEW = 'INSERT INTO dedup_reviews (id, tenant_id, status, payload, resolution, created_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
// Push intake (EntityWriteBatch.outbox): kept apart from the pull's own writes.
const INSERT_OUTBOX = 'INSERT INTO outbox (id, tenant_id, entity_id, change, created_at) VALUES (?, ?, ?, ?, ?)';
// Lineage of the page's automatic dedup links (EntityWriteBatch.merges).
const INSERT_MERGE = `INSERT INTO merge_lineage (id, tenant_id, survivor_id, merged_id, snapshot, reason, merged_at, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Applies one page's writes with prepared statements, in the order that keeps foreign
 * keys satisfied (entities, links, relationships, feed, keys, reviews). Synchronous: the
 * caller runs it as one unit of work, inside the page's transaction.
 */
export function applyEntityBatch(statements: StatementCache, batch: EntityWriteBatch): void {
  const { tenantId, at } = batch;
  // The same fields object often appears as an entity's fields, its link's base snapshot
  // and its feed row: serialise it once. A Map, not a WeakMap: it dies with this call, and
  // weak entries cost the garbage collector extra work.
  const memo = new Map<object, string>();
  const json = (value: Record<string, unknown>): string => {
    let text = memo.get(value);
    if (text === undefined) {
      text = toJson(value);
      memo.set(value, text);
    }
    return text;
  };
  const changeJson = (change: Record<string, unknown>): string => {
    const { fields, ...rest } = change;
    const head = toJson(rest);
    if (fields === null || typeof fields !== 'object') return toJson(change);
    return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"fields":${json(fields as Record<string, unknown>)}}`;
  };
  // Bound once per statement rather than once per row.
  const shared = { tenantId, at };
  const entities = new RowInserter(statements, INSERT_ENTITY, '(?, @tenantId, ?, ?, 1, @at, @at)', shared);
  for (const e of batch.entityInserts) entities.add(e.id, e.type, json(e.fields));
  entities.flush();
  const updateEntity = statements.get(UPDATE_ENTITY);
  for (const e of batch.entityUpdates) updateEntity.run(json(e.fields), e.version, e.deletedAt, at, e.id, tenantId);
  const links = new RowInserter(statements, INSERT_LINK, '(?, @tenantId, ?, ?, ?, ?, ?, ?, ?, ?, @at, ?, @at, ?)', shared);
  for (const l of batch.linkInserts) {
    links.add(l.id, l.entityId, l.connectionId, l.integrationId, l.object, l.externalId, l.recordId, l.remoteVersion,
      l.baseSnapshot === null ? null : json(l.baseSnapshot), l.tombstonedAt, l.remoteModifiedAt ?? null);
  }
  links.flush();
  const updateLink = statements.get(UPDATE_LINK);
  for (const l of batch.linkUpdates) {
    updateLink.run(l.recordId, l.remoteVersion, l.baseSnapshot === null ? null : json(l.baseSnapshot), l.tombstonedAt, at, l.remoteModifiedAt ?? null, l.id, tenantId);
  }
  const relationships = new RowInserter(statements, INSERT_RELATIONSHIP, '(@tenantId, ?, ?, ?, @at)', shared);
  for (const r of batch.relationships) relationships.add(r.fromEntityId, r.kind, r.toEntityId);
  relationships.flush();
  const changes = new RowInserter(statements, INSERT_CHANGE, '(@tenantId, ?, ?, @at)', shared);
  for (const c of batch.changes) changes.add(c.entityId, changeJson(c.change));
  changes.flush();
  const keys = new RowInserter(statements, INSERT_KEY, '(@tenantId, ?, ?, ?, ?, ?)', shared);
  const insertSource = statements.get(INSERT_SOURCE);
  // The page's sources (entity type, connection, object): one or two, so a list.
  const sources: MatchKeyRow[] = [];
  // In the order of the key index, so that consecutive inserts land on the same pages.
  const hashes = batch.matchKeys.map((k) => matchKeyHash(tenantId, k.entityType, k.key));
  // The comparator answers -1, 0 or 1: the difference of two 47-bit hashes is not a small
  // integer, and V8 boxed each one (67 MB over 100,000 contacts).
  const order = hashes.map((_, i) => i).sort((a, b) => (hashes[a]! < hashes[b]! ? -1 : hashes[a]! > hashes[b]! ? 1 : 0));
  for (const i of order) {
    const k = batch.matchKeys[i]!;
    keys.add(k.entityType, k.key, k.entityId, hashes[i], entityHash(k.entityId));
    if (!sources.some((s) => s.entityType === k.entityType && s.connectionId === k.connectionId && s.object === k.object)) {
      sources.push(k);
      insertSource.run(tenantId, k.entityType, k.connectionId, k.object);
    }
  }
  keys.flush();
  const insertReview = statements.get(INSERT_REVIEW);
  for (const r of batch.reviews) {
    insertReview.run(r.id, tenantId, r.status, toJson(r.payload), r.resolution === null ? null : toJson(r.resolution), r.createdAt, r.resolvedAt);
  }
  if (batch.outbox !== undefined && batch.outbox.length > 0) {
    const insertOutbox = statements.get(INSERT_OUTBOX);
    for (const o of batch.outbox) insertOutbox.run(o.id, tenantId, o.entityId, changeJson(o.change), at);
  }
  if (batch.merges !== undefined && batch.merges.length > 0) {
    const insertMerge = statements.get(INSERT_MERGE);
    for (const m of batch.merges) insertMerge.run(m.id, tenantId, m.survivorId, m.mergedId, toJson(m.snapshot), toJson(m.reason), m.mergedAt, m.undoneAt);
  }
}
