import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { Lease, Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import { scheduleDue } from '../../sync/index.ts';
import type { Role, RunningRole } from './role.ts';

/** The lease that makes one process the scheduler's leader. */
export const SCHEDULER_LEASE = 'role:scheduler';

export interface SyncSchedulerOptions {
  store: Store;
  queue: JobQueue;
  locks: Locks;
  clock: Clock;
  logger: Logger;
  /** Time between ticks (default 5 s). */
  tickMs?: number;
  owner?: string;
}

export interface SyncScheduler {
  /** One tick now, if this process leads; resolves with the jobs enqueued, or null when another process leads. */
  tick(): Promise<number | null>;
  /** Stops ticking, waits for a tick in progress and releases the lease. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Ticks every `tickMs`: while this process holds the leader lease (renewed by each tick,
 * lasting a few ticks), due integrations are enqueued on `sync-inbound` by priority,
 * once per integration (see sync/schedule/scheduler.ts). A dead leader's lease lapses
 * and another process takes over.
 */
export function startSyncScheduler(options: SyncSchedulerOptions): SyncScheduler {
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const tickMs = options.tickMs ?? 5_000;
  const leaseMs = tickMs * 4 + 5_000;
  let lease: Lease | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function pass(): Promise<number | null> {
    lease = await options.locks.acquire(SCHEDULER_LEASE, owner, leaseMs);
    if (lease === null) return null;
    return scheduleDue({ store: options.store, queue: options.queue, clock: options.clock, logger: options.logger });
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
      if (lease) await options.locks.release(lease).catch(() => undefined);
    },
  };
}

/** The scheduler role over the process's services. */
export const schedulerRole: Role = {
  name: 'scheduler',
  doc: 'Enqueues due syncs on sync-inbound, by priority, in one process at a time.',
  async start(context): Promise<RunningRole> {
    const { store, queue, locks, clock } = context.services;
    const logger = context.logger.child({ role: 'scheduler' });
    const scheduler = startSyncScheduler({ store, queue, locks, clock, logger });
    logger.info({}, 'scheduler role started');
    return { name: 'scheduler', stop: () => scheduler.stop() };
  },
};
