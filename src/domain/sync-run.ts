import type { SyncTrigger } from './integration.ts';

/**
 * Sync history: the data model of the `sync_runs`, `sync_results` (reference
 * `sync-results`) and `run_record_errors` containers. Times are ISO-8601 UTC strings.
 */

/** A run's error, as stored: a catalog code and a safe message. */
export interface StoredError {
  readonly code: string;
  readonly message: string;
}

/** One execution of an integration, updated live while it runs. */
export interface SyncRun {
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId: string;
  readonly type: SyncTrigger;
  /** `running`, `succeeded`, `partial`, `failed` or `cancelled`. */
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly recordsSoFar: number;
  readonly pages: number;
  readonly totalEstimate: number | null;
  readonly error: StoredError | null;
  /** Where a resumed run continues (provider cursor, page token). */
  readonly checkpoint: unknown;
  /** Set when the run finishes, per retention; null keeps it. */
  readonly expiresAt: string | null;
}

export const SYNC_RESULT_STATUSES = ['success', 'failed', 'partial'] as const;
export type SyncResultStatus = (typeof SYNC_RESULT_STATUSES)[number];

/** Reference `sync-results`: the summary of a finished run, deleted after `ttlSeconds`. */
export interface SyncResult {
  readonly id: string;
  readonly integrationId: string;
  readonly tenantId: string;
  readonly runId: string | null;
  readonly status: SyncResultStatus;
  readonly recordsProcessed: number;
  readonly recordsCreated: number;
  readonly recordsUpdated: number;
  readonly recordsFailed: number;
  readonly conflictsDetected: number;
  readonly conflictsResolved: number;
  readonly durationMs: number;
  readonly executedAt: string;
  readonly ttlSeconds: number;
  /** `executedAt + ttlSeconds`. */
  readonly expiresAt: string;
}

/** One record of a run that could not be synced, and why. */
export interface RunRecordError {
  readonly runId: string;
  readonly tenantId: string;
  readonly externalId: string | null;
  readonly field: string | null;
  readonly reason: string;
  readonly at: string;
}
