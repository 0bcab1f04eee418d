import type { Entity, EntityChange, EntityLink, Relationship } from '../../../domain/entity.ts';
import type { DedupReview } from '../../../domain/review.ts';
import type { EntityFilter, EntityRepository, EntityWriteBatch, LinkKey, LinkTarget, LinkedEntity, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import {
  ENTITY_COLUMNS,
  LINK_COLUMNS,
  entityRowMappers,
  toRelationship,
  type ChangeRow as SharedChangeRow,
  type EntityRow as SharedEntityRow,
  type LinkedRow as SharedLinkedRow,
  type LinkRow as SharedLinkRow,
  type RelationshipRow as SharedRelationshipRow,
  type ReviewRow as SharedReviewRow,
} from '../../rows/entity-rows.ts';
import { applyEntityBatch } from './entity-writes.ts';
import { matchKeyHash } from '../match-key-hash.ts';

type EntityRow = SharedEntityRow<SqliteColumnTypes>;
type LinkRow = SharedLinkRow<SqliteColumnTypes>;
type LinkedRow = SharedLinkedRow<SqliteColumnTypes>;
type RelationshipRow = SharedRelationshipRow;
type ChangeRow = SharedChangeRow<SqliteColumnTypes>;
type ReviewRow = SharedReviewRow<SqliteColumnTypes>;
const { toEntity, toLink, toLinked, toChange, toReview } = entityRowMappers(SQLITE_COLUMNS);

const LINKED_SELECT = `SELECT l.id AS link_id, l.object, l.external_id, l.record_id, l.remote_version, l.base_snapshot, l.tombstoned_at, l.remote_modified_at,
  e.id, e.tenant_id, e.type, e.fields, e.version, e.created_at, e.updated_at, e.deleted_at, e.merged_into`;
// One statement per object (a page names one or two): json_each of plain ids drives the
// join (CROSS JOIN fixes the order), each id one lookup on the UNIQUE index, with no JSON
// to take apart per key. Rows come as arrays (raw mode) in FoundLink's order, without the
// tenant and object the caller already knows: better-sqlite3 makes a row object by setting
// each column by name, and for a page's 1,400 accounts that cost more than the lookups
// (on a kept bench database, medians of seven: 16-19 ms as objects of every column, 10 ms
// as arrays, 5 ms to find them).
const FIND_LINKS = `SELECT l.id, l.external_id, l.record_id, l.remote_version, l.base_snapshot, l.tombstoned_at, l.remote_modified_at,
  e.id, e.type, e.fields, e.version, e.created_at, e.updated_at, e.deleted_at, e.merged_into FROM json_each(@ids) AS k
  CROSS JOIN entity_links l ON l.connection_id = @connectionId AND l.object = @object AND l.external_id = k.value
  JOIN entities e ON e.id = l.entity_id WHERE l.tenant_id = @tenantId`;
type FoundLink = [
  linkId: string, externalId: string, recordId: string | null, remoteVersion: string | null, baseSnapshot: string | null,
  tombstonedAt: string | null, remoteModifiedAt: string | null,
  id: string, type: string, fields: string, version: number, createdAt: string, updatedAt: string, deletedAt: string | null, mergedInto: string | null,
];
// Relationship ends: the link's entity id only (rows as arrays, raw mode), no join to entities.
const FIND_TARGETS = `SELECT l.external_id, l.entity_id FROM json_each(@ids) AS k
  CROSS JOIN entity_links l ON l.connection_id = @connectionId AND l.object = @object AND l.external_id = k.value
  WHERE l.tenant_id = @tenantId`;
// A record id is found through the UNIQUE index when it is the link's external id, and
// through entity_links_record (which holds only the others, migration 014) when not.
const FIND_BY_RECORD = `${LINKED_SELECT} FROM json_each(@ids) AS k
  CROSS JOIN entity_links l ON l.connection_id = @connectionId AND l.object = @object AND l.external_id = k.value AND l.record_id = l.external_id
  JOIN entities e ON e.id = l.entity_id WHERE l.tenant_id = @tenantId
  UNION ALL
  ${LINKED_SELECT} FROM json_each(@ids) AS k
  CROSS JOIN entity_links l ON l.connection_id = @connectionId AND l.object = @object AND l.record_id = k.value AND l.record_id <> l.external_id
  JOIN entities e ON e.id = l.entity_id WHERE l.tenant_id = @tenantId`;
const COUNT_LIVE = `SELECT l.entity_id AS id, COUNT(*) AS n FROM json_each(?) AS k CROSS JOIN entity_links l ON l.entity_id = k.value
  WHERE l.tombstoned_at IS NULL AND l.tenant_id = ? GROUP BY l.entity_id`;
// Each key arrives with its hash ({"h", "k"}: match-key-hash.ts), the index's lookup value.
const FIND_BY_KEYS = `SELECT DISTINCT m.key, m.entity_id FROM json_each(@keys) AS j
  CROSS JOIN entity_match_keys m ON m.key_hash = j.value ->> 'h' AND m.key = j.value ->> 'k' AND m.tenant_id = @tenantId AND m.entity_type = @entityType
  JOIN entities e ON e.id = m.entity_id
  WHERE e.deleted_at IS NULL AND e.merged_into IS NULL
    AND NOT EXISTS (SELECT 1 FROM entity_links l WHERE l.entity_id = m.entity_id AND l.connection_id = @connectionId
      AND l.object = @object AND l.tombstoned_at IS NULL)`;
const OTHER_SOURCE = `SELECT 1 FROM entity_match_sources WHERE tenant_id = ? AND entity_type = ? AND NOT (connection_id = ? AND object = ?) LIMIT 1`;
const GET_MANY = `SELECT ${ENTITY_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM json_each(?) AS k CROSS JOIN entities e ON e.id = k.value WHERE e.tenant_id = ?`;
const GET = `SELECT ${ENTITY_COLUMNS} FROM entities WHERE id = ? AND tenant_id = ?`;
const LINKS_OF = `SELECT ${LINK_COLUMNS} FROM entity_links WHERE entity_id = ? AND tenant_id = ? ORDER BY created_at, id`;
const REL_COLUMNS = 'tenant_id, from_entity_id, kind, to_entity_id, created_at';
const OUTGOING = `SELECT ${REL_COLUMNS} FROM relationships WHERE from_entity_id = ? AND tenant_id = ? ORDER BY id`;
const INCOMING = `SELECT ${REL_COLUMNS} FROM relationships WHERE to_entity_id = ? AND tenant_id = ? ORDER BY id`;
const CHANGES = 'SELECT seq, tenant_id, entity_id, change, at FROM entity_changes WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?';
const ENTITY_CHANGES = 'SELECT seq, tenant_id, entity_id, change, at FROM entity_changes WHERE entity_id = ? AND tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?';

/** A FIND_LINKS row as the writer takes it. Indexes, not destructuring: that walks the row with an iterator. */
function foundLink(tenantId: string, object: string, row: FoundLink): LinkedEntity {
  const baseSnapshot = row[4];
  return {
    linkId: row[0], object, externalId: row[1], recordId: row[2], remoteVersion: row[3],
    baseSnapshot: baseSnapshot === null ? null : SQLITE_COLUMNS.json<Record<string, unknown>>(baseSnapshot), tombstonedAt: row[5], remoteModifiedAt: row[6],
    entity: {
      id: row[7], tenantId, type: row[8], fields: SQLITE_COLUMNS.json<Record<string, unknown>>(row[9]), version: row[10],
      createdAt: row[11], updatedAt: row[12], deletedAt: row[13], mergedInto: row[14],
    },
  };
}

/** Keys grouped by object: the lookups run one statement per object (a page names one or two). */
function idsByObject(keys: readonly LinkKey[]): Map<string, string[]> {
  const byObject = new Map<string, string[]>();
  for (const { object, externalId } of keys) {
    const ids = byObject.get(object);
    if (ids) ids.push(externalId);
    else byObject.set(object, [externalId]);
  }
  return byObject;
}

/** The entity store in SQLite: batched reads for the pull writer, page writes, and the API's reads. */
export class SqliteEntityRepository implements EntityRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  findLinks(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkedEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#sql.run(() => {
      const statement = this.#sql.statements.get<FoundLink>(FIND_LINKS).raw(true);
      const found: LinkedEntity[] = [];
      for (const [object, ids] of idsByObject(keys)) {
        for (const row of statement.all({ ids: toJson(ids), object, connectionId, tenantId })) found.push(foundLink(tenantId, object, row));
      }
      return found;
    });
  }

  findLinkTargets(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkTarget[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#sql.run(() => {
      // Arrays, not objects: better-sqlite3 makes a row object by setting each column by name.
      const statement = this.#sql.statements.get<[string, string]>(FIND_TARGETS).raw(true);
      const found: LinkTarget[] = [];
      for (const [object, ids] of idsByObject(keys)) {
        for (const [externalId, entityId] of statement.all({ ids: toJson(ids), object, connectionId, tenantId })) found.push({ object, externalId, entityId });
      }
      return found;
    });
  }

  findLinksByRecordId(tenantId: string, connectionId: string, object: string, recordIds: readonly string[]): Promise<LinkedEntity[]> {
    if (recordIds.length === 0) return Promise.resolve([]);
    return this.#sql.run(() =>
      this.#sql.statements.get<LinkedRow>(FIND_BY_RECORD).all({ ids: toJson(recordIds), connectionId, object, tenantId }).map(toLinked),
    );
  }

  countLiveLinks(tenantId: string, entityIds: readonly string[]): Promise<Map<string, number>> {
    if (entityIds.length === 0) return Promise.resolve(new Map());
    return this.#sql.run(
      () => new Map(this.#sql.statements.get<{ id: string; n: number }>(COUNT_LIVE).all(toJson(entityIds), tenantId).map((r) => [r.id, r.n])),
    );
  }

  findByMatchKeys(tenantId: string, entityType: string, keys: readonly string[], excludeConnectionId: string, excludeObject: string): Promise<{ key: string; entityId: string }[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#sql.run(() => {
      // One source only: nothing of another source to match (the common case, and free).
      if (this.#sql.statements.get(OTHER_SOURCE).get(tenantId, entityType, excludeConnectionId, excludeObject) === undefined) return [];
      return this.#sql.statements
        .get<{ key: string; entity_id: string }>(FIND_BY_KEYS)
        .all({ keys: toJson(keys.map((k) => ({ h: matchKeyHash(tenantId, entityType, k), k }))), tenantId, entityType, connectionId: excludeConnectionId, object: excludeObject })
        .map((r) => ({ key: r.key, entityId: r.entity_id }));
    });
  }

  getMany(tenantId: string, ids: readonly string[]): Promise<Entity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.#sql.run(() => this.#sql.statements.get<EntityRow>(GET_MANY).all(toJson(ids), tenantId).map(toEntity));
  }

  applyBatch(batch: EntityWriteBatch): Promise<void> {
    return this.#sql.run(() => applyEntityBatch(this.#sql.statements, batch));
  }

  get(tenantId: string, id: string): Promise<Entity | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<EntityRow>(GET).get(id, tenantId);
      return row ? toEntity(row) : null;
    });
  }

  list(tenantId: string, filter: EntityFilter = {}): Promise<Page<Entity>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const where = ['e.tenant_id = @tenantId'];
      const params: Record<string, unknown> = { tenantId, limit: limit + 1 };
      if (filter.type !== undefined) {
        where.push('e.type = @type');
        params.type = filter.type;
      }
      if (filter.updatedSince !== undefined) {
        where.push('e.updated_at >= @since');
        params.since = filter.updatedSince;
      }
      if (filter.provider !== undefined) {
        where.push('EXISTS (SELECT 1 FROM entity_links l JOIN connections c ON c.id = l.connection_id WHERE l.entity_id = e.id AND c.provider = @provider)');
        params.provider = filter.provider;
      }
      if (filter.includeDeleted !== true) where.push('e.deleted_at IS NULL');
      if (after) {
        where.push('(e.created_at, e.id) > (@afterAt, @afterId)');
        [params.afterAt, params.afterId] = after;
      }
      const columns = ENTITY_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ');
      const rows = this.#sql.statements
        .get<EntityRow>(`SELECT ${columns} FROM entities e WHERE ${where.join(' AND ')} ORDER BY e.created_at, e.id LIMIT @limit`)
        .all(params);
      return toPage(rows, limit, (row) => [row.created_at, row.id], toEntity);
    });
  }

  linksOf(tenantId: string, entityId: string): Promise<EntityLink[]> {
    return this.#sql.run(() => this.#sql.statements.get<LinkRow>(LINKS_OF).all(entityId, tenantId).map(toLink));
  }

  relationshipsOf(tenantId: string, entityId: string): Promise<{ outgoing: Relationship[]; incoming: Relationship[] }> {
    return this.#sql.run(() => ({
      outgoing: this.#sql.statements.get<RelationshipRow>(OUTGOING).all(entityId, tenantId).map(toRelationship),
      incoming: this.#sql.statements.get<RelationshipRow>(INCOMING).all(entityId, tenantId).map(toRelationship),
    }));
  }

  changes(tenantId: string, sinceSeq: number, limit: number, entityId?: string): Promise<EntityChange[]> {
    const max = Math.max(1, Math.min(1000, Math.floor(limit)));
    return this.#sql.run(() =>
      (entityId === undefined
        ? this.#sql.statements.get<ChangeRow>(CHANGES).all(tenantId, sinceSeq, max)
        : this.#sql.statements.get<ChangeRow>(ENTITY_CHANGES).all(entityId, tenantId, sinceSeq, max)
      ).map(toChange),
    );
  }

  listReviews(tenantId: string, status?: string): Promise<DedupReview[]> {
    return this.#sql.run(() => {
      const sql = `SELECT id, tenant_id, status, payload, resolution, created_at, resolved_at FROM dedup_reviews WHERE tenant_id = ?${status === undefined ? '' : ' AND status = ?'} ORDER BY created_at, id`;
      const params = status === undefined ? [tenantId] : [tenantId, status];
      return this.#sql.statements
        .get<ReviewRow>(sql)
        .all(...params)
        .map(toReview);
    });
  }
}
