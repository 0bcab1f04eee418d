import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { TributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import {
  QUEUE_NAMES,
  type ConsumeOptions,
  type Consumer,
  type DeadLetter,
  type EnqueueOptions,
  type EnqueueResult,
  type JobHandler,
  type JobQueue,
  type QueueName,
  type QueueStats,
} from '../../ports/job-queue.ts';
import { redactSecrets } from '../job-failure.ts';
import { BullMqConsumer } from './job-queue-consumer.ts';
import { DeadLetterReader, toDeadLetter } from './job-queue-dead-letters.ts';
import { DueIndex } from './job-queue-due.ts';
import {
  BULL_PRIORITY,
  checkEnqueueOptions,
  checkQueueName,
  resolveBullMqJobQueueOptions,
  type BullMqJobQueueOptions,
  type Envelope,
  type ResolvedBullMqJobQueueOptions,
  type ValidEnqueue,
} from './job-queue-options.ts';
import { LuaScript } from './scripts.ts';

const OLDEST_READY = new LuaScript('queue-oldest-ready.lua');

/**
 * The JobQueue on BullMQ (Redis): the cluster mode's queue (ports/job-queue.ts).
 *
 * Mapping of the port onto BullMQ, one BullMQ queue per named queue under `prefix`:
 * - priorities high/normal/low are BullMQ priorities 1/2/3 (every job is prioritized,
 *   so within a level BullMQ serves in the order jobs became ready);
 * - delays, retry backoff and rate-limit waits are BullMQ delayed jobs; when they are
 *   due is decided by the injected clock (DueIndex), with BullMQ's wall-time promotion
 *   as the fallback;
 * - the lease is BullMQ's job lock (lock duration = `leaseMs`, renewed at half of it);
 *   a stalled job (its process died) goes back to the queue with attempt + 1;
 * - retries and dead letters follow `decideRetry` (see BullMqConsumer); dead letters are
 *   BullMQ's failed set (see job-queue-dead-letters.ts);
 * - idempotency keys are BullMQ deduplication ids: the key is held from enqueue until the
 *   job completes or fails for good, across processes; completed jobs are removed at once
 *   (`removeOnComplete`), so nothing else blocks the key's re-use.
 *
 * Deviations, documented: `enqueueMany` sends its jobs in one pipeline (one round trip)
 * but is not all-or-nothing; on an error some jobs of the batch may have been added.
 * Durability is Redis's: an enqueue is as durable as the server's AOF/replication
 * settings make it. A borrowed client must have `maxRetriesPerRequest: null` (BullMQ's
 * requirement for workers). While Redis is down BullMQ waits for it; producer-side calls
 * give up after `operationTimeoutMs` with QUEUE_UNAVAILABLE, consumers resume by themselves.
 */
export class BullMqJobQueue implements JobQueue {
  readonly #options: ResolvedBullMqJobQueueOptions;
  readonly #redis: Redis;
  readonly #ownsConnection: boolean;
  readonly #queues = new Map<QueueName, Queue>();
  readonly #consumers = new Set<BullMqConsumer>();
  readonly #due: DueIndex;
  readonly #deadLetters: DeadLetterReader;
  #promoter: NodeJS.Timeout | undefined;
  #closing: Promise<void> | null = null;

  constructor(options: BullMqJobQueueOptions) {
    this.#options = resolveBullMqJobQueueOptions(options);
    if (options.connection instanceof Redis) {
      this.#redis = options.connection;
      this.#ownsConnection = false;
    } else {
      this.#redis = new Redis(options.connection.url, { maxRetriesPerRequest: null });
      // Connection errors surface through failed commands; without a listener ioredis prints each one.
      this.#redis.on('error', () => undefined);
      this.#ownsConnection = true;
    }
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection: this.#redis, prefix: this.#options.prefix });
      // An 'error' event without a listener would throw; the failed call reports it anyway.
      queue.on('error', (error: Error) => {
        this.#options.logger.warn({ queue: name, err: { message: redactSecrets(error.message) } }, 'BullMQ queue error');
      });
      this.#queues.set(name, queue);
    }
    this.#due = new DueIndex(this.#redis, this.#options.prefix);
    this.#deadLetters = new DeadLetterReader(this.#redis, this.#options.prefix);
  }

  async enqueue<P>(queue: QueueName, payload: P, options?: EnqueueOptions): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany(queue, [{ payload, ...(options === undefined ? {} : { options }) }]);
    if (result === undefined) throw new TributaryError('INTERNAL', 'enqueue returned no result');
    return result;
  }

  async enqueueMany<P>(queue: QueueName, jobs: readonly { payload: P; options?: EnqueueOptions }[]): Promise<EnqueueResult[]> {
    this.#checkOpen();
    checkQueueName(queue);
    const checked = jobs.map((job) => ({ payload: job.payload, valid: checkEnqueueOptions(job.options, this.#options.maxAttempts) }));
    if (checked.length === 0) return [];
    return this.#add(queue, checked);
  }

  async #add(name: QueueName, jobs: readonly { payload: unknown; valid: ValidEnqueue }[]): Promise<EnqueueResult[]> {
    const now = this.#options.clock.now();
    const specs = jobs.map(({ payload, valid }) => ({
      name: 'job',
      data: envelope(payload, valid, now),
      opts: jobOptions(newId('job'), valid),
    }));
    const added = await this.#unavailableOnError(() => this.#queue(name).addBulk(specs));
    const results = added.map((job, n) => ({ id: String(job.id), deduplicated: job.id !== specs[n]?.opts.jobId }));
    await this.#unavailableOnError(async () => {
      for (const [n, result] of results.entries()) {
        const delayMs = jobs[n]?.valid.delayMs ?? 0;
        if (!result.deduplicated && delayMs > 0) await this.#due.add(name, result.id, now + delayMs);
      }
    });
    return results;
  }

  consume<P>(queue: QueueName, handler: JobHandler<P>, options: ConsumeOptions): Consumer {
    this.#checkOpen();
    checkQueueName(queue);
    const { concurrency } = options;
    const leaseMs = options.leaseMs ?? this.#options.leaseMs;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new TributaryError('VALIDATION_FAILED', 'concurrency must be a positive integer', { field: 'concurrency' });
    }
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) {
      throw new TributaryError('VALIDATION_FAILED', 'leaseMs must be a positive integer', { field: 'leaseMs' });
    }
    const consumer = new BullMqConsumer(
      {
        name: queue,
        connection: this.#redis,
        options: this.#options,
        due: this.#due,
        concurrency,
        leaseMs,
        onStopped: (stopped) => this.#consumers.delete(stopped),
      },
      handler as JobHandler<unknown>,
    );
    this.#consumers.add(consumer);
    this.#schedulePromotion();
    return consumer;
  }

  async stats(): Promise<QueueStats[]> {
    this.#checkOpen();
    return this.#unavailableOnError(() => Promise.all(QUEUE_NAMES.map((name) => this.#statsOf(name))));
  }

  async #statsOf(name: QueueName): Promise<QueueStats> {
    const queue = this.#queue(name);
    const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed');
    const ready = (counts.wait ?? 0) + (counts.prioritized ?? 0);
    let oldestReadyAgeMs = 0;
    if (ready > 0) {
      const key = `${this.#options.prefix}:${name}:`;
      const heads = (await OLDEST_READY.run(this.#redis, [`${key}prioritized`, `${key}wait`], [key, 8])) as string[];
      const readyAt = Math.min(...heads.map((data) => (JSON.parse(data) as Envelope).v));
      if (Number.isFinite(readyAt)) oldestReadyAgeMs = Math.max(0, this.#options.clock.now() - readyAt);
    }
    return {
      queue: name,
      ready,
      delayed: counts.delayed ?? 0,
      running: counts.active ?? 0,
      deadLetters: counts.failed ?? 0,
      oldestReadyAgeMs,
    };
  }

  async listDeadLetters(queue: QueueName, options?: { limit?: number; before?: string }): Promise<DeadLetter[]> {
    this.#checkOpen();
    checkQueueName(queue);
    const limit = options?.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
      throw new TributaryError('VALIDATION_FAILED', 'limit must be an integer from 1 to 500', { field: 'limit' });
    }
    return this.#unavailableOnError(async () => {
      const ids = await this.#deadLetters.pageIds(queue, limit, options?.before);
      const jobs = await Promise.all(ids.map((id) => this.#queue(queue).getJob(id)));
      // A dead letter replayed or discarded between the two reads is left out.
      return jobs.flatMap((job) => (job ? [toDeadLetter(job, queue)] : []));
    });
  }

  async replayDeadLetter(id: string): Promise<string> {
    this.#checkOpen();
    const { name, job } = await this.#unavailableOnError(() => this.#deadLetters.locate(id, this.#queues));
    const letter = toDeadLetter(job, name);
    const valid: ValidEnqueue = {
      priority: letter.priority,
      delayMs: 0,
      maxAttempts: (job.data as Envelope).m,
      idempotencyKey: letter.idempotencyKey,
      correlationId: letter.correlationId,
    };
    // Add first, then remove: a crash in between leaves a duplicate, never a lost job.
    const [result] = await this.#add(name, [{ payload: letter.payload, valid }]);
    await this.#unavailableOnError(() => job.remove());
    if (result === undefined) throw new TributaryError('INTERNAL', 'replay added no job');
    return result.id;
  }

  async discardDeadLetter(id: string): Promise<void> {
    this.#checkOpen();
    const { job } = await this.#unavailableOnError(() => this.#deadLetters.locate(id, this.#queues));
    await this.#unavailableOnError(() => job.remove());
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearTimeout(this.#promoter);
    this.#promoter = undefined;
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    if (this.#ownsConnection) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** While this instance consumes, promotes the delayed jobs that its clock says are due. */
  #schedulePromotion(): void {
    if (this.#promoter !== undefined || this.#closing !== null) return;
    this.#promoter = setTimeout(() => {
      void this.#promoteDue().finally(() => {
        this.#promoter = undefined;
        if (this.#closing === null && [...this.#consumers].some((c) => c.active)) this.#schedulePromotion();
      });
    }, this.#options.duePollMs);
  }

  async #promoteDue(): Promise<void> {
    const names = new Set([...this.#consumers].filter((c) => c.active).map((c) => c.queueName));
    for (const name of names) {
      try {
        await this.#due.promoteDue(this.#queue(name), name, this.#options.clock.now());
      } catch (error) {
        this.#options.logger.warn({ queue: name, err: { message: (error as Error).message } }, 'promoting due jobs failed');
      }
    }
  }

  #queue(name: QueueName): Queue {
    const queue = this.#queues.get(name);
    if (!queue) throw new TributaryError('VALIDATION_FAILED', `Unknown queue ${name}`, { field: 'queue' });
    return queue;
  }

  #checkOpen(): void {
    if (this.#closing !== null) throw new TributaryError('SHUTTING_DOWN', 'The job queue is closed');
  }

  /** Runs a producer-side operation, turning Redis errors and silence into QUEUE_UNAVAILABLE. */
  async #unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
    const timeoutMs = this.#options.operationTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TributaryError('QUEUE_UNAVAILABLE', `Redis did not answer the queue within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([work(), silence]);
    } catch (error) {
      if (error instanceof TributaryError) throw error;
      throw new TributaryError('QUEUE_UNAVAILABLE', `Redis did not accept the queue operation: ${redactSecrets(String((error as Error).message))}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function envelope(payload: unknown, valid: ValidEnqueue, now: number): Envelope {
  return {
    p: payload,
    e: now,
    v: now + valid.delayMs,
    r: valid.priority,
    m: valid.maxAttempts,
    k: valid.idempotencyKey,
    c: valid.correlationId,
  };
}

function jobOptions(jobId: string, valid: ValidEnqueue): JobsOptions & { jobId: string } {
  return {
    jobId,
    priority: BULL_PRIORITY[valid.priority],
    ...(valid.delayMs > 0 ? { delay: valid.delayMs } : {}),
    ...(valid.idempotencyKey === null ? {} : { deduplication: { id: valid.idempotencyKey } }),
    attempts: 1,
    removeOnComplete: true,
    removeOnFail: false,
    stackTraceLimit: 0,
  };
}
