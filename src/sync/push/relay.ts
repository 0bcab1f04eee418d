/**
 * The outbox relay: committed outbox rows -> `sync-outbound` jobs. A row is written in
 * the transaction of the change it announces; the relay hands it to the queue afterwards
 * (the queue is another port: nothing may await it inside a store transaction).
 *
 * Idempotent: the job's idempotency key is the row's id, a row already processed is a
 * no-op for the handler, and `markRelayed` only runs after the enqueue is durable, so a
 * crash in between enqueues the row again, harmlessly. Writers call `relayRows` right
 * after their commit (no polling delay); the outbound worker's loop calls `relayPending`
 * to pick up anything a crash left behind and every row written by pulls.
 */
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { OutboxRow, Store } from '../../ports/store.ts';
import { pushJobKey, type PushJobPayload } from './job.ts';

export interface RelayDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly clock: Clock;
}

/** Enqueues these rows and marks them relayed; returns how many were enqueued. */
export async function relayRows(deps: RelayDeps, rows: readonly Pick<OutboxRow, 'id' | 'tenantId' | 'entityId'>[]): Promise<number> {
  if (rows.length === 0) return 0;
  await deps.queue.enqueueMany<PushJobPayload>(
    'sync-outbound',
    rows.map((row) => ({
      payload: { tenantId: row.tenantId, outboxId: row.id, entityId: row.entityId },
      options: { idempotencyKey: pushJobKey(row.id), correlationId: row.id },
    })),
  );
  await deps.store.outbox.markRelayed(rows.map((row) => row.id), new Date(deps.clock.now()).toISOString());
  return rows.length;
}

/** One pass over unrelayed rows (every tenant), at most `limit`; returns how many were enqueued. */
export async function relayPending(deps: RelayDeps, limit = 500): Promise<number> {
  return relayRows(deps, await deps.store.outbox.listUnrelayed(limit));
}
