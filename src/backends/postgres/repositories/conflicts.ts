import type { ConflictReview } from '../../../domain/review.ts';
import type { ConflictFilter, ConflictRepository, Page, RunConflictCounts } from '../../../ports/store.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { CONFLICT_COLUMNS, conflictFromRow, countRunConflicts, type ConflictRow as SharedConflictRow } from '../../rows/conflict-rows.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';

type ConflictRow = SharedConflictRow<PgColumnTypes> & PgRow;
const toConflict = conflictFromRow(PG_COLUMNS);

const SQL = {
  // One statement for the whole batch: the rows arrive as one JSON array.
  insertMany: `INSERT INTO conflicts (${CONFLICT_COLUMNS})
    SELECT r.id, r.tenant_id, r.entity_id, r.integration_id, r.status, r.payload, r.resolution, r.created_at, r.resolved_at
    FROM jsonb_to_recordset($1::jsonb) AS r(id text, tenant_id text, entity_id text, integration_id text, status text,
      payload jsonb, resolution jsonb, created_at text, resolved_at text)`,
  get: `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE id = $1 AND tenant_id = $2`,
  openForEntities: `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE entity_id = ANY($1::text[]) AND tenant_id = $2 AND status = 'open' ORDER BY created_at, id`,
  replaceOpen: `UPDATE conflicts SET payload = $1::jsonb WHERE id = $2 AND tenant_id = $3 AND status = 'open'`,
  close: `UPDATE conflicts SET status = $3, resolution = $4::jsonb, resolved_at = $5
    WHERE id = $1 AND tenant_id = $2 AND status = 'open' RETURNING ${CONFLICT_COLUMNS}`,
  forRun: `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE tenant_id = $1 AND status IN ('open', 'resolved', 'dismissed')
    AND created_at >= $2 AND payload->>'runId' = $3`,
} as const;

/** The conflict review queue in PostgreSQL (`conflicts`, migration 001). */
export class PgConflictRepository implements ConflictRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insertMany(conflicts: readonly ConflictReview[]): Promise<void> {
    if (conflicts.length === 0) return;
    const rows = conflicts.map((c) => ({
      id: c.id, tenant_id: c.tenantId, entity_id: c.entityId, integration_id: c.integrationId, status: c.status, payload: c.payload,
      resolution: c.resolution, created_at: c.createdAt, resolved_at: c.resolvedAt,
    }));
    await this.#sql.query(SQL.insertMany, [toJson(rows)]);
  }

  async get(tenantId: string, id: string): Promise<ConflictReview | null> {
    const { rows } = await this.#sql.query<ConflictRow>(SQL.get, [id, tenantId]);
    return rows[0] ? toConflict(rows[0]) : null;
  }

  async list(tenantId: string, filter: ConflictFilter = {}): Promise<Page<ConflictReview>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    const add = (clause: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (filter.status !== undefined) add((n) => `status = $${n}`, filter.status);
    if (filter.integrationId !== undefined) add((n) => `integration_id = $${n}`, filter.integrationId);
    if (filter.entityId !== undefined) add((n) => `entity_id = $${n}`, filter.entityId);
    if (after !== null) {
      params.push(after[0], after[1]);
      where.push(`(created_at, id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const sql = `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $${params.length}`;
    const { rows } = await this.#sql.query<ConflictRow>(sql, params);
    return toPage(rows, limit, (r) => [r.created_at, r.id], toConflict);
  }

  async openForEntities(tenantId: string, entityIds: readonly string[]): Promise<ConflictReview[]> {
    if (entityIds.length === 0) return [];
    const { rows } = await this.#sql.query<ConflictRow>(SQL.openForEntities, [[...entityIds], tenantId]);
    return rows.map(toConflict);
  }

  async replaceOpen(tenantId: string, id: string, payload: Record<string, unknown>): Promise<boolean> {
    const { rowCount } = await this.#sql.query(SQL.replaceOpen, [toJson(payload), id, tenantId]);
    return rowCount > 0;
  }

  async close(tenantId: string, id: string, close: { status: 'resolved' | 'dismissed'; resolution: Record<string, unknown>; resolvedAt: string }): Promise<ConflictReview | null> {
    const { rows } = await this.#sql.query<ConflictRow>(SQL.close, [id, tenantId, close.status, toJson(close.resolution), close.resolvedAt]);
    return rows[0] ? toConflict(rows[0]) : null;
  }

  async countForRun(tenantId: string, runId: string, since: string): Promise<RunConflictCounts> {
    const { rows } = await this.#sql.query<ConflictRow>(SQL.forRun, [tenantId, since, runId]);
    return countRunConflicts(rows.map(toConflict));
  }
}
