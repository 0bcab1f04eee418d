import type { Redis } from 'ioredis';
import type { BackoffPolicy } from '../../domain/backoff.ts';
import { TributaryError } from '../../domain/errors.ts';
import type { Clock, RandomSource } from '../../ports/clock.ts';
import { JOB_PRIORITIES, QUEUE_NAMES, type EnqueueOptions, type JobPriority, type QueueName } from '../../ports/job-queue.ts';
import type { Logger } from '../../ports/logger.ts';
import { nonNegativeInt, positiveInt, silentLogger } from '../job-options.ts';

/** What the composition root passes to `BullMqJobQueue`. Everything but `connection`, `prefix` and `clock` has a default. */
export interface BullMqJobQueueOptions {
  /** A Redis URL (the queue opens and closes its own connections), or a client it borrows and leaves open. */
  connection: { url: string } | Redis;
  /** BullMQ key prefix, e.g. `tributary`. Every process sharing the queues uses the same one. */
  prefix: string;
  clock: Clock;
  /** Jitter source for retry backoff. Default `Math.random`. */
  random?: RandomSource;
  logger?: Logger;
  /** Attempts before a failing job is dead-lettered, unless the job sets its own. Default 5. */
  maxAttempts?: number;
  /** Default lease (BullMQ lock duration, renewed at half of it) of a consumer. Default 30 000. */
  leaseMs?: number;
  /** Retry backoff: full jitter over [0, min(maxMs, baseMs * 2^(attempt-1))). Defaults 1000 / 300 000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Grace of `close()` (and of `Consumer.stop()` without an argument). Default 10 000. */
  stopGraceMs?: number;
  /** How often a consuming instance promotes delayed jobs that are due by `clock`. Default 50. */
  duePollMs?: number;
  /**
   * An enqueue, stats or dead-letter call that Redis has not answered within this time
   * rejects with QUEUE_UNAVAILABLE (BullMQ itself waits for a lost server indefinitely).
   * The command may still run once Redis is back. Default 5000.
   */
  operationTimeoutMs?: number;
}

export interface ResolvedBullMqJobQueueOptions {
  readonly prefix: string;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly backoff: BackoffPolicy;
  readonly stopGraceMs: number;
  readonly duePollMs: number;
  readonly operationTimeoutMs: number;
}

/** The one place the queue's defaults live (STYLE.md 10). Throws CONFIG_INVALID on nonsense. */
export function resolveBullMqJobQueueOptions(options: BullMqJobQueueOptions): ResolvedBullMqJobQueueOptions {
  if (typeof options.prefix !== 'string' || options.prefix === '' || options.prefix.includes(':')) {
    throw new TributaryError('CONFIG_INVALID', 'prefix must be a non-empty string without ":"', { field: 'prefix' });
  }
  return Object.freeze({
    prefix: options.prefix,
    clock: options.clock,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? 5),
    leaseMs: positiveInt('leaseMs', options.leaseMs ?? 30_000),
    backoff: {
      baseMs: positiveInt('backoff.baseMs', options.backoff?.baseMs ?? 1000),
      maxMs: positiveInt('backoff.maxMs', options.backoff?.maxMs ?? 300_000),
    },
    stopGraceMs: nonNegativeInt('stopGraceMs', options.stopGraceMs ?? 10_000),
    duePollMs: positiveInt('duePollMs', options.duePollMs ?? 50),
    operationTimeoutMs: positiveInt('operationTimeoutMs', options.operationTimeoutMs ?? 5000),
  });
}

/**
 * What a BullMQ job's `data` holds: the payload and the port's metadata, in the queue
 * clock's terms (BullMQ's own timestamps are wall time). Short keys: one copy per job.
 */
export interface Envelope {
  /** The payload, as enqueued (JSON). */
  readonly p: unknown;
  /** Enqueued at, by the queue's clock. */
  readonly e: number;
  /** Ready from (enqueued at + delay), by the queue's clock. */
  readonly v: number;
  readonly r: JobPriority;
  readonly m: number;
  readonly k: string | null;
  readonly c: string | null;
  /** Deliveries released by `Consumer.stop` (they do not count as attempts). */
  readonly x?: number;
}

/** BullMQ priority per port priority: 1 runs first; every job is prioritized, so FIFO holds within a level. */
export const BULL_PRIORITY: Readonly<Record<JobPriority, number>> = { high: 1, normal: 2, low: 3 };

export interface ValidEnqueue {
  readonly priority: JobPriority;
  readonly delayMs: number;
  readonly maxAttempts: number;
  readonly idempotencyKey: string | null;
  readonly correlationId: string | null;
}

export function checkQueueName(queue: QueueName): void {
  if (!(QUEUE_NAMES as readonly string[]).includes(queue)) {
    throw new TributaryError('VALIDATION_FAILED', `Unknown queue ${String(queue)}`, { field: 'queue' });
  }
}

/** Validates one job's options against the port's rules (VALIDATION_FAILED on the first bad field). */
export function checkEnqueueOptions(options: EnqueueOptions | undefined, defaultMaxAttempts: number): ValidEnqueue {
  const priority = options?.priority ?? 'normal';
  if (!(JOB_PRIORITIES as readonly string[]).includes(priority)) {
    throw new TributaryError('VALIDATION_FAILED', `Unknown priority ${String(priority)}`, { field: 'priority' });
  }
  const delayMs = options?.delayMs ?? 0;
  if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
    throw new TributaryError('VALIDATION_FAILED', 'delayMs must be a non-negative integer', { field: 'delayMs' });
  }
  const maxAttempts = options?.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new TributaryError('VALIDATION_FAILED', 'maxAttempts must be a positive integer', { field: 'maxAttempts' });
  }
  const idempotencyKey = options?.idempotencyKey ?? null;
  if (idempotencyKey !== null && (typeof idempotencyKey !== 'string' || idempotencyKey === '')) {
    throw new TributaryError('VALIDATION_FAILED', 'idempotencyKey must be a non-empty string', { field: 'idempotencyKey' });
  }
  const correlationId = options?.correlationId ?? null;
  return { priority, delayMs, maxAttempts, idempotencyKey, correlationId };
}
