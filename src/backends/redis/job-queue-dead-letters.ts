import type { Job as BullJob, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ERROR_CATEGORIES, TributaryError, type ErrorCategory } from '../../domain/errors.ts';
import type { DeadLetter, QueueName } from '../../ports/job-queue.ts';
import type { ClassifiedFailure } from '../job-failure.ts';
import type { Envelope } from './job-queue-options.ts';

/**
 * Dead letters are BullMQ's failed set: a job is only ever moved to `failed` when the
 * port's rules say it is dead (we never let BullMQ retry on its own), and failed jobs are
 * kept (`removeOnFail: false`) until replayed or discarded.
 *
 * The classified failure travels as the failed reason: the error thrown to BullMQ has a
 * JSON message `{ category, code, message, at }` (already sanitised) and no stack, and
 * jobs carry `stackTraceLimit: 0`, so Redis never holds a stack or a secret.
 *
 * A dead letter's id is `{jobId}@{finishedOn}`: the failed set is ordered by finishedOn,
 * so an id names its own place in the order and stays a valid `before` cursor after the
 * dead letter is discarded.
 */

interface StoredFailure {
  readonly category: ErrorCategory;
  readonly code: string;
  readonly message: string;
  /** Failed at, by the queue's clock. */
  readonly at: number;
}

/** The error a processor throws to send a job to the dead letters: message = the stored failure. */
export function deadLetterError(failure: ClassifiedFailure, at: number): Error {
  const stored: StoredFailure = { category: failure.category, code: failure.code, message: failure.message, at };
  const error = new Error(JSON.stringify(stored));
  error.stack = '';
  return error;
}

export function deadLetterId(jobId: string, finishedOn: number): string {
  return `${jobId}@${finishedOn}`;
}

function parseDeadLetterId(id: string): { jobId: string; finishedOn: number } | null {
  const at = typeof id === 'string' ? id.lastIndexOf('@') : -1;
  if (at < 1) return null;
  const finishedOn = Number(id.slice(at + 1));
  return Number.isSafeInteger(finishedOn) ? { jobId: id.slice(0, at), finishedOn } : null;
}

/**
 * The attempt a delivery is: deliveries started (BullMQ's attemptsStarted, which counts
 * retries and stalls alike), minus those `Consumer.stop` released.
 */
export function attemptsUsed(job: BullJob): number {
  const envelope = job.data as Envelope;
  return Math.max(1, (job.attemptsStarted ?? 0) - (envelope.x ?? 0));
}

export function toDeadLetter(job: BullJob, queue: QueueName): DeadLetter {
  const envelope = job.data as Envelope;
  const finishedOn = job.finishedOn ?? 0;
  const failure = parseFailure(job.failedReason, finishedOn);
  return {
    id: deadLetterId(String(job.id), finishedOn),
    jobId: String(job.id),
    queue,
    payload: envelope.p,
    priority: envelope.r,
    // A job dead-lettered because its leases kept expiring was refused delivery m + 1.
    attempts: Math.min(attemptsUsed(job), envelope.m),
    category: failure.category,
    errorCode: failure.code,
    errorMessage: failure.message,
    idempotencyKey: envelope.k,
    correlationId: envelope.c,
    enqueuedAt: envelope.e,
    failedAt: failure.at,
  };
}

/** A failed reason we did not write (BullMQ's own, e.g. a stalled-limit failure) is an unclassified JOB_FAILED. */
function parseFailure(reason: string | undefined, finishedOn: number): StoredFailure {
  try {
    const parsed = JSON.parse(reason ?? '') as Partial<StoredFailure>;
    if (typeof parsed.code === 'string' && ERROR_CATEGORIES.includes(parsed.category as ErrorCategory)) {
      return {
        category: parsed.category as ErrorCategory,
        code: parsed.code,
        message: String(parsed.message ?? ''),
        at: typeof parsed.at === 'number' ? parsed.at : finishedOn,
      };
    }
  } catch {
    // not ours: fall through
  }
  return { category: 'transient', code: 'JOB_FAILED', message: (reason ?? 'Job failed').split('\n', 1)[0] ?? '', at: finishedOn };
}

/** Reads dead letters from the failed sets of one prefix. */
export class DeadLetterReader {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Job ids of one page, newest first, strictly after the `before` cursor. */
  async pageIds(queue: QueueName, limit: number, before: string | undefined): Promise<string[]> {
    const key = `${this.#prefix}:${queue}:failed`;
    if (before === undefined) return this.#redis.zrevrange(key, 0, limit - 1);
    const cursor = parseDeadLetterId(before);
    if (cursor === null) throw new TributaryError('VALIDATION_FAILED', 'before is not a dead letter id', { field: 'before' });
    // Equal scores are ordered by member, descending, in ZREVRANGE: the ties below the cursor come first.
    const ties = (await this.#redis.zrangebyscore(key, cursor.finishedOn, cursor.finishedOn))
      .filter((id) => id < cursor.jobId)
      .sort()
      .reverse();
    const older = await this.#redis.zrevrangebyscore(key, `(${cursor.finishedOn}`, '-inf', 'LIMIT', 0, limit);
    return [...ties, ...older].slice(0, limit);
  }

  /** The queue whose failed set holds `jobId` as the dead letter `id`, or NOT_FOUND. */
  async locate(id: string, queues: ReadonlyMap<QueueName, Queue>): Promise<{ queue: Queue; name: QueueName; job: BullJob }> {
    const parsed = parseDeadLetterId(id);
    if (parsed !== null) {
      for (const [name, queue] of queues) {
        const score = await this.#redis.zscore(`${this.#prefix}:${name}:failed`, parsed.jobId);
        if (score !== null && Number(score) === parsed.finishedOn) {
          const job = await queue.getJob(parsed.jobId);
          if (job) return { queue, name, job };
        }
      }
    }
    throw new TributaryError('NOT_FOUND', `No dead letter ${String(id)}`, { details: { id } });
  }
}
