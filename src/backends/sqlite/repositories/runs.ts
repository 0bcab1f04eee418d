import type { RunRecordError, StoredError, SyncResult, SyncRun } from '../../../domain/sync-run.ts';
import type { Page, PageRequest, RunFinish, RunProgress, SyncRunDetail, SyncRunRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { runFromRow, staleRun, toRecordError, toResult, type RecordErrorRow, type ResultRow, type RunRow as SharedRunRow } from '../../rows/run-rows.ts';

type RunRow = SharedRunRow<SqliteColumnTypes>;
const toRun = runFromRow(SQLITE_COLUMNS);

const COLUMNS = `id, tenant_id, integration_id, type, status, started_at, finished_at, records_so_far, pages, total_estimate, error,
  checkpoint, expires_at, records_created, records_updated, records_unchanged, records_deleted, records_failed, full_resync`;
const ENSURE = `INSERT INTO sync_runs (id, tenant_id, integration_id, type, status, started_at, finished_at, records_so_far, pages,
  total_estimate, error, checkpoint, expires_at) VALUES (@id, @tenantId, @integrationId, @type, @status, @startedAt, @finishedAt,
  @recordsSoFar, @pages, @totalEstimate, @error, @checkpoint, @expiresAt) ON CONFLICT (id) DO NOTHING`;
const GET = `SELECT ${COLUMNS} FROM sync_runs WHERE id = ? AND tenant_id = ?`;
// The write guard (SyncRunRepository): never after the run finished, never under a lower fence.
const GUARD = 'finished_at IS NULL AND (@fence IS NULL OR fence <= @fence)';
const SET_STATUS = `UPDATE sync_runs SET status = @status, error = @error, fence = COALESCE(@fence, fence)
  WHERE id = @id AND tenant_id = @tenantId AND ${GUARD}`;
const PROGRESS = `UPDATE sync_runs SET records_so_far = @recordsSoFar, pages = @pages, total_estimate = @totalEstimate,
  checkpoint = @checkpoint, records_created = @created, records_updated = @updated, records_unchanged = @unchanged,
  records_deleted = @deleted, records_failed = @failed, full_resync = @fullResync, fence = COALESCE(@fence, fence)
  WHERE id = @id AND tenant_id = @tenantId AND ${GUARD}`;
const FINISH = `UPDATE sync_runs SET status = @status, finished_at = @finishedAt, error = @error, expires_at = @expiresAt,
  fence = COALESCE(@fence, fence) WHERE id = @id AND tenant_id = @tenantId AND ${GUARD}`;
const ADD_ERROR = 'INSERT INTO run_record_errors (run_id, tenant_id, external_id, field, reason, at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
const LIST_ERRORS = 'SELECT run_id, tenant_id, external_id, field, reason, at FROM run_record_errors WHERE run_id = ? AND tenant_id = ? ORDER BY id LIMIT ?';
const RESULT_COLUMNS = `id, integration_id, tenant_id, run_id, status, records_processed, records_created, records_updated, records_failed,
  conflicts_detected, conflicts_resolved, duration_ms, executed_at, ttl_seconds, expires_at`;
const INSERT_RESULT = `INSERT INTO sync_results (${RESULT_COLUMNS}) VALUES (@id, @integrationId, @tenantId, @runId, @status, @recordsProcessed,
  @recordsCreated, @recordsUpdated, @recordsFailed, @conflictsDetected, @conflictsResolved, @durationMs, @executedAt, @ttlSeconds, @expiresAt)`;
const RESULT_BY_RUN = `SELECT ${RESULT_COLUMNS} FROM sync_results WHERE run_id = ? AND tenant_id = ? ORDER BY executed_at DESC LIMIT 1`;

/** Sync runs, record errors and sync results in SQLite. */
export class SqliteSyncRunRepository implements SyncRunRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  ensure(run: SyncRun): Promise<SyncRunDetail> {
    return this.#sql.run(() => {
      const s = this.#sql.statements;
      s.get(ENSURE).run({
        ...run,
        error: run.error === null ? null : toJson(run.error),
        checkpoint: run.checkpoint === null || run.checkpoint === undefined ? null : toJson(run.checkpoint),
      });
      const row = s.get<RunRow>(GET).get(run.id, run.tenantId);
      if (!row) throw new Error(`run ${run.id} vanished`);
      return toRun(row);
    });
  }

  get(tenantId: string, id: string): Promise<SyncRunDetail | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<RunRow>(GET).get(id, tenantId);
      return row ? toRun(row) : null;
    });
  }

  listByIntegration(tenantId: string, integrationId: string, page?: PageRequest): Promise<Page<SyncRunDetail>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const where = after ? ' AND (started_at, id) < (?, ?)' : '';
      const params: unknown[] = [tenantId, integrationId, ...(after ?? []), limit + 1];
      const rows = this.#sql.statements
        .get<RunRow>(`SELECT ${COLUMNS} FROM sync_runs WHERE tenant_id = ? AND integration_id = ?${where} ORDER BY started_at DESC, id DESC LIMIT ?`)
        .all(...params);
      return toPage(rows, limit, (row) => [row.started_at, row.id], toRun);
    });
  }

  setStatus(tenantId: string, id: string, status: string, error: StoredError | null, fence?: number): Promise<boolean> {
    return this.#sql.run(() =>
      this.#sql.statements.get(SET_STATUS).run({ status, error: error === null ? null : toJson(error), fence: fence ?? null, id, tenantId }).changes > 0,
    );
  }

  progress(tenantId: string, id: string, p: RunProgress): Promise<void> {
    return this.#sql.run(() => {
      const { changes } = this.#sql.statements.get(PROGRESS).run({
        id,
        tenantId,
        recordsSoFar: p.recordsSoFar,
        pages: p.pages,
        totalEstimate: p.totalEstimate,
        checkpoint: p.checkpoint === null || p.checkpoint === undefined ? null : toJson(p.checkpoint),
        ...p.counts,
        fullResync: p.fullResync ? 1 : 0,
        fence: p.fence ?? null,
      });
      if (changes === 0) throw staleRun(id);
    });
  }

  finish(tenantId: string, id: string, f: RunFinish): Promise<boolean> {
    return this.#sql.run(
      () =>
        this.#sql.statements.get(FINISH).run({
          status: f.status, finishedAt: f.finishedAt, error: f.error === null ? null : toJson(f.error), expiresAt: f.expiresAt, fence: f.fence ?? null, id, tenantId,
        }).changes > 0,
    );
  }

  addRecordErrors(errors: readonly (RunRecordError & { expiresAt: string | null })[]): Promise<void> {
    if (errors.length === 0) return Promise.resolve();
    return this.#sql.run(() => {
      const insert = this.#sql.statements.get(ADD_ERROR);
      for (const e of errors) insert.run(e.runId, e.tenantId, e.externalId, e.field, e.reason, e.at, e.expiresAt);
    });
  }

  listRecordErrors(tenantId: string, runId: string, limit: number): Promise<RunRecordError[]> {
    return this.#sql.run(() =>
      this.#sql.statements
        .get<RecordErrorRow>(LIST_ERRORS)
        .all(runId, tenantId, limit)
        .map(toRecordError),
    );
  }

  insertResult(result: SyncResult): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT_RESULT).run(result);
    });
  }

  getResultByRun(tenantId: string, runId: string): Promise<SyncResult | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ResultRow>(RESULT_BY_RUN).get(runId, tenantId);
      return row ? toResult(row) : null;
    });
  }
}
