import type { BackoffPolicy } from '../../domain/backoff.ts';
import type { Clock, RandomSource } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { nonNegativeInt, positiveInt, silentLogger } from '../job-options.ts';

/** What the composition root passes to `SqliteJobQueue`. Everything but `clock` has a default. */
export interface SqliteJobQueueOptions {
  clock: Clock;
  /** Jitter source for retry backoff. Default `Math.random`. */
  random?: RandomSource;
  logger?: Logger;
  /** Attempts before a failing job is dead-lettered, unless the job sets its own. Default 5. */
  maxAttempts?: number;
  /** Default lease (visibility timeout) of a consumer. Default 30 000. */
  leaseMs?: number;
  /** Retry backoff: full jitter over [0, min(maxMs, baseMs * 2^(attempt-1))). Defaults 1000 / 300 000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Longest pause between polls of an empty queue. Default 100. */
  pollMs?: number;
  /** Longest a finished job waits to share its acknowledgement's commit with others. Default 2. */
  flushMs?: number;
  /** Commit at once when this many acknowledgements are waiting. Default 256. */
  flushBatch?: number;
  /** Most jobs one consumer claims in one commit. Default 256. */
  claimBatch?: number;
  /** Grace of `close()` (and of `Consumer.stop()` without an argument). Default 10 000. */
  stopGraceMs?: number;
}

export interface ResolvedSqliteJobQueueOptions {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly backoff: BackoffPolicy;
  readonly pollMs: number;
  readonly flushMs: number;
  readonly flushBatch: number;
  readonly claimBatch: number;
  readonly stopGraceMs: number;
}

/** The one place the queue's defaults live (STYLE.md 10). Throws CONFIG_INVALID on nonsense. */
export function resolveSqliteJobQueueOptions(options: SqliteJobQueueOptions): ResolvedSqliteJobQueueOptions {
  const resolved: ResolvedSqliteJobQueueOptions = {
    clock: options.clock,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? 5),
    leaseMs: positiveInt('leaseMs', options.leaseMs ?? 30_000),
    backoff: {
      baseMs: positiveInt('backoff.baseMs', options.backoff?.baseMs ?? 1000),
      maxMs: positiveInt('backoff.maxMs', options.backoff?.maxMs ?? 300_000),
    },
    pollMs: positiveInt('pollMs', options.pollMs ?? 100),
    flushMs: nonNegativeInt('flushMs', options.flushMs ?? 2),
    flushBatch: positiveInt('flushBatch', options.flushBatch ?? 256),
    claimBatch: positiveInt('claimBatch', options.claimBatch ?? 256),
    stopGraceMs: nonNegativeInt('stopGraceMs', options.stopGraceMs ?? 10_000),
  };
  return Object.freeze(resolved);
}
