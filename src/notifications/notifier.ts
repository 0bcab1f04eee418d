import { randomUUID } from 'node:crypto';
import type { Consumer, Job } from '../ports/job-queue.ts';
import type { Locks } from '../ports/locks.ts';
import { deliverOperatorAlert, isOperatorAlertJob, type OperatorAlertJob } from './operator.ts';
import { DeadLetterWatcher } from './dead-letters.ts';
import type { DeliveryJob, NotificationDispatcher } from './dispatcher.ts';
import type { HostEventDeliverer, HostEventJob } from './host-events/index.ts';
import type { ResolvedNotificationOptions } from './options.ts';

export interface NotifierRunOptions {
  /** Deliveries at once in this process. Default 4. */
  concurrency?: number;
  /** How often ended fold windows and due digests are flushed (and expired host-event deliveries purged). Default 15 s. */
  flushIntervalMs?: number;
  /** Dead letters of one tenant in one flush interval before `dead_letters.growing`. Default 1. */
  deadLetterThreshold?: number;
  /**
   * When given, the entity change relay runs under the lease `notifications:entity-changes`
   * (one relay in a cluster); without it this process relays on every flush.
   */
  locks?: Locks;
}

/** The lease the entity change relay holds while it checks. */
export const ENTITY_RELAY_LEASE = 'notifications:entity-changes';

export interface RunningNotifier {
  /** Flushes once now (also what the timer does). */
  flushNow(): Promise<void>;
  /** Stops the timer, waits for a flush in progress and stops consuming. Idempotent. */
  stop(): Promise<void>;
}

/** What the notifier runs: the pieces of `createNotifications`' result it needs. */
export interface NotifierParts {
  readonly options: ResolvedNotificationOptions;
  readonly dispatcher: NotificationDispatcher;
  readonly hostEvents: { readonly deliverer: HostEventDeliverer; readonly entityChanges?: { check(): Promise<number> } };
}

/**
 * Consumes the `notifications` queue (notices to Slack and Teams, and host-event
 * deliveries, told apart by the payload's `kind`) and flushes fold windows and digests
 * on a timer.
 * Flushing is safe from several processes at once: each due window or digest is taken
 * (deleted) atomically by one of them.
 */
export function runNotifier(parts: NotifierParts, run: NotifierRunOptions = {}): RunningNotifier {
  const { options, dispatcher } = parts;
  const handler = async (job: Job<DeliveryJob | HostEventJob | OperatorAlertJob>): Promise<void> => {
    const payload = job.payload;
    if ('kind' in payload && payload.kind === 'host_event') return parts.hostEvents.deliverer.handle(payload);
    if (isOperatorAlertJob(payload)) return deliverOperatorAlert(options, payload);
    return dispatcher.handle(job as Job<DeliveryJob>);
  };
  const consumer: Consumer = options.queue.consume('notifications', handler, { concurrency: run.concurrency ?? 4 });
  const intervalMs = run.flushIntervalMs ?? 15_000;
  const deadLetters = new DeadLetterWatcher(options.queue, dispatcher.sink, options.clock, { threshold: run.deadLetterThreshold ?? 1 });
  const owner = `notifier:${process.pid}:${randomUUID()}`;
  const relayEntityChanges = async (): Promise<void> => {
    const relay = parts.hostEvents.entityChanges;
    if (relay === undefined) return;
    if (run.locks === undefined) {
      await relay.check();
      return;
    }
    const lease = await run.locks.acquire(ENTITY_RELAY_LEASE, owner, Math.max(60_000, intervalMs * 4));
    if (lease === null) return;
    try {
      await relay.check();
    } finally {
      await run.locks.release(lease).catch(() => undefined);
    }
  };
  let flushing: Promise<void> = Promise.resolve();
  let stopped = false;
  const flushNow = (): Promise<void> => {
    flushing = flushing.then(async () => {
      try {
        await dispatcher.flush();
        await deadLetters.check();
        await relayEntityChanges();
        // Host-event deliveries past their retention (30 days) go in batches.
        await options.store.eventSubscriptions.purgeDeliveries(new Date(options.clock.now()).toISOString(), 1000);
      } catch (error) {
        options.logger.error({ err: error }, 'notification flush failed');
      }
    });
    return flushing;
  };
  const timer = setInterval(() => void flushNow(), intervalMs);
  timer.unref();
  return {
    flushNow,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await flushing;
      await consumer.stop();
    },
  };
}
