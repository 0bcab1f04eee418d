import type { ConflictReview } from '../../../domain/review.ts';
import type { ConflictFilter, ConflictRepository, Page, RunConflictCounts } from '../../../ports/store.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { CONFLICT_COLUMNS, conflictFromRow, countRunConflicts, type ConflictRow as SharedConflictRow } from '../../rows/conflict-rows.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';

type ConflictRow = SharedConflictRow<SqliteColumnTypes>;
const toConflict = conflictFromRow(SQLITE_COLUMNS);

const SQL = {
  insert: `INSERT INTO conflicts (${CONFLICT_COLUMNS}) VALUES (@id, @tenantId, @entityId, @integrationId, @status, @payload, @resolution, @createdAt, @resolvedAt)`,
  get: `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE id = ? AND tenant_id = ?`,
  // The entity index drives the lookup: one probe per entity id.
  openForEntities: `SELECT ${CONFLICT_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')} FROM json_each(?) AS k
    CROSS JOIN conflicts c ON c.entity_id = k.value WHERE c.tenant_id = ? AND c.status = 'open' ORDER BY c.created_at, c.id`,
  replaceOpen: `UPDATE conflicts SET payload = ? WHERE id = ? AND tenant_id = ? AND status = 'open'`,
  close: `UPDATE conflicts SET status = @status, resolution = @resolution, resolved_at = @resolvedAt
    WHERE id = @id AND tenant_id = @tenantId AND status = 'open' RETURNING ${CONFLICT_COLUMNS}`,
  // (tenant, status, created_at) index: three short range scans from the run's start.
  forRun: `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE tenant_id = ? AND status IN ('open', 'resolved', 'dismissed')
    AND created_at >= ? AND json_extract(payload, '$.runId') = ?`,
} as const;

/** The conflict review queue in SQLite (`conflicts`, migration 001). */
export class SqliteConflictRepository implements ConflictRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insertMany(conflicts: readonly ConflictReview[]): Promise<void> {
    if (conflicts.length === 0) return Promise.resolve();
    return this.#sql.run(() => {
      const insert = this.#sql.statements.get(SQL.insert);
      for (const c of conflicts) {
        insert.run({
          id: c.id, tenantId: c.tenantId, entityId: c.entityId, integrationId: c.integrationId, status: c.status, payload: toJson(c.payload),
          resolution: c.resolution === null ? null : toJson(c.resolution), createdAt: c.createdAt, resolvedAt: c.resolvedAt,
        });
      }
    });
  }

  get(tenantId: string, id: string): Promise<ConflictReview | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ConflictRow>(SQL.get).get(id, tenantId);
      return row ? toConflict(row) : null;
    });
  }

  list(tenantId: string, filter: ConflictFilter = {}): Promise<Page<ConflictReview>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const where = ['tenant_id = @tenantId'];
      const params: Record<string, unknown> = { tenantId, limit: limit + 1 };
      if (filter.status !== undefined) {
        where.push('status = @status');
        params.status = filter.status;
      }
      if (filter.integrationId !== undefined) {
        where.push('integration_id = @integrationId');
        params.integrationId = filter.integrationId;
      }
      if (filter.entityId !== undefined) {
        where.push('entity_id = @entityId');
        params.entityId = filter.entityId;
      }
      if (after !== null) {
        where.push('(created_at, id) > (@afterAt, @afterId)');
        params.afterAt = after[0];
        params.afterId = after[1];
      }
      const sql = `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT @limit`;
      const rows = this.#sql.statements.get<ConflictRow>(sql).all(params);
      return toPage(rows, limit, (r) => [r.created_at, r.id], toConflict);
    });
  }

  openForEntities(tenantId: string, entityIds: readonly string[]): Promise<ConflictReview[]> {
    if (entityIds.length === 0) return Promise.resolve([]);
    return this.#sql.run(() => this.#sql.statements.get<ConflictRow>(SQL.openForEntities).all(toJson(entityIds), tenantId).map(toConflict));
  }

  replaceOpen(tenantId: string, id: string, payload: Record<string, unknown>): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(SQL.replaceOpen).run(toJson(payload), id, tenantId).changes > 0);
  }

  close(tenantId: string, id: string, close: { status: 'resolved' | 'dismissed'; resolution: Record<string, unknown>; resolvedAt: string }): Promise<ConflictReview | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ConflictRow>(SQL.close).get({ id, tenantId, status: close.status, resolution: toJson(close.resolution), resolvedAt: close.resolvedAt });
      return row ? toConflict(row) : null;
    });
  }

  countForRun(tenantId: string, runId: string, since: string): Promise<RunConflictCounts> {
    return this.#sql.run(() => countRunConflicts(this.#sql.statements.get<ConflictRow>(SQL.forRun).all(tenantId, since, runId).map(toConflict)));
  }
}
