import type { MergeLineage } from '../../../domain/entity.ts';
import type { EntityStatePatch, MergeRepository, Page, PageRequest } from '../../../ports/store.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { MERGE_COLUMNS, mergeRowMapper, type MergeRow } from '../../rows/dedup-rows.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';

type Row = MergeRow<PgColumnTypes> & PgRow;
const toLineage = mergeRowMapper(PG_COLUMNS);

const INSERT = `INSERT INTO merge_lineage (${MERGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`;
const GET = `SELECT ${MERGE_COLUMNS} FROM merge_lineage WHERE id = $1 AND tenant_id = $2`;
const UNDO = 'UPDATE merge_lineage SET undone_at = $1 WHERE id = $2 AND tenant_id = $3 AND undone_at IS NULL';
const SET_STATE = 'UPDATE entities SET fields = $1::jsonb, version = $2, deleted_at = $3, merged_into = $4, updated_at = $5 WHERE id = $6 AND tenant_id = $7';
const MOVE_LINKS = `UPDATE entity_links SET entity_id = $1 WHERE tenant_id = $2 AND id = ANY($3::text[])
  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = $1 AND e.tenant_id = $2)`;
const INSERT_RELATIONSHIPS = `INSERT INTO relationships (tenant_id, from_entity_id, kind, to_entity_id, created_at)
  SELECT $1, x.from_id, x.kind, x.to_id, x.created_at FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(from_id, kind, to_id, created_at)
  WHERE EXISTS (SELECT 1 FROM entities e WHERE e.id = x.from_id AND e.tenant_id = $1) AND EXISTS (SELECT 1 FROM entities e WHERE e.id = x.to_id AND e.tenant_id = $1)
  ON CONFLICT (from_entity_id, kind, to_entity_id) DO NOTHING`;
const DELETE_RELATIONSHIPS = `DELETE FROM relationships r USING unnest($2::text[], $3::text[], $4::text[]) AS x(from_id, kind, to_id)
  WHERE r.tenant_id = $1 AND r.from_entity_id = x.from_id AND r.kind = x.kind AND r.to_entity_id = x.to_id`;
const DELETE_KEYS = `DELETE FROM entity_match_keys m USING unnest($3::text[], $4::text[]) AS x(entity_type, key)
  WHERE m.tenant_id = $1 AND m.entity_id = $2 AND m.entity_type = x.entity_type AND m.key = x.key`;

/** Merge lineage and the writes of a merge or its undo, in PostgreSQL (one statement per call). */
export class PgMergeRepository implements MergeRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(l: MergeLineage): Promise<void> {
    await this.#sql.query(INSERT, [l.id, l.tenantId, l.survivorId, l.mergedId, toJson(l.snapshot), toJson(l.reason), l.mergedAt, l.undoneAt]);
  }

  async get(tenantId: string, id: string): Promise<MergeLineage | null> {
    const { rows } = await this.#sql.query<Row>(GET, [id, tenantId]);
    return rows[0] ? toLineage(rows[0]) : null;
  }

  async listByEntity(tenantId: string, entityId: string, page: PageRequest = {}): Promise<Page<MergeLineage>> {
    const { limit, after } = resolvePage(page);
    const params: unknown[] = [limit + 1, tenantId, entityId];
    let where = 'tenant_id = $2 AND (survivor_id = $3 OR merged_id = $3)';
    if (after) where += ` AND (merged_at, id) < ($${params.push(after[0])}, $${params.push(after[1])})`;
    const { rows } = await this.#sql.query<Row>(`SELECT ${MERGE_COLUMNS} FROM merge_lineage WHERE ${where} ORDER BY merged_at DESC, id DESC LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.merged_at, row.id], toLineage);
  }

  async markUndone(tenantId: string, id: string, at: string): Promise<boolean> {
    return (await this.#sql.query(UNDO, [at, id, tenantId])).rowCount === 1;
  }

  async setEntityState(tenantId: string, id: string, state: EntityStatePatch, at: string): Promise<boolean> {
    const result = await this.#sql.query(SET_STATE, [toJson(state.fields), state.version, state.deletedAt, state.mergedInto, at, id, tenantId]);
    return result.rowCount === 1;
  }

  async moveLinks(tenantId: string, linkIds: readonly string[], entityId: string): Promise<number> {
    if (linkIds.length === 0) return 0;
    return (await this.#sql.query(MOVE_LINKS, [entityId, tenantId, [...linkIds]])).rowCount ?? 0;
  }

  async insertRelationships(tenantId: string, relationships: readonly { fromEntityId: string; kind: string; toEntityId: string; createdAt: string }[]): Promise<void> {
    if (relationships.length === 0) return;
    await this.#sql.query(INSERT_RELATIONSHIPS, [
      tenantId, relationships.map((r) => r.fromEntityId), relationships.map((r) => r.kind), relationships.map((r) => r.toEntityId), relationships.map((r) => r.createdAt),
    ]);
  }

  async deleteRelationships(tenantId: string, relationships: readonly { fromEntityId: string; kind: string; toEntityId: string }[]): Promise<void> {
    if (relationships.length === 0) return;
    await this.#sql.query(DELETE_RELATIONSHIPS, [tenantId, relationships.map((r) => r.fromEntityId), relationships.map((r) => r.kind), relationships.map((r) => r.toEntityId)]);
  }

  async deleteMatchKeys(tenantId: string, entityId: string, keys: readonly { entityType: string; key: string }[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#sql.query(DELETE_KEYS, [tenantId, entityId, keys.map((k) => k.entityType), keys.map((k) => k.key)]);
  }
}
