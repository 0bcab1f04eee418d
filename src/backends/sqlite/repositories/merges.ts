import type { MergeLineage } from '../../../domain/entity.ts';
import type { EntityStatePatch, MergeRepository, Page, PageRequest } from '../../../ports/store.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { MERGE_COLUMNS, mergeRowMapper, type MergeRow } from '../../rows/dedup-rows.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { entityHash, matchKeyHash } from '../match-key-hash.ts';
import { toJson, type SqlContext } from '../store-sql.ts';

const toLineage = mergeRowMapper(SQLITE_COLUMNS);

const INSERT = `INSERT INTO merge_lineage (${MERGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const GET = `SELECT ${MERGE_COLUMNS} FROM merge_lineage WHERE id = ? AND tenant_id = ?`;
const UNDO = 'UPDATE merge_lineage SET undone_at = ? WHERE id = ? AND tenant_id = ? AND undone_at IS NULL';
const SET_STATE = 'UPDATE entities SET fields = ?, version = ?, deleted_at = ?, merged_into = ?, updated_at = ? WHERE id = ? AND tenant_id = ?';
const MOVE_LINKS = `UPDATE entity_links SET entity_id = ? WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))
  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = ? AND e.tenant_id = ?)`;
const INSERT_RELATIONSHIP = `INSERT OR IGNORE INTO relationships (tenant_id, from_entity_id, kind, to_entity_id, created_at)
  SELECT @tenantId, @from, @kind, @to, @createdAt WHERE EXISTS (SELECT 1 FROM entities WHERE id = @from AND tenant_id = @tenantId)
    AND EXISTS (SELECT 1 FROM entities WHERE id = @to AND tenant_id = @tenantId)`;
const DELETE_RELATIONSHIP = 'DELETE FROM relationships WHERE tenant_id = ? AND from_entity_id = ? AND kind = ? AND to_entity_id = ?';
const DELETE_KEY = `DELETE FROM entity_match_keys WHERE key_hash = ? AND entity_hash = ? AND tenant_id = ? AND entity_type = ? AND key = ? AND entity_id = ?`;

/** Merge lineage and the writes of a merge or its undo, in SQLite. */
export class SqliteMergeRepository implements MergeRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(l: MergeLineage): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run(l.id, l.tenantId, l.survivorId, l.mergedId, toJson(l.snapshot), toJson(l.reason), l.mergedAt, l.undoneAt);
    });
  }

  get(tenantId: string, id: string): Promise<MergeLineage | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<MergeRow<SqliteColumnTypes>>(GET).get(id, tenantId);
      return row ? toLineage(row) : null;
    });
  }

  listByEntity(tenantId: string, entityId: string, page: PageRequest = {}): Promise<Page<MergeLineage>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const params: Record<string, unknown> = { tenantId, entityId, limit: limit + 1 };
      let where = 'tenant_id = @tenantId AND (survivor_id = @entityId OR merged_id = @entityId)';
      if (after) {
        where += ' AND (merged_at, id) < (@afterAt, @afterId)';
        [params.afterAt, params.afterId] = after;
      }
      const rows = this.#sql.statements
        .get<MergeRow<SqliteColumnTypes>>(`SELECT ${MERGE_COLUMNS} FROM merge_lineage WHERE ${where} ORDER BY merged_at DESC, id DESC LIMIT @limit`)
        .all(params);
      return toPage(rows, limit, (row) => [row.merged_at, row.id], toLineage);
    });
  }

  markUndone(tenantId: string, id: string, at: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(UNDO).run(at, id, tenantId).changes === 1);
  }

  setEntityState(tenantId: string, id: string, state: EntityStatePatch, at: string): Promise<boolean> {
    return this.#sql.run(
      () => this.#sql.statements.get(SET_STATE).run(toJson(state.fields), state.version, state.deletedAt, state.mergedInto, at, id, tenantId).changes === 1,
    );
  }

  moveLinks(tenantId: string, linkIds: readonly string[], entityId: string): Promise<number> {
    if (linkIds.length === 0) return Promise.resolve(0);
    return this.#sql.run(() => this.#sql.statements.get(MOVE_LINKS).run(entityId, tenantId, toJson(linkIds), entityId, tenantId).changes);
  }

  insertRelationships(tenantId: string, relationships: readonly { fromEntityId: string; kind: string; toEntityId: string; createdAt: string }[]): Promise<void> {
    if (relationships.length === 0) return Promise.resolve();
    return this.#sql.run(() => {
      const statement = this.#sql.statements.get(INSERT_RELATIONSHIP);
      for (const r of relationships) statement.run({ tenantId, from: r.fromEntityId, kind: r.kind, to: r.toEntityId, createdAt: r.createdAt });
    });
  }

  deleteRelationships(tenantId: string, relationships: readonly { fromEntityId: string; kind: string; toEntityId: string }[]): Promise<void> {
    if (relationships.length === 0) return Promise.resolve();
    return this.#sql.run(() => {
      const statement = this.#sql.statements.get(DELETE_RELATIONSHIP);
      for (const r of relationships) statement.run(tenantId, r.fromEntityId, r.kind, r.toEntityId);
    });
  }

  deleteMatchKeys(tenantId: string, entityId: string, keys: readonly { entityType: string; key: string }[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.#sql.run(() => {
      const statement = this.#sql.statements.get(DELETE_KEY);
      for (const k of keys) statement.run(matchKeyHash(tenantId, k.entityType, k.key), entityHash(entityId), tenantId, k.entityType, k.key, entityId);
    });
  }
}
