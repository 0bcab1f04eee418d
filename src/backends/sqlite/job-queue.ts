import { TributaryError, type ErrorCategory } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import {
  JOB_PRIORITIES,
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
import type { SqliteHandle } from './database.ts';
import { CommitLoop } from './job-queue-commit.ts';
import { SqliteConsumer } from './job-queue-consumer.ts';
import { positiveInt } from '../job-options.ts';
import { resolveSqliteJobQueueOptions, type ResolvedSqliteJobQueueOptions, type SqliteJobQueueOptions } from './job-queue-options.ts';
import { PRIORITY_RANK, RANK_PRIORITY, type DeadLetterRow } from './job-queue-sql.ts';
import type { JobRow } from './job-queue-tick.ts';

export type { SqliteJobQueueOptions } from './job-queue-options.ts';

const MAX_DEAD_LETTER_PAGE = 500;
/** Sorts after every dead letter id ('dlq_' + hex): the cursor of the first page. */
const FIRST_PAGE = '~';

/**
 * The embedded durable JobQueue: jobs live in the process's SQLite file (tables from
 * migrations/002_jobs.sql, which the composition root applies; the queue never
 * migrates). Several processes may share the file: claiming is one
 * `UPDATE … RETURNING` inside an IMMEDIATE transaction, so no two consumers hold the
 * same job, and the idempotency key is a partial unique index, so it holds across
 * processes. Writes are group-committed (see `CommitLoop`): one fsync carries the
 * enqueues, acknowledgements and claims of many jobs.
 *
 * Payloads must be JSON-serialisable; what a handler receives is the JSON round trip.
 * A running consumer keeps the process alive (its poll and heartbeat timers) until it
 * is stopped or the queue is closed. `close()` leaves the shared handle open.
 */
export class SqliteJobQueue implements JobQueue {
  readonly #handle: SqliteHandle;
  readonly #options: ResolvedSqliteJobQueueOptions;
  readonly #loop: CommitLoop;
  readonly #consumers = new Set<SqliteConsumer>();
  #closing: Promise<void> | null = null;

  constructor(handle: SqliteHandle, options: SqliteJobQueueOptions) {
    this.#handle = handle;
    this.#options = resolveSqliteJobQueueOptions(options);
    this.#loop = new CommitLoop(handle, this.#options);
  }

  async enqueue<P>(queue: QueueName, payload: P, options?: EnqueueOptions): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany(queue, [{ payload, ...(options ? { options } : {}) }]);
    if (!result) throw new TributaryError('INTERNAL', 'Enqueue returned no result');
    return result;
  }

  enqueueMany<P>(queue: QueueName, jobs: readonly { payload: P; options?: EnqueueOptions }[]): Promise<EnqueueResult[]> {
    if (this.#closing) return Promise.reject(new TributaryError('SHUTTING_DOWN', 'The job queue is closed'));
    let rows: JobRow[];
    try {
      checkQueue(queue);
      const now = this.#options.clock.now();
      rows = jobs.map((job, i) => this.#row(queue, job.payload, job.options ?? {}, now, i));
    } catch (error) {
      return Promise.reject(error);
    }
    if (rows.length === 0) return Promise.resolve([]);
    return this.#loop.enqueue(rows);
  }

  consume<P>(queue: QueueName, handler: JobHandler<P>, options: ConsumeOptions): Consumer {
    checkQueue(queue);
    if (this.#closing) throw new TributaryError('SHUTTING_DOWN', 'The job queue is closed');
    const concurrency = validInt('concurrency', options.concurrency);
    const leaseMs = validInt('leaseMs', options.leaseMs ?? this.#options.leaseMs);
    const consumer = new SqliteConsumer(
      this.#loop,
      handler as JobHandler<unknown>,
      { queue, concurrency, leaseMs },
      this.#options,
      (stopped) => this.#consumers.delete(stopped),
    );
    this.#consumers.add(consumer);
    return consumer;
  }

  stats(): Promise<QueueStats[]> {
    return this.#handle.exclusive(() => {
      const sql = this.#loop.sql();
      const now = this.#options.clock.now();
      const counts = new Map(QUEUE_NAMES.map((queue) => [queue as string, emptyCounts()]));
      // One read transaction, so that the two statements see the same snapshot.
      this.#handle.db.transaction(() => {
        for (const row of sql.stats.all(now)) {
          const c = counts.get(row.queue);
          if (!c) continue;
          // A due delayed job and an expired lease count as ready: the next poll takes them.
          if (row.state === 'ready' || row.due === 1) {
            c.ready += row.count;
            c.oldestReadyAt = Math.min(c.oldestReadyAt, row.oldest);
          } else if (row.state === 'delayed') c.delayed += row.count;
          else c.running += row.count;
        }
        for (const row of sql.deadLetterCounts.all()) {
          const c = counts.get(row.queue);
          if (c) c.deadLetters = row.count;
        }
      }).deferred();
      return QUEUE_NAMES.map((queue): QueueStats => {
        const { ready, delayed, running, deadLetters, oldestReadyAt } = counts.get(queue) ?? emptyCounts();
        const oldestReadyAgeMs = ready > 0 ? Math.max(0, now - oldestReadyAt) : 0;
        return { queue, ready, delayed, running, deadLetters, oldestReadyAgeMs };
      });
    });
  }

  listDeadLetters(queue: QueueName, options: { limit?: number; before?: string } = {}): Promise<DeadLetter[]> {
    try {
      checkQueue(queue);
    } catch (error) {
      return Promise.reject(error);
    }
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 50)), MAX_DEAD_LETTER_PAGE);
    return this.#handle.exclusive(() =>
      this.#loop.sql().listDeadLetters.all(queue, options.before ?? FIRST_PAGE, limit).map(toDeadLetter),
    );
  }

  async replayDeadLetter(id: string): Promise<string> {
    const replayed = await this.#handle.exclusive(() => {
      const sql = this.#loop.sql();
      const replay = this.#handle.db.transaction(() => {
        const dead = sql.deadLetterById.get(id);
        if (!dead) throw new TributaryError('NOT_FOUND', `No dead letter ${id}`);
        const now = this.#options.clock.now();
        const jobId = newId('job');
        const inserted = sql.insert.run(
          jobId, dead.queue, 'ready', dead.priority, now, dead.payload, dead.max_attempts,
          dead.idempotency_key, dead.correlation_id, now,
        );
        sql.deleteDeadLetter.run(id);
        // A live job holding the same idempotency key already does this work.
        const resultId = inserted.changes === 1 || dead.idempotency_key === null ? jobId : sql.idByKey.get(dead.queue, dead.idempotency_key)?.id;
        return { queue: dead.queue as QueueName, jobId: resultId ?? jobId };
      });
      return replay.immediate();
    });
    this.#loop.wake(replayed.queue);
    return replayed.jobId;
  }

  discardDeadLetter(id: string): Promise<void> {
    return this.#handle.exclusive(() => {
      if (this.#loop.sql().deleteDeadLetter.run(id).changes === 0) {
        throw new TributaryError('NOT_FOUND', `No dead letter ${id}`);
      }
    });
  }

  /** Stops every consumer (grace `stopGraceMs`), commits what is pending. Leaves the handle open: it is shared. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
      await this.#loop.flush();
      this.#loop.close();
    })();
    return this.#closing;
  }

  #row(queue: QueueName, payload: unknown, options: EnqueueOptions, now: number, index: number): JobRow {
    const priority = options.priority ?? 'normal';
    if (!JOB_PRIORITIES.includes(priority)) {
      throw new TributaryError('VALIDATION_FAILED', `Unknown priority ${String(priority)}`, { field: `jobs[${index}].priority` });
    }
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new TributaryError('VALIDATION_FAILED', 'delayMs must be a non-negative number', { field: `jobs[${index}].delayMs` });
    }
    const json = JSON.stringify(payload ?? null);
    if (json === undefined) {
      throw new TributaryError('VALIDATION_FAILED', 'The payload is not JSON-serialisable', { field: `jobs[${index}].payload` });
    }
    return {
      id: newId('job'),
      queue,
      state: delayMs > 0 ? 'delayed' : 'ready',
      priority: PRIORITY_RANK[priority],
      runAt: now + Math.ceil(delayMs),
      payload: json,
      maxAttempts: options.maxAttempts === undefined ? this.#options.maxAttempts : validInt(`jobs[${index}].maxAttempts`, options.maxAttempts),
      idempotencyKey: options.idempotencyKey ?? null,
      correlationId: options.correlationId ?? null,
      enqueuedAt: now,
    };
  }
}

function checkQueue(queue: string): asserts queue is QueueName {
  if (!(QUEUE_NAMES as readonly string[]).includes(queue)) {
    throw new TributaryError('VALIDATION_FAILED', `Unknown queue ${queue}`, { field: 'queue' });
  }
}

function validInt(field: string, value: number): number {
  try {
    return positiveInt(field, value);
  } catch {
    throw new TributaryError('VALIDATION_FAILED', `${field} must be a positive integer`, { field });
  }
}

function emptyCounts() {
  return { ready: 0, delayed: 0, running: 0, deadLetters: 0, oldestReadyAt: Infinity };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    jobId: row.job_id,
    queue: row.queue as QueueName,
    payload: JSON.parse(row.payload) as unknown,
    priority: RANK_PRIORITY[row.priority],
    attempts: row.attempts,
    category: row.category as ErrorCategory,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    idempotencyKey: row.idempotency_key,
    correlationId: row.correlation_id,
    enqueuedAt: row.enqueued_at,
    failedAt: row.failed_at,
  };
}
