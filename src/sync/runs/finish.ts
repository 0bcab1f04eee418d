/**
 * Ending a run: the run row's final status and TTL, and its sync result (the reference's
 * `sync-results`: processed, created, updated, failed, conflicts detected and resolved,
 * duration) with its own TTL. Conflicts are counted from the rows the run's pages
 * recorded (committed with the pages, so a resumed run counts each once).
 */
import { randomUUID } from 'node:crypto';
import type { StoredError } from '../../domain/sync-run.ts';
import type { RunConflictCounts, RunCounts, Store } from '../../ports/store.ts';

export interface RunRetention {
  /** How long a sync result is kept. Default 30 days. */
  readonly resultTtlSeconds: number;
  /** How long a finished run and its record errors are kept. Default 30 days. */
  readonly runRetentionMs: number;
}

export interface FinishRun {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly runId: string;
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly error: StoredError | null;
  readonly counts: RunCounts;
  readonly records: number;
  readonly startedMs: number;
  readonly finishedMs: number;
  readonly retention: RunRetention;
  /** The writer's fencing token (its per-integration lease's); see SyncRunRepository. */
  readonly fence?: number;
}

/**
 * Finishes the run and writes its result in one transaction; returns the run's conflict
 * counts, or null when the run was already finished or taken over by a newer lease holder
 * (nothing written: a stale worker neither regresses the run nor adds a second result).
 */
export async function finishRun(store: Store, f: FinishRun): Promise<RunConflictCounts | null> {
  const executedAt = new Date(f.finishedMs).toISOString();
  return store.transaction(async (tx) => {
    const conflicts = await tx.conflicts.countForRun(f.tenantId, f.runId, new Date(f.startedMs).toISOString());
    const expiresAt = new Date(f.finishedMs + f.retention.runRetentionMs).toISOString();
    if (!(await tx.runs.finish(f.tenantId, f.runId, { status: f.status, finishedAt: executedAt, error: f.error, expiresAt, fence: f.fence }))) return null;
    await tx.runs.insertResult({
      id: `res_${randomUUID().replaceAll('-', '')}`,
      integrationId: f.integrationId,
      tenantId: f.tenantId,
      runId: f.runId,
      status: f.status === 'succeeded' ? 'success' : f.status,
      recordsProcessed: f.records,
      recordsCreated: f.counts.created,
      recordsUpdated: f.counts.updated,
      recordsFailed: f.counts.failed,
      conflictsDetected: conflicts.detected,
      conflictsResolved: conflicts.resolved,
      durationMs: Math.max(0, f.finishedMs - f.startedMs),
      executedAt,
      ttlSeconds: f.retention.resultTtlSeconds,
      expiresAt: new Date(f.finishedMs + f.retention.resultTtlSeconds * 1000).toISOString(),
    });
    return conflicts;
  });
}
