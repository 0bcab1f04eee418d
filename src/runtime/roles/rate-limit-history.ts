import type { Clock } from '../../ports/clock.ts';
import type { Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { RateLimitHistorySampler } from '../../ratelimit/index.ts';
import { startSingletonJob } from '../leader/singleton-job.ts';

/** The lease that makes one process the rate-limit history's sampler. */
export const RATE_LIMIT_HISTORY_LEASE = 'ratelimit:history';

export interface RateLimitHistoryJobOptions {
  readonly sampler: RateLimitHistorySampler;
  readonly locks: Locks;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Leader lease (default 15 s). */
  readonly leaderLeaseMs?: number;
  readonly owner?: string;
}

export interface RateLimitHistoryJob {
  /** One pass now, if this process leads: the samples stored, or null when another process leads. */
  sample(): Promise<number | null>;
  /** Stops the timer, waits for a pass in progress and releases the lease. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Samples the limiter's budgets into the usage history once per interval, in one process
 * at a time (a singleton job on `ratelimit:history`). A process that overlaps the leader
 * during a hand-over stores nothing twice (samples are keyed by budget and interval start).
 */
export function startRateLimitHistory(options: RateLimitHistoryJobOptions): RateLimitHistoryJob {
  const { sampler, ...job } = options;
  const started = startSingletonJob({ ...job, lease: RATE_LIMIT_HISTORY_LEASE, name: 'rate-limit history sample', intervalMs: sampler.options.intervalMs, run: () => sampler.sample() });
  return { sample: () => started.runNow(), stop: () => started.stop() };
}
