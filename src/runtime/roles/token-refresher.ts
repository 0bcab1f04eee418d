import type { CredentialService } from '../../credentials/index.ts';
import { runWithLogContext } from '../../observability/index.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Locks } from '../../ports/locks.ts';
import { startSingletonJob } from '../leader/singleton-job.ts';
import type { Role, RunningRole } from './role.ts';

/** The lease that makes one process the token refresher's leader. */
export const TOKEN_REFRESHER_LEASE = 'role:token-refresher';

export interface TokenRefresherOptions {
  credentials: Pick<CredentialService, 'refreshExpiring'>;
  locks: Locks;
  logger: Logger;
  /** Time between passes (default 6 h). */
  intervalMs: number;
  /** A pass refreshes credentials expiring within this (default 60 min). */
  windowMs: number;
  /** This process's lease owner; default host, pid and a random part. */
  owner?: string;
  /** Leader lease (default 15 s): another process takes over within this after the leader dies. */
  leaderLeaseMs?: number;
  /** Judges the leader lease locally (default: the system clock). */
  clock?: Clock;
  /** Run the first pass at once (default true); false: the first pass is one interval away. */
  runAtStart?: boolean;
}

export interface TokenRefresher {
  /** Runs one pass now, if this process holds (or wins) the leader lease. Resolves with what it did, or null when another process leads. */
  runOnce(): Promise<{ refreshed: number; failed: number; skipped: number } | null>;
  /** Stops the timer, waits for a pass in progress and releases the lease. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Refreshes the credentials that expire within the window, every interval, in one
 * process at a time: a pass runs only while this process is the elected leader
 * (LeaderElection on `role:token-refresher`), so two processes never scan together; if
 * the leader dies, another one takes over once its lease lapses. Each credential's
 * refresh is single-flight on its own (credentials/), so even an overlap would not use a
 * rotating refresh token twice. The first pass runs at start, catching up on anything
 * that came due while no process ran.
 */
export function startTokenRefresher(options: TokenRefresherOptions): TokenRefresher {
  const job = startSingletonJob({
    lease: TOKEN_REFRESHER_LEASE,
    name: 'token refresher pass',
    intervalMs: options.intervalMs,
    alignToInterval: false,
    runAtStart: options.runAtStart !== false,
    locks: options.locks,
    clock: options.clock ?? { now: () => Date.now() },
    logger: options.logger,
    ...(options.leaderLeaseMs === undefined ? {} : { leaderLeaseMs: options.leaderLeaseMs }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    run: async () => {
      // Its log lines, and the credential reads it audits, name the task.
      const result = await runWithLogContext({ task: 'token-refresher' }, () => options.credentials.refreshExpiring(options.windowMs));
      if (result.refreshed + result.failed > 0) options.logger.info(result, 'token refresher pass');
      return result;
    },
  });
  return { runOnce: () => job.runNow(), stop: () => job.stop() };
}

/** The token-refresher role: `startTokenRefresher` over the platform's services and configuration. */
export const tokenRefresherRole: Role = {
  name: 'token-refresher',
  doc: 'Refreshes credentials before they expire (every 6 h, those expiring within 60 min; one leader at a time).',
  async start(context): Promise<RunningRole> {
    const logger = context.logger.child({ role: 'token-refresher' });
    const refresher = startTokenRefresher({
      credentials: context.services.credentials,
      locks: context.services.locks,
      logger,
      intervalMs: context.tokenRefresher.intervalMs,
      windowMs: context.tokenRefresher.windowMs,
      leaderLeaseMs: context.leader.leaseMs,
      clock: context.services.clock,
    });
    logger.info({ intervalMs: context.tokenRefresher.intervalMs, windowMs: context.tokenRefresher.windowMs }, 'token-refresher role started');
    return {
      name: 'token-refresher',
      async stop() {
        await refresher.stop();
        logger.info({}, 'token-refresher role stopped');
      },
    };
  },
};
