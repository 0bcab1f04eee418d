import type { ErrorCategory } from '../domain/errors.ts';

/** The named queues. Each has its own concurrency, depth and dead letters. */
export const QUEUE_NAMES = ['sync-inbound', 'sync-outbound', 'webhook-events', 'notifications'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const JOB_PRIORITIES = ['high', 'normal', 'low'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export interface EnqueueOptions {
  /** Default `normal`. Among ready jobs, higher priority runs first, then oldest first. */
  priority?: JobPriority;
  /** Not visible to consumers until this many milliseconds from now (by the queue's clock). */
  delayMs?: number;
  /**
   * While a job with the same key is pending, waiting or running in the same queue,
   * enqueueing again returns that job (`deduplicated: true`) instead of adding one.
   * Once the job completes or is dead-lettered the key is free again.
   */
  idempotencyKey?: string;
  /** Attempts before the job is dead-lettered. Default from the queue's options. */
  maxAttempts?: number;
  /** Carried to the handler and every log line of its processing. */
  correlationId?: string;
}

export interface EnqueueResult {
  readonly id: string;
  readonly deduplicated: boolean;
}

export interface Job<P = unknown> {
  readonly id: string;
  readonly queue: QueueName;
  readonly payload: P;
  readonly priority: JobPriority;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly idempotencyKey: string | null;
  readonly correlationId: string | null;
  readonly enqueuedAt: number;
}

/**
 * A handler completes normally to acknowledge the job. Anything it throws fails this
 * attempt; a `TributaryError`'s category decides what happens next:
 * `transient` and unknown errors retry with exponential backoff and jitter,
 * `rate_limit` retries after the error's `retryAfterMs`, and `auth`, `permanent`
 * and `bad_data` go straight to the dead letters (retrying cannot help). After
 * `maxAttempts` attempts a failing job is dead-lettered too.
 * The signal aborts when the lease is lost (another consumer may now hold the job;
 * this handler's result is ignored) or when `Consumer.stop`'s grace runs out.
 */
export type JobHandler<P = unknown> = (job: Job<P>, signal: AbortSignal) => Promise<void>;

export interface ConsumeOptions {
  /** Jobs of this queue run at once in this process. */
  concurrency: number;
  /** Visibility timeout: a job held longer without renewal goes back to the queue. */
  leaseMs?: number;
}

export interface Consumer {
  /**
   * Stop taking jobs, wait for running ones (and their acknowledgements) up to
   * `graceMs`, then abort and release the leases of any still running so another
   * process picks them up at once. A released job has not failed: backends should not
   * count the interrupted delivery against `maxAttempts`. Idempotent.
   */
  stop(graceMs?: number): Promise<void>;
}

export interface QueueStats {
  readonly queue: QueueName;
  /** Ready now. */
  readonly ready: number;
  /** Waiting for a delay or a retry backoff. */
  readonly delayed: number;
  /** Held under a lease by a consumer. */
  readonly running: number;
  readonly deadLetters: number;
  /** Age of the oldest ready job in ms, 0 when none is ready. */
  readonly oldestReadyAgeMs: number;
}

/**
 * A job that failed for good, with the last failure classified. `errorMessage` is the
 * error's message only: no stack, no cause chain, credential-looking values redacted.
 */
export interface DeadLetter {
  readonly id: string;
  readonly jobId: string;
  readonly queue: QueueName;
  readonly payload: unknown;
  readonly priority: JobPriority;
  /** Attempts made, the failing one included. */
  readonly attempts: number;
  readonly category: ErrorCategory;
  /** A code of the error catalog, or `JOB_FAILED` for an unclassified error. */
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly idempotencyKey: string | null;
  readonly correlationId: string | null;
  readonly enqueuedAt: number;
  readonly failedAt: number;
}

/**
 * Durable job queue.
 *
 * Guarantees: at-least-once delivery. A job is delivered to one consumer at a time,
 * under a lease; when the lease expires (the process crashed or hung) the job becomes
 * ready again and its attempt count goes up. Handlers must therefore be idempotent;
 * the rest of Tributary makes them so (ARCHITECTURE.md, delivery guarantees).
 * `enqueue` resolves only once the job is durable. A delivery counts as done only
 * once its acknowledgement is durable (a crash before that redelivers it), and that
 * happens before the next job of the same consumer slot starts. Backends may batch
 * enqueues and acknowledgements of many jobs into one commit.
 *
 * Idempotency keys are enforced by the backend's storage, so they hold across
 * processes, not only within one.
 *
 * Errors: unknown queue, priority or invalid numbers reject with `VALIDATION_FAILED`;
 * a backend that cannot commit rejects with `QUEUE_UNAVAILABLE`; anything after
 * `close()` with `SHUTTING_DOWN`. Payloads must be JSON-serialisable: a handler gets
 * the JSON round trip of what was enqueued.
 *
 * Ordering: by priority, then by the time the job became ready. No FIFO guarantee
 * across retries. Deliberately left out: per-key ordering, job progress, repeat jobs
 * (the scheduler role enqueues those).
 */
export interface JobQueue {
  enqueue<P>(queue: QueueName, payload: P, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Enqueues all in one durable commit. */
  enqueueMany<P>(queue: QueueName, jobs: readonly { payload: P; options?: EnqueueOptions }[]): Promise<EnqueueResult[]>;
  consume<P>(queue: QueueName, handler: JobHandler<P>, options: ConsumeOptions): Consumer;
  stats(): Promise<QueueStats[]>;
  /**
   * Newest first. `limit` defaults to 50 (at most 500); `before` is the id of the last
   * dead letter of the previous page, and stays a valid cursor if that one is
   * discarded meanwhile.
   */
  listDeadLetters(queue: QueueName, options?: { limit?: number; before?: string }): Promise<DeadLetter[]>;
  /**
   * Put a dead letter back on its queue as a fresh job (attempt 1, same payload,
   * priority, idempotency key and correlation id) and remove the dead letter. Returns
   * the new job id, or, when a live job already holds the same idempotency key, that
   * job's id. `NOT_FOUND` when there is no such dead letter.
   */
  replayDeadLetter(id: string): Promise<string>;
  /** Delete a dead letter for good. `NOT_FOUND` when there is no such dead letter. */
  discardDeadLetter(id: string): Promise<void>;
  /** Stop every consumer (see `Consumer.stop`) and release resources. */
  close(): Promise<void>;
}
