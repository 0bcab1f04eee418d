import { DelayedError, WaitingError, Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { decideRetry } from '../../domain/backoff.ts';
import type { Consumer, Job, JobHandler, QueueName } from '../../ports/job-queue.ts';
import { classifyFailure, LEASE_EXPIRED_FAILURE } from '../job-failure.ts';
import { attemptsUsed, deadLetterError } from './job-queue-dead-letters.ts';
import type { DueIndex } from './job-queue-due.ts';
import type { Envelope, ResolvedBullMqJobQueueOptions } from './job-queue-options.ts';

export interface BullMqConsumerContext {
  readonly name: QueueName;
  readonly connection: Redis;
  readonly options: ResolvedBullMqJobQueueOptions;
  readonly due: DueIndex;
  readonly concurrency: number;
  readonly leaseMs: number;
  /** Called once the consumer has stopped. */
  readonly onStopped: (consumer: BullMqConsumer) => void;
}

/** Why a running handler's signal was aborted. */
type AbortReason = 'lease-lost' | 'stopping';

interface Running {
  readonly controller: AbortController;
  reason: AbortReason | null;
}

const ABORTED = Symbol('aborted');

/**
 * One `consume` call: a BullMQ Worker with the given concurrency whose lock duration is
 * the lease (BullMQ renews it every half lease while the handler runs; a crashed or hung
 * process stops renewing, the lock expires and the stalled check of any worker puts the
 * job back on the queue, where its next delivery counts as the next attempt).
 *
 * The processor applies the port's failure rules itself, with `decideRetry` (the one
 * policy every backend uses), and never lets BullMQ retry on its own:
 * - retry: `moveToDelayed` by the decided delay (recorded in the DueIndex too, so the
 *   queue's clock decides when it is due) and `DelayedError`, which BullMQ does not count;
 * - dead letter: an error carrying the classified failure; jobs have `attempts: 1`, so
 *   BullMQ moves them to its failed set, which is our dead-letter list;
 * - a delivery whose attempt is past `maxAttempts` (its leases kept expiring) is
 *   dead-lettered before its handler runs.
 * A lost lock (`lockRenewalFailed`) aborts the handler's signal and its outcome is
 * ignored (`WaitingError`: BullMQ leaves the job to whoever holds it now).
 */
export class BullMqConsumer implements Consumer {
  readonly #context: BullMqConsumerContext;
  readonly #handler: JobHandler<unknown>;
  readonly #worker: Worker;
  readonly #running = new Map<string, Running>();
  #stopping: Promise<void> | null = null;

  constructor(context: BullMqConsumerContext, handler: JobHandler<unknown>) {
    this.#context = context;
    this.#handler = handler;
    const { options } = context;
    this.#worker = new Worker(context.name, (job, token) => this.#process(job, token ?? ''), {
      connection: context.connection,
      prefix: options.prefix,
      concurrency: context.concurrency,
      lockDuration: context.leaseMs,
      stalledInterval: context.leaseMs,
      // Stalls are attempts: we dead-letter past maxAttempts ourselves.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      removeOnComplete: { count: 0 },
      drainDelay: 1,
    });
    this.#worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const id of jobIds) this.#abort(id, 'lease-lost');
    });
    this.#worker.on('error', (error: Error) => {
      options.logger.warn({ queue: context.name, err: { message: error.message } }, 'BullMQ worker error');
    });
  }

  get queueName(): QueueName {
    return this.#context.name;
  }

  /** True while `stop` has not been called. */
  get active(): boolean {
    return this.#stopping === null;
  }

  stop(graceMs = this.#context.options.stopGraceMs): Promise<void> {
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    // close() stops fetching at once and resolves when the running processors have returned.
    const closed = this.#worker.close();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const inTime = await Promise.race([closed.then(() => true), graceOver]);
    clearTimeout(timer);
    if (!inTime) for (const id of [...this.#running.keys()]) this.#abort(id, 'stopping');
    await closed;
    this.#context.onStopped(this);
  }

  #abort(jobId: string, reason: AbortReason): void {
    const running = this.#running.get(jobId);
    if (!running || running.reason !== null) return;
    running.reason = reason;
    running.controller.abort(new Error(reason === 'stopping' ? 'The consumer is stopping' : 'The job lease was lost'));
  }

  async #process(bullJob: BullJob, token: string): Promise<void> {
    const { options, name } = this.#context;
    const id = String(bullJob.id);
    const envelope = bullJob.data as Envelope;
    const attempt = attemptsUsed(bullJob);
    if (attempt > envelope.m) throw deadLetterError(LEASE_EXPIRED_FAILURE, options.clock.now());

    const running: Running = { controller: new AbortController(), reason: null };
    this.#running.set(id, running);
    const signal = running.controller.signal;
    const job: Job<unknown> = Object.freeze({
      id,
      queue: name,
      payload: envelope.p,
      priority: envelope.r,
      attempt,
      maxAttempts: envelope.m,
      idempotencyKey: envelope.k,
      correlationId: envelope.c,
      enqueuedAt: envelope.e,
    });
    try {
      const aborted = new Promise<typeof ABORTED>((resolve) => signal.addEventListener('abort', () => resolve(ABORTED), { once: true }));
      const outcome = await Promise.race([
        this.#handler(job, signal).then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        aborted,
      ]);
      if (running.reason === 'lease-lost') throw new WaitingError();
      if (outcome === ABORTED) {
        await this.#release(bullJob, envelope, token);
        throw new WaitingError();
      }
      if (outcome.ok) return;
      await this.#fail(bullJob, token, attempt, envelope, outcome.error);
    } finally {
      this.#running.delete(id);
    }
  }

  /**
   * Back to the front of its priority, the interrupted delivery not counted (Consumer.stop).
   * If Redis refuses, the lock simply lapses and the stalled check returns the job later.
   */
  async #release(bullJob: BullJob, envelope: Envelope, token: string): Promise<void> {
    try {
      await bullJob.updateData({ ...envelope, x: (envelope.x ?? 0) + 1 });
      await bullJob.moveToWait(token);
    } catch (error) {
      const { logger } = this.#context.options;
      logger.warn({ queue: this.#context.name, jobId: bullJob.id, err: { message: (error as Error).message } }, 'releasing a job failed');
    }
  }

  async #fail(bullJob: BullJob, token: string, attempt: number, envelope: Envelope, error: unknown): Promise<never> {
    const { options, name, due } = this.#context;
    const failure = classifyFailure(error);
    const decision = decideRetry(
      { category: failure.category, retryAfterMs: failure.retryAfterMs, attempt, maxAttempts: envelope.m },
      options.backoff,
      options.random,
    );
    if (decision.kind === 'dead-letter') throw deadLetterError(failure, options.clock.now());
    options.logger.info(
      { queue: name, jobId: bullJob.id, attempt, delayMs: decision.delayMs, code: failure.code, correlationId: envelope.c },
      'job failed, will retry',
    );
    const dueAt = options.clock.now() + decision.delayMs;
    // The retry's ready time, so that stats() ages it from when it became ready again.
    await bullJob.updateData({ ...envelope, v: dueAt });
    await bullJob.moveToDelayed(Date.now() + decision.delayMs, token);
    if (decision.delayMs > 0) await due.add(name, String(bullJob.id), dueAt);
    throw new DelayedError();
  }
}
