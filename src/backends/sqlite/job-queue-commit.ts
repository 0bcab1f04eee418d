import { performance } from 'node:perf_hooks';
import { TributaryError } from '../../domain/errors.ts';
import type { EnqueueResult, QueueName } from '../../ports/job-queue.ts';
import type { SqliteHandle } from './database.ts';
import type { ResolvedSqliteJobQueueOptions } from './job-queue-options.ts';
import { prepareJobQueueSql, type JobQueueSql } from './job-queue-sql.ts';
import {
  dueConsumers,
  hasWrites,
  writeTick,
  type Delivery,
  type EnqueueBatch,
  type JobRow,
  type LoopConsumer,
  type TickResult,
  type Work,
} from './job-queue-tick.ts';

/**
 * Group commit for the SQLite queue. With synchronous=FULL every commit is an fsync,
 * and one fsync per job caps a queue near the disk's commit rate. So every write the
 * queue makes between two commits — enqueues, acknowledgements, retries and dead
 * letters, lease renewals, releases, and the claims of every consumer with free
 * slots — waits here and goes into ONE IMMEDIATE transaction ("tick").
 *
 * Durability rules this keeps: an enqueue resolves only after its commit; a delivery
 * counts as done only once its acknowledgement committed (a crash before that
 * redelivers it: at-least-once); a consumer's slot frees up in the same commit that
 * records the slot's previous outcome, so completion is durable before the slot's
 * next job starts.
 *
 * Scheduling: a tick runs at once when enqueues or releases wait, when
 * `flushBatch` acknowledgements wait, or when no handler is still running (nothing to
 * wait for); otherwise after `flushMs`, to let more handlers finish into the same
 * commit. Consumers of an empty queue poll with a backoff up to `pollMs`, and an idle
 * poll first checks for work with a read (no write lock), so idle processes sharing a
 * file do not take turns on the lock. Enqueues in this process wake that queue's
 * consumers in the same commit.
 */

const MIN_POLL_MS = 2;
const MAX_COMMIT_FAILURES = 5;

export class CommitLoop {
  readonly #handle: SqliteHandle;
  readonly #options: ResolvedSqliteJobQueueOptions;
  #sql: JobQueueSql | null = null;
  #tx: ((work: Work) => TickResult) | null = null;

  readonly #consumers = new Set<LoopConsumer>();
  #enqueues: EnqueueBatch[] = [];
  #settled: Delivery[] = [];
  #releases: Delivery[] = [];
  #renew = false;
  #woken = new Set<QueueName>();
  #flushWaiters: (() => void)[] = [];

  #timer: { handle: NodeJS.Timeout | NodeJS.Immediate; at: number } | null = null;
  #ticking = false;
  #errorBackoffMs = 0;
  #closed = false;

  constructor(handle: SqliteHandle, options: ResolvedSqliteJobQueueOptions) {
    this.#handle = handle;
    this.#options = options;
  }

  /** Prepared on first use (inside `exclusive`), so constructing the queue needs no schema yet. */
  sql(): JobQueueSql {
    this.#sql ??= prepareJobQueueSql(this.#handle.db);
    return this.#sql;
  }

