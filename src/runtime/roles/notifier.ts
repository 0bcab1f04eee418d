import type { Notifications, NotifierRunOptions } from '../../notifications/index.ts';
import { runNotifier } from '../../notifications/index.ts';
import type { Locks } from '../../ports/locks.ts';
import type { RootLogger } from '../logging/logger.ts';

/**
 * What the notifier role needs of its start context. A structural subset of
 * RoleContext: once `Services` carries `notifications` (and ROLE_NAMES has 'notifier'),
 * `notifierRole` is a `Role` and registers as `ROLES.notifier`.
 */
export interface NotifierRoleContext {
  readonly services: { readonly notifications: Notifications; readonly locks?: Locks };
  readonly logger: RootLogger;
  /** Deliveries at once and the flush interval; defaults 4 and 15 s. */
  readonly notifier?: NotifierRunOptions;
}

/**
 * The notifier role: delivers the `notifications` queue to Slack and Teams and flushes
 * fold windows and digests on a timer. Safe to run in several processes at once (the
 * queue hands each job to one; each due window or digest is taken by one flusher).
 */
export const notifierRole = {
  name: 'notifier' as const,
  doc: 'Delivers notifications (Slack, Teams) from the notifications queue; sends folded repeats and digests when due.',
  async start(context: NotifierRoleContext): Promise<{ readonly name: 'notifier'; stop(): Promise<void> }> {
    const logger = context.logger.child({ role: 'notifier' });
    const { notifications } = context.services;
    // The locks make the entity change relay run in one process of a cluster at a time.
    const running = runNotifier(notifications, { ...(context.notifier ?? {}), ...(context.services.locks === undefined ? {} : { locks: context.services.locks }) });
    logger.info({ ...(context.notifier ?? {}) }, 'notifier role started');
    return {
      name: 'notifier',
      async stop() {
        await running.stop();
        logger.info({}, 'notifier role stopped');
      },
    };
  },
};
