import { tracedEnqueues, type ProducerTracing } from '../../observability/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import { scheduleDue } from '../../sync/index.ts';
import { LeaderElection } from '../leader/leader-election.ts';
import { startRateLimitHistory } from './rate-limit-history.ts';
import { startRetentionPurge } from './retention-purge.ts';
import type { Role, RunningRole } from './role.ts';

/** The lease that makes one process the scheduler's leader. */
export const SCHEDULER_LEASE = 'role:scheduler';

/** Each scheduled run's enqueue: a `scheduler.enqueue` span that roots the run's trace, and a `sched_…` correlation id. */
export const SCHEDULED_SYNC_TRACING: ProducerTracing = Object.freeze({ span: 'scheduler.enqueue', origin: 'sched' });

export interface SyncSchedulerOptions {
  store: Store;
  queue: JobQueue;
  locks: Locks;
  clock: Clock;
  logger: Logger;
  /** Time between ticks (default 5 s). */
  tickMs?: number;
  /** Leader lease (default 15 s): another process takes over within this after the leader dies. */
  leaderLeaseMs?: number;
  owner?: string;
}

export interface SyncScheduler {
  /** One tick now, if this process leads; resolves with the jobs enqueued, or null when another process leads. */
  tick(): Promise<number | null>;
  /** Stops ticking, waits for a tick in progress and releases the lease. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Ticks every `tickMs`: while this process is the elected leader (LeaderElection on
 * `role:scheduler`), due integrations are enqueued on `sync-inbound` by priority, once
 * per integration (see sync/schedule/scheduler.ts), each job with a correlation id of
 * its own and, when tracing, in a `scheduler.enqueue` span. A dead leader's lease lapses and
 * another process takes over within `leaderLeaseMs`.
 */
export function startSyncScheduler(options: SyncSchedulerOptions): SyncScheduler {
  const tickMs = options.tickMs ?? 5_000;
  const election = new LeaderElection({
    locks: options.locks, name: SCHEDULER_LEASE, clock: options.clock, logger: options.logger,
    ...(options.leaderLeaseMs === undefined ? {} : { leaseMs: options.leaderLeaseMs }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  }).start();
  // The worker's run continues the trace of the enqueue, with the job's correlation id on its log lines.
  const queue = tracedEnqueues(options.queue, SCHEDULED_SYNC_TRACING);
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function pass(): Promise<number | null> {
    if (stopped || (await election.ensure()) === null) return null;
    return scheduleDue({ store: options.store, queue, clock: options.clock, logger: options.logger });
  }

  function tick(): Promise<number | null> {
    const next = running.then(pass, pass);
    running = next.catch((error: unknown) => options.logger.error({ err: error }, 'scheduler tick failed'));
    return next;
  }

  const timer = setInterval(() => {
    if (!stopped) void tick().catch(() => undefined);
  }, tickMs);
  timer.unref();
  void tick().catch(() => undefined);

  return {
    tick,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      await election.stop();
    },
  };
}

/** The scheduler role over the process's services. */
export const schedulerRole: Role = {
  name: 'scheduler',
  doc: 'Enqueues due syncs on sync-inbound, by priority, samples rate-limit usage into its history and purges expired rows; each in one process at a time.',
  async start(context): Promise<RunningRole> {
    const { store, queue, locks, clock } = context.services;
    const logger = context.logger.child({ role: 'scheduler' });
    const scheduler = startSyncScheduler({ store, queue, locks, clock, logger, leaderLeaseMs: context.leader.leaseMs });
    // The usage history is another singleton periodic job: it rides on this role, under its own lease.
    const history = startRateLimitHistory({ sampler: context.services.rateLimitHistory, locks, clock, logger, leaderLeaseMs: context.leader.leaseMs });
    const purge = startRetentionPurge({ store, locks, clock, logger, intervalMs: context.retention.purgeIntervalMs, leaderLeaseMs: context.leader.leaseMs });
    logger.info({}, 'scheduler role started');
    return { name: 'scheduler', stop: async () => void (await Promise.all([scheduler.stop(), history.stop(), purge.stop()])) };
  },
};