  enqueue(rows: readonly JobRow[]): Promise<EnqueueResult[]> {
    if (this.#closed) return Promise.reject(new TributaryError('SHUTTING_DOWN', 'The job queue is closed'));
    return new Promise((resolve, reject) => {
      this.#enqueues.push({ rows, resolve, reject });
      this.#reschedule();
    });
  }

  add(consumer: LoopConsumer): void {
    this.#consumers.add(consumer);
    this.#reschedule();
  }

  remove(consumer: LoopConsumer): void {
    this.#consumers.delete(consumer);
  }

  settle(delivery: Delivery): void {
    this.#settled.push(delivery);
    this.#reschedule();
  }

  release(deliveries: readonly Delivery[]): void {
    this.#releases.push(...deliveries);
    this.#reschedule();
  }

  requestRenewal(): void {
    this.#renew = true;
    this.#reschedule();
  }

  /** Jobs were added to `queue` by this process outside a tick (e.g. a replay): poll it now. */
  wake(queue: QueueName): void {
    this.#woken.add(queue);
    this.#reschedule();
  }

  /** Resolves after a tick that started after this call has finished (committed or failed). */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.#flushWaiters.push(resolve);
      this.#reschedule();
    });
  }

  /** Stop scheduling; later enqueues reject. Pending work should be flushed first. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #reschedule(): void {
    if (this.#ticking || (this.#closed && this.#flushWaiters.length === 0)) return;
    const now = performance.now();
    let delay = Infinity;
    if (this.#enqueues.length > 0 || this.#releases.length > 0 || this.#renew || this.#flushWaiters.length > 0) delay = 0;
    if (this.#settled.length > 0) {
      const waitForMore = this.#settled.length < this.#options.flushBatch && this.#anyRunning();
      delay = Math.min(delay, waitForMore ? this.#options.flushMs : 0);
    }
    for (const consumer of this.#consumers) {
      if (consumer.freeSlots(0) <= 0) continue;
      delay = Math.min(delay, this.#woken.has(consumer.queue) ? 0 : Math.max(0, consumer.nextPollAt - now));
    }
    if (delay === Infinity) return;
    if (this.#errorBackoffMs > 0) delay = Math.max(delay, this.#errorBackoffMs);
    this.#schedule(now, delay);
  }

  #schedule(now: number, delay: number): void {
    const at = now + delay;
    if (this.#timer && this.#timer.at <= at) return;
    this.#clearTimer();
    const run = () => {
      this.#timer = null;
      void this.#tick();
    };
    this.#timer = { handle: delay < 1 ? setImmediate(run) : setTimeout(run, delay), at };
  }

  #clearTimer(): void {
    if (!this.#timer) return;
    clearTimeout(this.#timer.handle as NodeJS.Timeout);
    clearImmediate(this.#timer.handle as NodeJS.Immediate);
    this.#timer = null;
  }

  #anyRunning(): boolean {
    for (const consumer of this.#consumers) if (consumer.hasRunning()) return true;
    return false;
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    const waiters = this.#flushWaiters.splice(0);
    let work: Work | null = null;
    let done: TickResult | null = null;
    try {
      done = await this.#handle.exclusive(() => {
        work = this.#takeWork();
        return hasWrites(work) ? this.#transaction()(work) : this.#pollWithoutLock(work);
      });
      this.#errorBackoffMs = 0;
    } catch (error) {
      if (work) this.#restore(work, error);
      this.#errorBackoffMs = Math.min(1000, Math.max(10, this.#errorBackoffMs * 2));
      this.#options.logger.warn({ err: describe(error), retryInMs: this.#errorBackoffMs }, 'job queue commit failed');
    }
    try {
      if (work && done) this.#apply(work, done);
    } finally {
      this.#ticking = false;
      for (const resolve of waiters) resolve();
      this.#reschedule();
    }
  }

  #takeWork(): Work {
    const work: Work = {
      enqueues: this.#enqueues,
      settled: this.#settled,
      releases: this.#releases,
      renew: this.#renew,
      woken: this.#woken,
    };
    this.#enqueues = [];
    this.#settled = [];
    this.#releases = [];
    this.#renew = false;
    this.#woken = new Set();
    return work;
  }

  /** An idle poll: claim under the write lock only if a read finds something to claim. */
  #pollWithoutLock(work: Work): TickResult {
    const now = this.#options.clock.now();
    const sql = this.sql();
    const due = dueConsumers(this.#consumers, work, new Map());
    const withWork = due.filter((consumer) => sql.probe.get(consumer.queue, consumer.queue, now)?.work === 1);
    if (withWork.length === 0) return { enqueued: [], lost: [], claims: [], polled: due };
    return this.#transaction()(work);
  }

  #transaction(): (work: Work) => TickResult {
    if (!this.#tx) {
      const fn = this.#handle.db.transaction((work: Work) =>
        writeTick(this.sql(), work, this.#consumers, this.#options.clock.now(), this.#options.claimBatch),
      );
      this.#tx = (work) => fn.immediate(work);
    }
    return this.#tx;
  }

  #apply(work: Work, done: TickResult): void {
    work.enqueues.forEach((batch, i) => batch.resolve(done.enqueued[i] ?? []));
    for (const d of work.settled) d.owner.forget(d);
    for (const d of work.releases) d.owner.forget(d);
    for (const d of done.lost) d.owner.lose(d);
    const perfNow = performance.now();
    const claimed = new Set<LoopConsumer>();
    for (const { consumer, rows } of done.claims) {
      if (rows.length > 0) claimed.add(consumer);
      consumer.deliver(rows);
    }
    for (const consumer of done.polled) {
      if (claimed.has(consumer)) {
        consumer.idleMs = 0;
        consumer.nextPollAt = 0;
      } else {
        consumer.idleMs = Math.min(this.#options.pollMs, consumer.idleMs > 0 ? consumer.idleMs * 2 : MIN_POLL_MS);
        consumer.nextPollAt = perfNow + consumer.idleMs;
      }
    }
  }

  /** A failed commit changed nothing: enqueues fail, the rest waits for the next tick. */
  #restore(work: Work, error: unknown): void {
    const unavailable = new TributaryError('QUEUE_UNAVAILABLE', 'The job queue could not commit (database busy or failing)', {
      cause: error,
    });
    for (const batch of work.enqueues) batch.reject(unavailable);
    const keep = (d: Delivery) => {
      d.commitFailures += 1;
      if (d.commitFailures < MAX_COMMIT_FAILURES && !this.#closed) return true;
      // Given up: the lease expires and the job is redelivered (at-least-once).
      d.owner.forget(d);
      return false;
    };
    this.#settled.unshift(...work.settled.filter(keep));
    this.#releases.unshift(...work.releases.filter(keep));
    this.#renew ||= work.renew;
    for (const queue of work.woken) this.#woken.add(queue);
  }
}

function describe(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: typeof error, message: String(error) };
}
