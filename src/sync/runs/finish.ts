/**
 * Ending a run: the run row's final status and TTL, and its sync result (the reference's
 * `sync-results`: processed, created, updated, failed, conflicts detected and resolved,
 * duration) with its own TTL. Conflicts are 0 until the bidirectional engine lands.
 */
import { randomUUID } from 'node:crypto';
import type { StoredError } from '../../domain/sync-run.ts';
import type { RunCounts, Store } from '../../ports/store.ts';

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
}

/** Finishes the run and writes its result in one transaction. */
export async function finishRun(store: Store, f: FinishRun): Promise<void> {
  const executedAt = new Date(f.finishedMs).toISOString();
  await store.transaction(async (tx) => {
    await tx.runs.finish(f.tenantId, f.runId, { status: f.status, finishedAt: executedAt, error: f.error, expiresAt: new Date(f.finishedMs + f.retention.runRetentionMs).toISOString() });
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
      conflictsDetected: 0,
      conflictsResolved: 0,
      durationMs: Math.max(0, f.finishedMs - f.startedMs),
      executedAt,
      ttlSeconds: f.retention.resultTtlSeconds,
      expiresAt: new Date(f.finishedMs + f.retention.resultTtlSeconds * 1000).toISOString(),
    });
  });
}
