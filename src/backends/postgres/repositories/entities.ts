import type { Entity, EntityChange, EntityLink, Relationship } from '../../../domain/entity.ts';
import type { DedupReview } from '../../../domain/review.ts';
import type { EntityFilter, EntityRepository, EntityWriteBatch, LinkKey, LinkTarget, LinkedEntity, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import type { PgContext, PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
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
import { applyPgEntityBatch } from './entity-writes.ts';

type EntityRow = SharedEntityRow<PgColumnTypes> & PgRow;
type LinkRow = SharedLinkRow<PgColumnTypes> & PgRow;
type LinkedRow = SharedLinkedRow<PgColumnTypes> & PgRow;
type RelationshipRow = SharedRelationshipRow & PgRow;
type ChangeRow = SharedChangeRow<PgColumnTypes> & PgRow;
type ReviewRow = SharedReviewRow<PgColumnTypes> & PgRow;
const { toEntity, toLink, toLinked, toChange, toReview } = entityRowMappers(PG_COLUMNS);

const E_COLUMNS = ENTITY_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ');
const LINKED_SELECT = `SELECT l.id AS link_id, l.object, l.external_id, l.record_id, l.remote_version, l.base_snapshot, l.tombstoned_at, l.remote_modified_at, ${E_COLUMNS}`;
// The keys arrive as two parallel text arrays; each pair is one lookup on the UNIQUE (connection, object, external id) index.
const FIND_LINKS = `${LINKED_SELECT} FROM unnest($3::text[], $4::text[]) AS k(object, external_id)
  JOIN entity_links l ON l.connection_id = $2 AND l.object = k.object AND l.external_id = k.external_id
  JOIN entities e ON e.id = l.entity_id WHERE l.tenant_id = $1`;
// Relationship ends: the link's entity id only, no join to entities.
const FIND_TARGETS = `SELECT l.object, l.external_id, l.entity_id FROM unnest($3::text[], $4::text[]) AS k(object, external_id)
  JOIN entity_links l ON l.connection_id = $2 AND l.object = k.object AND l.external_id = k.external_id WHERE l.tenant_id = $1`;
// A record id is found through the UNIQUE index when it is the link's external id, and
// through entity_links_record (which holds only the others, migration 014) when not.
const FIND_BY_RECORD = `${LINKED_SELECT} FROM entity_links l JOIN entities e ON e.id = l.entity_id
  WHERE l.tenant_id = $1 AND l.connection_id = $2 AND l.object = $3 AND l.external_id = ANY($4::text[]) AND l.record_id = l.external_id
  UNION ALL
  ${LINKED_SELECT} FROM entity_links l JOIN entities e ON e.id = l.entity_id
  WHERE l.tenant_id = $1 AND l.connection_id = $2 AND l.object = $3 AND l.record_id = ANY($4::text[]) AND l.record_id <> l.external_id`;
const COUNT_LIVE = `SELECT l.entity_id AS id, COUNT(*)::integer AS n FROM entity_links l
  WHERE l.entity_id = ANY($1::text[]) AND l.tombstoned_at IS NULL AND l.tenant_id = $2 GROUP BY l.entity_id`;
const FIND_BY_KEYS = `SELECT DISTINCT m.key, m.entity_id FROM entity_match_keys m
  JOIN entities e ON e.id = m.entity_id
  WHERE m.tenant_id = $1 AND m.entity_type = $2 AND m.key = ANY($3::text[])
    AND e.deleted_at IS NULL AND e.merged_into IS NULL
    AND NOT EXISTS (SELECT 1 FROM entity_links l WHERE l.entity_id = m.entity_id AND l.connection_id = $4
      AND l.object = $5 AND l.tombstoned_at IS NULL)`;
const OTHER_SOURCE = 'SELECT 1 FROM entity_match_sources WHERE tenant_id = $1 AND entity_type = $2 AND NOT (connection_id = $3 AND object = $4) LIMIT 1';
const GET_MANY = `SELECT ${E_COLUMNS} FROM entities e WHERE e.id = ANY($1::text[]) AND e.tenant_id = $2`;
const GET = `SELECT ${ENTITY_COLUMNS} FROM entities WHERE id = $1 AND tenant_id = $2`;
const LINKS_OF = `SELECT ${LINK_COLUMNS} FROM entity_links WHERE entity_id = $1 AND tenant_id = $2 ORDER BY created_at, id`;
const REL_COLUMNS = 'tenant_id, from_entity_id, kind, to_entity_id, created_at';
const OUTGOING = `SELECT ${REL_COLUMNS} FROM relationships WHERE from_entity_id = $1 AND tenant_id = $2 ORDER BY id`;
const INCOMING = `SELECT ${REL_COLUMNS} FROM relationships WHERE to_entity_id = $1 AND tenant_id = $2 ORDER BY id`;
const CHANGES = 'SELECT seq, tenant_id, entity_id, change, at FROM entity_changes WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3';
const ENTITY_CHANGES = 'SELECT seq, tenant_id, entity_id, change, at FROM entity_changes WHERE tenant_id = $1 AND seq > $2 AND entity_id = $4 ORDER BY seq LIMIT $3';

/**
 * The entity store in PostgreSQL: batched reads for the pull writer (one statement per
 * call, keys passed as arrays), page writes (one statement per kind of write, see
 * entity-writes.ts), and the API's reads.
 *
 * The change feed's seq is a BIGSERIAL: unique and increasing in insertion order, but
 * with concurrent writers a smaller seq can commit after a larger one a reader already
 * saw. Feed consumers that need every entry should stay a little behind the head.
 */
export class PgEntityRepository implements EntityRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async findLinks(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkedEntity[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.#sql.query<LinkedRow>(FIND_LINKS, [tenantId, connectionId, keys.map((k) => k.object), keys.map((k) => k.externalId)]);
    return rows.map(toLinked);
  }

  async findLinkTargets(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkTarget[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.#sql.query<{ object: string; external_id: string; entity_id: string }>(FIND_TARGETS, [tenantId, connectionId, keys.map((k) => k.object), keys.map((k) => k.externalId)]);
    return rows.map((r) => ({ object: r.object, externalId: r.external_id, entityId: r.entity_id }));
  }

  async findLinksByRecordId(tenantId: string, connectionId: string, object: string, recordIds: readonly string[]): Promise<LinkedEntity[]> {
    if (recordIds.length === 0) return [];
    const { rows } = await this.#sql.query<LinkedRow>(FIND_BY_RECORD, [tenantId, connectionId, object, [...recordIds]]);
    return rows.map(toLinked);
  }

  async countLiveLinks(tenantId: string, entityIds: readonly string[]): Promise<Map<string, number>> {
    if (entityIds.length === 0) return new Map();
    const { rows } = await this.#sql.query<{ id: string; n: number }>(COUNT_LIVE, [[...entityIds], tenantId]);
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  async findByMatchKeys(tenantId: string, entityType: string, keys: readonly string[], excludeConnectionId: string, excludeObject: string): Promise<{ key: string; entityId: string }[]> {
    if (keys.length === 0) return [];
    // One source only: nothing of another source to match (the common case, and cheap).
    const other = await this.#sql.query(OTHER_SOURCE, [tenantId, entityType, excludeConnectionId, excludeObject]);
    if (other.rows.length === 0) return [];
    const { rows } = await this.#sql.query<{ key: string; entity_id: string }>(FIND_BY_KEYS, [tenantId, entityType, [...keys], excludeConnectionId, excludeObject]);
    return rows.map((r) => ({ key: r.key, entityId: r.entity_id }));
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Entity[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#sql.query<EntityRow>(GET_MANY, [[...ids], tenantId]);
    return rows.map(toEntity);
  }

  applyBatch(batch: EntityWriteBatch): Promise<void> {
    return this.#sql.atomic((sql) => applyPgEntityBatch(sql, batch));
  }

  async get(tenantId: string, id: string): Promise<Entity | null> {
    const { rows } = await this.#sql.query<EntityRow>(GET, [id, tenantId]);
    return rows[0] ? toEntity(rows[0]) : null;
  }

  async list(tenantId: string, filter: EntityFilter = {}): Promise<Page<Entity>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [limit + 1, tenantId];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const where = ['e.tenant_id = $2'];
    if (filter.type !== undefined) where.push(`e.type = ${bind(filter.type)}`);
    if (filter.updatedSince !== undefined) where.push(`e.updated_at >= ${bind(filter.updatedSince)}`);
    if (filter.provider !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM entity_links l JOIN connections c ON c.id = l.connection_id WHERE l.entity_id = e.id AND c.provider = ${bind(filter.provider)})`);
    }
    if (filter.includeDeleted !== true) where.push('e.deleted_at IS NULL');
    if (after) where.push(`(e.created_at, e.id) > (${bind(after[0])}, ${bind(after[1])})`);
    const { rows } = await this.#sql.query<EntityRow>(`SELECT ${E_COLUMNS} FROM entities e WHERE ${where.join(' AND ')} ORDER BY e.created_at, e.id LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.created_at, row.id], toEntity);
  }

  async linksOf(tenantId: string, entityId: string): Promise<EntityLink[]> {
    const { rows } = await this.#sql.query<LinkRow>(LINKS_OF, [entityId, tenantId]);
    return rows.map(toLink);
  }

  async relationshipsOf(tenantId: string, entityId: string): Promise<{ outgoing: Relationship[]; incoming: Relationship[] }> {
    const outgoing = await this.#sql.query<RelationshipRow>(OUTGOING, [entityId, tenantId]);
    const incoming = await this.#sql.query<RelationshipRow>(INCOMING, [entityId, tenantId]);
    return { outgoing: outgoing.rows.map(toRelationship), incoming: incoming.rows.map(toRelationship) };
  }

  async changes(tenantId: string, sinceSeq: number, limit: number, entityId?: string): Promise<EntityChange[]> {
    const max = Math.max(1, Math.min(1000, Math.floor(limit)));
    const { rows } = await this.#sql.query<ChangeRow>(
      entityId === undefined ? CHANGES : ENTITY_CHANGES,
      entityId === undefined ? [tenantId, sinceSeq, max] : [tenantId, sinceSeq, max, entityId],
    );
    return rows.map(toChange);
  }

  async listReviews(tenantId: string, status?: string): Promise<DedupReview[]> {
    const sql = `SELECT id, tenant_id, status, payload, resolution, created_at, resolved_at FROM dedup_reviews
      WHERE tenant_id = $1${status === undefined ? '' : ' AND status = $2'} ORDER BY created_at, id`;
    const { rows } = await this.#sql.query<ReviewRow>(sql, status === undefined ? [tenantId] : [tenantId, status]);
    return rows.map(toReview);
  }
}
