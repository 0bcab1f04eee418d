import type { RunRecordError, StoredError, SyncResult, SyncRun } from '../../../domain/sync-run.ts';
import type { Page, PageRequest, RunFinish, RunProgress, SyncRunDetail, SyncRunRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import {
  runFromRow,
  staleRun,
  toRecordError,
  toResult,
  type RecordErrorRow as SharedRecordErrorRow,
  type ResultRow as SharedResultRow,
  type RunRow as SharedRunRow,
} from '../../rows/run-rows.ts';

type RunRow = SharedRunRow<PgColumnTypes> & PgRow;
type ResultRow = SharedResultRow & PgRow;
type RecordErrorRow = SharedRecordErrorRow & PgRow;
const toRun = runFromRow(PG_COLUMNS);

const COLUMNS = `id, tenant_id, integration_id, type, status, started_at, finished_at, records_so_far, pages, total_estimate, error,
  checkpoint, expires_at, records_created, records_updated, records_unchanged, records_deleted, records_failed, full_resync`;
// Insert unless present, then read back: one statement whichever way it went.
const ENSURE = `WITH inserted AS (
    INSERT INTO sync_runs (id, tenant_id, integration_id, type, status, started_at, finished_at, records_so_far, pages,
      total_estimate, error, checkpoint, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}
  )
  SELECT ${COLUMNS} FROM inserted
  UNION ALL SELECT ${COLUMNS} FROM sync_runs WHERE id = $1 AND tenant_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`;
const GET = `SELECT ${COLUMNS} FROM sync_runs WHERE id = $1 AND tenant_id = $2`;
// The write guard (SyncRunRepository): never after the run finished, never under a lower fence ($f).
const guard = (f: string): string => `finished_at IS NULL AND (${f}::bigint IS NULL OR fence <= ${f}::bigint)`;
const SET_STATUS = `UPDATE sync_runs SET status = $1, error = $2, fence = COALESCE($5::bigint, fence) WHERE id = $3 AND tenant_id = $4 AND ${guard('$5')}`;
const PROGRESS = `UPDATE sync_runs SET records_so_far = $3, pages = $4, total_estimate = $5, checkpoint = $6, records_created = $7,
  records_updated = $8, records_unchanged = $9, records_deleted = $10, records_failed = $11, full_resync = $12, fence = COALESCE($13::bigint, fence)
  WHERE id = $1 AND tenant_id = $2 AND ${guard('$13')}`;
const FINISH = `UPDATE sync_runs SET status = $1, finished_at = $2, error = $3, expires_at = $4, fence = COALESCE($7::bigint, fence)
  WHERE id = $5 AND tenant_id = $6 AND ${guard('$7')}`;
// One statement for the whole batch: the rows arrive as one JSON array.
const ADD_ERRORS = `INSERT INTO run_record_errors (run_id, tenant_id, external_id, field, reason, at, expires_at)
  SELECT e.run_id, e.tenant_id, e.external_id, e.field, e.reason, e.at, e.expires_at
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (run_id text, tenant_id text, external_id text, field text, reason text, at text, expires_at text)) WITH ORDINALITY AS e(run_id, tenant_id, external_id, field, reason, at, expires_at, n)
  ORDER BY e.n`;
const LIST_ERRORS = 'SELECT run_id, tenant_id, external_id, field, reason, at FROM run_record_errors WHERE run_id = $1 AND tenant_id = $2 ORDER BY id LIMIT $3';
const RESULT_COLUMNS = `id, integration_id, tenant_id, run_id, status, records_processed, records_created, records_updated, records_failed,
  conflicts_detected, conflicts_resolved, duration_ms, executed_at, ttl_seconds, expires_at`;
const INSERT_RESULT = `INSERT INTO sync_results (${RESULT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
const RESULT_BY_RUN = `SELECT ${RESULT_COLUMNS} FROM sync_results WHERE run_id = $1 AND tenant_id = $2 ORDER BY executed_at DESC LIMIT 1`;

const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : toJson(value));

/** Sync runs, record errors and sync results in PostgreSQL. */
export class PgSyncRunRepository implements SyncRunRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async ensure(run: SyncRun): Promise<SyncRunDetail> {
    const { rows } = await this.#sql.query<RunRow>(ENSURE, [
      run.id, run.tenantId, run.integrationId, run.type, run.status, run.startedAt, run.finishedAt, run.recordsSoFar, run.pages,
      run.totalEstimate, jsonOrNull(run.error), jsonOrNull(run.checkpoint), run.expiresAt,
    ]);
    // A run inserted concurrently by another process after this statement's snapshot: read it again.
    const row = rows[0] ?? (await this.#sql.query<RunRow>(GET, [run.id, run.tenantId])).rows[0];
    if (!row) throw new Error(`run ${run.id} vanished`);
    return toRun(row);
  }

  async get(tenantId: string, id: string): Promise<SyncRunDetail | null> {
    const { rows } = await this.#sql.query<RunRow>(GET, [id, tenantId]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async listByIntegration(tenantId: string, integrationId: string, page?: PageRequest): Promise<Page<SyncRunDetail>> {
    const { limit, after } = resolvePage(page);
    const where = after ? ' AND (started_at, id) < ($4, $5)' : '';
    const { rows } = await this.#sql.query<RunRow>(
      `SELECT ${COLUMNS} FROM sync_runs WHERE tenant_id = $1 AND integration_id = $2${where} ORDER BY started_at DESC, id DESC LIMIT $3`,
      [tenantId, integrationId, limit + 1, ...(after ?? [])],
    );
    return toPage(rows, limit, (row) => [row.started_at, row.id], toRun);
  }

  async setStatus(tenantId: string, id: string, status: string, error: StoredError | null, fence?: number): Promise<boolean> {
    const { rowCount } = await this.#sql.query(SET_STATUS, [status, jsonOrNull(error), id, tenantId, fence ?? null]);
    return rowCount > 0;
  }

  async progress(tenantId: string, id: string, p: RunProgress): Promise<void> {
    const { rowCount } = await this.#sql.query(PROGRESS, [
      id, tenantId, p.recordsSoFar, p.pages, p.totalEstimate, jsonOrNull(p.checkpoint), p.counts.created, p.counts.updated,
      p.counts.unchanged, p.counts.deleted, p.counts.failed, p.fullResync, p.fence ?? null,
    ]);
    if (rowCount === 0) throw staleRun(id);
  }

  async finish(tenantId: string, id: string, f: RunFinish): Promise<boolean> {
    const { rowCount } = await this.#sql.query(FINISH, [f.status, f.finishedAt, jsonOrNull(f.error), f.expiresAt, id, tenantId, f.fence ?? null]);
    return rowCount > 0;
  }

  async addRecordErrors(errors: readonly (RunRecordError & { expiresAt: string | null })[]): Promise<void> {
    if (errors.length === 0) return;
    const rows = errors.map((e) => ({
      run_id: e.runId, tenant_id: e.tenantId, external_id: e.externalId, field: e.field, reason: e.reason, at: e.at, expires_at: e.expiresAt,
    }));
    await this.#sql.query(ADD_ERRORS, [toJson(rows)]);
  }

  async listRecordErrors(tenantId: string, runId: string, limit: number): Promise<RunRecordError[]> {
    const { rows } = await this.#sql.query<RecordErrorRow>(
      LIST_ERRORS,
      [runId, tenantId, limit],
    );
    return rows.map(toRecordError);
  }

  async insertResult(r: SyncResult): Promise<void> {
    await this.#sql.query(INSERT_RESULT, [
      r.id, r.integrationId, r.tenantId, r.runId, r.status, r.recordsProcessed, r.recordsCreated, r.recordsUpdated, r.recordsFailed,
      r.conflictsDetected, r.conflictsResolved, r.durationMs, r.executedAt, r.ttlSeconds, r.expiresAt,
    ]);
  }

  async getResultByRun(tenantId: string, runId: string): Promise<SyncResult | null> {
    const { rows } = await this.#sql.query<ResultRow>(RESULT_BY_RUN, [runId, tenantId]);
    return rows[0] ? toResult(rows[0]) : null;
  }
}
