import { performance } from 'node:perf_hooks';
import type { EnqueueResult, Job, QueueName } from '../../ports/job-queue.ts';
import { LEASE_EXPIRED_FAILURE, type ClassifiedFailure } from '../job-failure.ts';
import type { ClaimedRow, JobQueueSql } from './job-queue-sql.ts';

/**
 * The body of one group commit ("tick") of the SQLite queue, and the types the commit
 * loop and the consumers share. `writeTick` runs synchronously inside one IMMEDIATE
 * transaction: if any statement throws, nothing of the tick happened.
 */

/** One claimed job in a consumer's hands, from claim until its outcome is committed. */
export interface Delivery {
  readonly job: Job<unknown>;
  readonly seq: number;
  readonly claims: number;
  readonly controller: AbortController;
  readonly owner: LoopConsumer;
  /**
   * running: the handler runs; settled: it finished and `outcome` waits for a commit;
   * lost: the lease was lost (handler aborted, result ignored); released: given back
   * on stop.
   */
  state: 'running' | 'settled' | 'lost' | 'released';
  outcome: Outcome | null;
  commitFailures: number;
}

export type Outcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly failure: ClassifiedFailure }
  | { readonly kind: 'dead-letter'; readonly failure: ClassifiedFailure };

/** What the commit loop needs of a consumer (implemented by SqliteConsumer). */
export interface LoopConsumer {
  readonly queue: QueueName;
  readonly leaseMs: number;
  /** Performance-clock time before which an idle consumer does not poll again. */
  nextPollAt: number;
  idleMs: number;
  /** Jobs it would take now, counting `freed` slots whose outcomes are in this commit. */
  freeSlots(freed: number): number;
  hasRunning(): boolean;
  runningDeliveries(): Iterable<Delivery>;
  /** After the commit that claimed them. */
  deliver(rows: ClaimedRow[]): void;
  /** The delivery's outcome or release was committed, or given up: forget it. */
  forget(delivery: Delivery): void;
  /** Its lease renewal found the job no longer ours. */
  lose(delivery: Delivery): void;
}

/** A job to insert, validated and serialised. */
export interface JobRow {
  readonly id: string;
  readonly queue: QueueName;
  readonly state: 'ready' | 'delayed';
  readonly priority: number;
  readonly runAt: number;
  readonly payload: string;
  readonly maxAttempts: number;
  readonly idempotencyKey: string | null;
  readonly correlationId: string | null;
  readonly enqueuedAt: number;
}

export interface EnqueueBatch {
  readonly rows: readonly JobRow[];
  resolve(results: EnqueueResult[]): void;
  reject(error: unknown): void;
}

/** Everything waiting for the next commit. */
export interface Work {
  enqueues: EnqueueBatch[];
  settled: Delivery[];
  releases: Delivery[];
  renew: boolean;
  /** Queues that got jobs from this process: their consumers claim in this tick. */
  woken: Set<QueueName>;
}

export interface TickResult {
  /** Per enqueue batch, in order. */
  enqueued: EnqueueResult[][];
  /** Deliveries whose renewal found the job taken over. */
  lost: Delivery[];
  claims: { consumer: LoopConsumer; rows: ClaimedRow[] }[];
  /** Consumers that looked for jobs in this tick (for their idle backoff). */
  polled: LoopConsumer[];
}

export function hasWrites(work: Work): boolean {
  return work.enqueues.length > 0 || work.settled.length > 0 || work.releases.length > 0 || work.renew;
}

/** Consumers with free slots whose poll is due, or whose queue this process just filled. */
export function dueConsumers(consumers: Iterable<LoopConsumer>, work: Work, freed: Map<LoopConsumer, number>): LoopConsumer[] {
  const perfNow = performance.now();
  const due: LoopConsumer[] = [];
  for (const consumer of consumers) {
    if (consumer.freeSlots(freed.get(consumer) ?? 0) <= 0) continue;
    if (consumer.nextPollAt <= perfNow || work.woken.has(consumer.queue)) due.push(consumer);
  }
  return due;
}

/**
 * One commit, in this order: inserts (idempotency conflicts return the live job),
 * outcomes of finished handlers, releases, lease renewals, then claims for every due
 * consumer, counting the slots freed by this very commit.
 */
export function writeTick(sql: JobQueueSql, work: Work, consumers: Iterable<LoopConsumer>, now: number, claimBatch: number): TickResult {
  const enqueued = work.enqueues.map((batch) => batch.rows.map((row) => insert(sql, row, work)));

  const freed = new Map<LoopConsumer, number>();
  for (const delivery of work.settled) {
    writeOutcome(sql, delivery, now);
    freed.set(delivery.owner, (freed.get(delivery.owner) ?? 0) + 1);
  }
  for (const d of work.releases) sql.release.run(now, d.seq, d.job.id, d.claims);

  const lost: Delivery[] = [];
  if (work.renew) {
    for (const consumer of consumers) {
      for (const d of consumer.runningDeliveries()) {
        if (sql.renew.run(now + consumer.leaseMs, d.seq, d.job.id, d.claims).changes === 0) lost.push(d);
      }
    }
  }

  const claims: TickResult['claims'] = [];
  const maintained = new Set<QueueName>();
  const polled = dueConsumers(consumers, work, freed);
  for (const consumer of polled) {
    if (!maintained.has(consumer.queue)) {
      maintain(sql, consumer.queue, now);
      maintained.add(consumer.queue);
    }
    const limit = Math.min(consumer.freeSlots(freed.get(consumer) ?? 0), claimBatch);
    claims.push({ consumer, rows: sql.claim.all(now + consumer.leaseMs, consumer.queue, limit) });
  }
  return { enqueued, lost, claims, polled };
}

function insert(sql: JobQueueSql, row: JobRow, work: Work): EnqueueResult {
  work.woken.add(row.queue);
  const inserted = sql.insert.run(
    row.id, row.queue, row.state, row.priority, row.runAt, row.payload, row.maxAttempts,
    row.idempotencyKey, row.correlationId, row.enqueuedAt,
  );
  if (inserted.changes === 1 || row.idempotencyKey === null) return { id: row.id, deduplicated: false };
  const existing = sql.idByKey.get(row.queue, row.idempotencyKey);
  return { id: existing?.id ?? row.id, deduplicated: true };
}

/** Fenced by (seq, id, claims): a delivery that lost its lease changes nothing. */
function writeOutcome(sql: JobQueueSql, d: Delivery, now: number): void {
  const outcome = d.outcome;
  if (!outcome) return;
  if (outcome.kind === 'complete') {
    sql.complete.run(d.seq, d.job.id, d.claims);
  } else if (outcome.kind === 'retry') {
    const state = outcome.delayMs > 0 ? 'delayed' : 'ready';
    sql.retry.run(state, now + outcome.delayMs, outcome.failure.code, outcome.failure.message, d.seq, d.job.id, d.claims);
  } else {
    const f = outcome.failure;
    sql.deadLetter.run(now, f.category, f.code, f.message, now, d.seq, d.job.id, d.claims);
    sql.complete.run(d.seq, d.job.id, d.claims);
  }
}

/** Due delayed jobs become ready; expired leases come back, or die if out of attempts. */
function maintain(sql: JobQueueSql, queue: QueueName, now: number): void {
  sql.promoteDue.run(queue, now);
  const f = LEASE_EXPIRED_FAILURE;
  if (sql.deadLetterExpired.run(now, f.category, f.code, f.message, now, queue, now).changes > 0) {
    sql.deleteExpiredExhausted.run(queue, now);
  }
  sql.reclaimExpired.run(queue, now);
}
