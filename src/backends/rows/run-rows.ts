import { TributaryError } from '../../domain/errors.ts';
import type { RunRecordError, StoredError, SyncResult, SyncResultStatus } from '../../domain/sync-run.ts';
import type { SyncTrigger } from '../../domain/integration.ts';
import type { SyncRunDetail } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `sync_runs`, `run_record_errors` and `sync_results` and their mapping to domain
 * records, shared by the SQLite and PostgreSQL sync run repositories.
 */
export interface RunRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  integration_id: string;
  type: SyncTrigger;
  status: string;
  started_at: string;
  finished_at: string | null;
  records_so_far: number;
  pages: number;
  total_estimate: number | null;
  error: C['json'] | null;
  checkpoint: C['json'] | null;
  expires_at: string | null;
  records_created: number;
  records_updated: number;
  records_unchanged: number;
  records_deleted: number;
  records_failed: number;
  full_resync: C['bool'];
}

/** The run mapper for a backend's column decoders. */
export function runFromRow<C extends ColumnTypes>(columns: ColumnDecoders<C>): (row: RunRow<C>) => SyncRunDetail {
  return (row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    integrationId: row.integration_id,
    type: row.type,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    recordsSoFar: row.records_so_far,
    pages: row.pages,
    totalEstimate: row.total_estimate,
    error: row.error === null ? null : columns.json<StoredError>(row.error),
    checkpoint: row.checkpoint === null ? null : columns.json<unknown>(row.checkpoint),
    expiresAt: row.expires_at,
    counts: {
      created: row.records_created,
      updated: row.records_updated,
      unchanged: row.records_unchanged,
      deleted: row.records_deleted,
      failed: row.records_failed,
    },
    fullResync: columns.bool(row.full_resync),
  });
}

export interface RecordErrorRow {
  run_id: string;
  tenant_id: string;
  external_id: string | null;
  field: string | null;
  reason: string;
  at: string;
}

export function toRecordError(r: RecordErrorRow): RunRecordError {
  return { runId: r.run_id, tenantId: r.tenant_id, externalId: r.external_id, field: r.field, reason: r.reason, at: r.at };
}

export interface ResultRow {
  id: string;
  integration_id: string;
  tenant_id: string;
  run_id: string | null;
  status: SyncResultStatus;
  records_processed: number;
  records_created: number;
  records_updated: number;
  records_failed: number;
  conflicts_detected: number;
  conflicts_resolved: number;
  duration_ms: number;
  executed_at: string;
  ttl_seconds: number;
  expires_at: string;
}

export function toResult(r: ResultRow): SyncResult {
  return {
    id: r.id,
    integrationId: r.integration_id,
    tenantId: r.tenant_id,
    runId: r.run_id,
    status: r.status,
    recordsProcessed: r.records_processed,
    recordsCreated: r.records_created,
    recordsUpdated: r.records_updated,
    recordsFailed: r.records_failed,
    conflictsDetected: r.conflicts_detected,
    conflictsResolved: r.conflicts_resolved,
    durationMs: r.duration_ms,
    executedAt: r.executed_at,
    ttlSeconds: r.ttl_seconds,
    expiresAt: r.expires_at,
  };
}

/** A run write refused by the write guard (SyncRunRepository): the run finished, or a newer lease holder wrote it. */
export function staleRun(id: string): TributaryError {
  return new TributaryError('LOCK_NOT_HELD', `Run ${id} was finished or taken over by another worker`);
}
