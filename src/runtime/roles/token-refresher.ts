import type { CredentialService } from '../../credentials/index.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Locks } from '../../ports/locks.ts';
import { LeaderElection } from '../leader/leader-election.ts';
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
  const election = new LeaderElection({
    locks: options.locks, name: TOKEN_REFRESHER_LEASE, logger: options.logger, clock: options.clock ?? { now: () => Date.now() },
    ...(options.leaderLeaseMs === undefined ? {} : { leaseMs: options.leaderLeaseMs }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  }).start();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function pass(): Promise<{ refreshed: number; failed: number; skipped: number } | null> {
    if (stopped) return null;
    if ((await election.ensure()) === null) {
      options.logger.debug({}, 'token refresher: another process leads');
      return null;
    }
    const result = await options.credentials.refreshExpiring(options.windowMs);
    if (result.refreshed + result.failed > 0) options.logger.info(result, 'token refresher pass');
    return result;
  }

  function runOnce(): Promise<{ refreshed: number; failed: number; skipped: number } | null> {
    const next = running.then(pass, pass);
    running = next.catch(() => undefined);
    return next;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      if (stopped) return;
      runOnce()
        .catch((error: unknown) => options.logger.error({ err: error }, 'token refresher pass failed'))
        .finally(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  }

  schedule(options.runAtStart === false ? options.intervalMs : 0);
  return {
    runOnce,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
      await election.stop();
    },
  };
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
