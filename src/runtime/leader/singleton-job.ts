import type { Clock } from '../../ports/clock.ts';
import type { Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import { LeaderElection } from './leader-election.ts';

export interface SingletonJobOptions<T> {
  /** The lease that makes one process run the job (`ratelimit:history`). */
  readonly lease: string;
  /** Named in the log line of a failed pass. */
  readonly name: string;
  readonly intervalMs: number;
  /** Passes just after each multiple of the interval (default), or an interval after the last pass ended. */
  readonly alignToInterval?: boolean;
  /** A pass at start (default), or the first one an interval away. */
  readonly runAtStart?: boolean;
  /** One pass of the work; runs only in the process that holds the lease. */
  readonly run: () => Promise<T>;
  readonly locks: Locks;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Leader lease (default 15 s). */
  readonly leaderLeaseMs?: number;
  readonly owner?: string;
}

export interface SingletonJob<T> {
  /** One pass now, if this process leads: its result, or null when another process leads. */
  runNow(): Promise<T | null>;
  /** Stops the timer, waits for a pass in progress and releases the lease. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A periodic job that runs in one process of a cluster at a time (LeaderElection on its
 * own lease): a pass at start, then one just after each interval boundary, so every
 * interval gets its pass even when timers drift (or, unaligned, an interval after each
 * pass). Passes never overlap within a process; the work must tolerate the short overlap
 * of a leader hand-over (see LeaderElection).
 */
export function startSingletonJob<T>(options: SingletonJobOptions<T>): SingletonJob<T> {
  const { clock, logger, intervalMs } = options;
  const election = new LeaderElection({
    locks: options.locks, name: options.lease, clock, logger,
    ...(options.leaderLeaseMs === undefined ? {} : { leaseMs: options.leaderLeaseMs }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  }).start();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function pass(): Promise<T | null> {
    if (stopped || (await election.ensure()) === null) return null;
    return options.run();
  }

  function runNow(): Promise<T | null> {
    const next = running.then(pass, pass);
    running = next.catch((error: unknown) => logger.error({ err: error, job: options.name }, `${options.name} failed`));
    return next;
  }

  function schedule(): void {
    if (stopped) return;
    // Aligned: just past the next boundary, so the pass falls in the interval it is meant for.
    const delay = options.alignToInterval === false ? intervalMs : intervalMs - (clock.now() % intervalMs) + Math.min(1_000, Math.floor(intervalMs / 10));
    timer = setTimeout(() => {
      void runNow()
        .catch(() => undefined)
        .finally(schedule);
    }, delay);
    timer.unref();
  }

  if (options.runAtStart !== false) void runNow().catch(() => undefined);
  schedule();
  return {
    runNow,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
      await election.stop();
    },
  };
}
