import type { Connection } from '../../domain/connection.ts';
import type { Consumer } from '../../ports/job-queue.ts';
import type { Provider, ProviderContext } from '../../providers/provider.ts';
import { createWebhookEventHandler, sweepPendingWebhookEvents, type WebhookEventJob, type WebhookRegistrations } from '../../webhooks/index.ts';
import type { Services } from '../services.ts';
import type { RoleContext, RunningRole } from './role.ts';

export interface WebhookWorkerRoleOptions {
  providerFor: (id: string) => Provider | undefined;
  contextFor: (services: Services) => (connection: Connection, signal: AbortSignal) => ProviderContext;
  /** When given, Google watch channels are renewed before they expire. */
  registrations?: (services: Services) => WebhookRegistrations;
  /** Events processed at once in this process (default 4). */
  concurrency?: number;
  /** How often the recovery sweep and channel renewal run (default 60 s). */
  sweepEveryMs?: number;
}

/**
 * The webhook worker role: consumes `webhook-events` (webhooks/worker.ts turns each
 * event into a targeted fetch, a tombstone or an incremental run), and every minute
 * re-enqueues events left pending (`sweepPendingWebhookEvents`) and renews watch
 * channels close to expiry. Stopping hands running jobs back to the queue.
 *
 * It runs inside the `inbound-worker` role (roles/inbound-worker.ts), not as a role of
 * its own: provider events and pulls are the same kind of work.
 */
export function webhookWorkerRole(options: WebhookWorkerRoleOptions) {
  return {
    name: 'webhook-worker' as const,
    doc: 'Processes verified webhook events from webhook-events.',
    async start(context: RoleContext): Promise<Omit<RunningRole, 'name'> & { name: 'webhook-worker' }> {
      const { store, queue, clock } = context.services;
      const logger = context.logger.child({ role: 'webhook-worker' });
      const handler = createWebhookEventHandler({ store, queue, clock, logger, providerFor: options.providerFor, contextFor: options.contextFor(context.services), resolvers: context.services.resolvers });
      const consumer: Consumer = queue.consume<WebhookEventJob>('webhook-events', handler, { concurrency: options.concurrency ?? 4, leaseMs: context.workers.leaseMs ?? 60_000 });
      const registrations = options.registrations?.(context.services);
      let sweeping = false;
      const timer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void (async () => {
          try {
            const swept = await sweepPendingWebhookEvents({ store, queue, clock });
            const renewed = registrations ? await registrations.renewExpiring() : 0;
            if (swept > 0 || renewed > 0) logger.info({ swept, renewed }, 'webhook maintenance');
          } catch (error) {
            logger.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, 'webhook maintenance failed');
          } finally {
            sweeping = false;
          }
        })();
      }, options.sweepEveryMs ?? 60_000);
      timer.unref();
      logger.info({}, 'webhook-worker role started');
      return {
        name: 'webhook-worker',
        stop: async () => {
          clearInterval(timer);
          await consumer.stop(10_000);
        },
      };
    },
  };
}
