import type { Clock } from '../../ports/clock.ts';
import type { Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import { startSingletonJob, type SingletonJob } from '../leader/singleton-job.ts';

/** The lease that makes one process the store's retention purger. */
export const RETENTION_PURGE_LEASE = 'store:retention';

export interface RetentionPurgeOptions {
  readonly store: Pick<Store, 'purgeExpired'>;
  readonly locks: Locks;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** Leader lease (default 15 s). */
  readonly leaderLeaseMs?: number;
  readonly owner?: string;
}

/**
 * Deletes the rows whose retention has passed (sync results and finished runs, token
 * refresh and webhook delivery audits, credential access entries, processed intake
 * events and outbox rows, rate-limit samples: each writer sets its row's expiry), once
 * per interval in one process at a time. The store deletes in small batches, so the
 * purge never holds the database for long; two purgers overlapping in a hand-over only
 * find less to delete.
 */
export function startRetentionPurge(options: RetentionPurgeOptions): SingletonJob<number> {
  const { store, clock, logger, intervalMs, ...job } = options;
  return startSingletonJob({
    ...job, clock, logger, intervalMs,
    lease: RETENTION_PURGE_LEASE,
    name: 'retention purge',
    run: async () => {
      const purged = await store.purgeExpired(clock.now());
      if (purged > 0) logger.info({ purged }, 'expired rows purged');
      return purged;
    },
  });
}
