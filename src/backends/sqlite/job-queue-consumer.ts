import { performance } from 'node:perf_hooks';
import { decideRetry } from '../../domain/backoff.ts';
import { TributaryError } from '../../domain/errors.ts';
import type { Consumer, Job, JobHandler, QueueName } from '../../ports/job-queue.ts';
import type { CommitLoop } from './job-queue-commit.ts';
import { classifyFailure } from '../job-failure.ts';
import type { ResolvedSqliteJobQueueOptions } from './job-queue-options.ts';
import { RANK_PRIORITY, type ClaimedRow } from './job-queue-sql.ts';
import type { Delivery, LoopConsumer, Outcome } from './job-queue-tick.ts';

export interface SqliteConsumerSettings {
  readonly queue: QueueName;
  readonly concurrency: number;
  readonly leaseMs: number;
}

/**
 * One `consume()` call: up to `concurrency` handlers of one queue at a time in this
 * process. It owns its deliveries from claim to committed outcome; claiming, renewal
 * and acknowledgement themselves go through the shared `CommitLoop`. Lease renewal
 * (heartbeat) runs every third of the lease while a handler runs; a renewal that finds
 * the job taken over aborts that handler's signal and drops its result.
 */
export class SqliteConsumer implements Consumer, LoopConsumer {
  readonly queue: QueueName;
  readonly leaseMs: number;
  readonly concurrency: number;
  nextPollAt = 0;
  idleMs = 0;

  readonly #loop: CommitLoop;
  readonly #handler: JobHandler<unknown>;
  readonly #options: ResolvedSqliteJobQueueOptions;
  readonly #onStopped: (consumer: SqliteConsumer) => void;
  readonly #deliveries = new Map<string, Delivery>();
  #running = 0;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #drainWaiters: (() => void)[] = [];
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    loop: CommitLoop,
    handler: JobHandler<unknown>,
    settings: SqliteConsumerSettings,
    options: ResolvedSqliteJobQueueOptions,
    onStopped: (consumer: SqliteConsumer) => void,
  ) {
    this.#loop = loop;
    this.#handler = handler;
    this.queue = settings.queue;
    this.concurrency = settings.concurrency;
    this.leaseMs = settings.leaseMs;
    this.#options = options;
    this.#onStopped = onStopped;
    this.#heartbeat = setInterval(() => {
      if (this.#running > 0) this.#loop.requestRenewal();
    }, Math.max(1, Math.floor(settings.leaseMs / 3)));
    loop.add(this);
  }

  freeSlots(freed: number): number {
    return this.#stopping ? 0 : this.concurrency - this.#deliveries.size + freed;
  }

  hasRunning(): boolean {
    return this.#running > 0;
  }

  *runningDeliveries(): Iterable<Delivery> {
    for (const d of this.#deliveries.values()) if (d.state === 'running') yield d;
  }

  deliver(rows: ClaimedRow[]): void {
    for (const row of rows) {
      const job: Job<unknown> = {
        id: row.id,
        queue: this.queue,
        payload: JSON.parse(row.payload) as unknown,
        priority: RANK_PRIORITY[row.priority],
        attempt: row.attempt,
        maxAttempts: row.max_attempts,
        idempotencyKey: row.idempotency_key,
        correlationId: row.correlation_id,
        enqueuedAt: row.enqueued_at,
      };
      const delivery: Delivery = {
        job,
        seq: row.seq,
        claims: row.claims,
        controller: new AbortController(),
        owner: this,
        state: this.#stopping ? 'released' : 'running',
        outcome: null,
        commitFailures: 0,
      };
      this.#deliveries.set(job.id, delivery);
      if (delivery.state === 'released') {
        // Claimed in a commit that raced with stop(): hand it straight back.
        this.#loop.release([delivery]);
        continue;
      }
      this.#running += 1;
      this.#run(delivery);
    }
  }

  forget(delivery: Delivery): void {
    if (this.#deliveries.get(delivery.job.id) !== delivery) return;
    this.#deliveries.delete(delivery.job.id);
    if (this.#deliveries.size === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  lose(delivery: Delivery): void {
    if (delivery.state !== 'running') return;
    delivery.state = 'lost';
    this.#running -= 1;
    this.#options.logger.warn({ jobId: delivery.job.id, queue: this.queue, attempt: delivery.job.attempt }, 'job lease lost; aborting handler');
    delivery.controller.abort(new TributaryError('LOCK_NOT_HELD', 'The job lease was lost to another consumer'));
  }

  /**
   * Stop taking jobs; wait up to `graceMs` for running handlers (and their commits);
   * then abort the rest and release their leases, so that another consumer takes them
   * at once, without using up an attempt.
   */
  stop(graceMs: number = this.#options.stopGraceMs): Promise<void> {
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    const deadline = performance.now() + graceMs;
    // A commit in flight may still claim for this consumer: let it land first.
    await this.#loop.flush();
    if (this.#deliveries.size > 0) await this.#drained(Math.max(0, deadline - performance.now()));
    const releases: Delivery[] = [];
    for (const d of this.#deliveries.values()) {
      if (d.state !== 'running' && d.state !== 'lost') continue;
      if (d.state === 'running') {
        releases.push(d);
        this.#running -= 1;
      }
      d.state = 'released';
      d.controller.abort(new TributaryError('SHUTTING_DOWN', 'The consumer stopped; the job was released'));
    }
    if (releases.length > 0) this.#loop.release(releases);
    if (this.#deliveries.size > 0) await this.#loop.flush();
    clearInterval(this.#heartbeat);
    this.#loop.remove(this);
    this.#deliveries.clear();
    this.#onStopped(this);
  }

  #drained(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.#drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #run(delivery: Delivery): void {
    let result: Promise<void>;
    try {
      result = Promise.resolve(this.#handler(delivery.job, delivery.controller.signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      () => this.#settle(delivery, null),
      (error: unknown) => this.#settle(delivery, { error }),
    );
  }

  #settle(delivery: Delivery, failed: { error: unknown } | null): void {
    if (delivery.state !== 'running') {
      // Lost or released: the result is not ours to record. A lost delivery held its
      // slot until now so that concurrency is never exceeded.
      if (delivery.state === 'lost') this.forget(delivery);
      return;
    }
    this.#running -= 1;
    delivery.state = 'settled';
    delivery.outcome = failed ? this.#failureOutcome(delivery.job, failed.error) : COMPLETE;
    this.#loop.settle(delivery);
  }

  #failureOutcome(job: Job<unknown>, error: unknown): Outcome {
    const failure = classifyFailure(error);
    const decision = decideRetry(
      { category: failure.category, retryAfterMs: failure.retryAfterMs, attempt: job.attempt, maxAttempts: job.maxAttempts },
      this.#options.backoff,
      this.#options.random,
    );
    const log = {
      jobId: job.id,
      queue: job.queue,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      correlationId: job.correlationId,
      code: failure.code,
      category: failure.category,
      error: failure.message,
    };
    if (decision.kind === 'retry') {
      this.#options.logger.warn({ ...log, retryInMs: decision.delayMs }, 'job attempt failed; will retry');
      return { kind: 'retry', delayMs: decision.delayMs, failure };
    }
    this.#options.logger.error({ ...log, reason: decision.reason }, 'job failed for good; moved to dead letters');
    return { kind: 'dead-letter', failure };
  }
}

const COMPLETE: Outcome = { kind: 'complete' };
