import type { Connection } from '../../domain/connection.ts';
import type { Consumer } from '../../ports/job-queue.ts';
import { PROVIDERS, isProviderId } from '../../providers/index.ts';
import type { Provider, ProviderContext } from '../../providers/provider.ts';
import { createInboundHandler, type SyncJobPayload } from '../../sync/index.ts';
import { conflictsWaitingSink } from '../../notifications/index.ts';
import type { Services } from '../services.ts';
import type { Role, RunningRole } from './role.ts';
import { webhookWorkerRole } from './webhook-worker.ts';

export interface InboundWorkerRoleOptions {
  /** The provider registry (providers/index.ts `providerById`). */
  providerFor: (id: string) => Provider | undefined;
  /** The connections feature's context builder, from the process's services. */
  contextFor: (services: Services) => (connection: Connection, signal: AbortSignal) => ProviderContext;
  /** Pulls run at once in this process (default 2). */
  concurrency?: number;
  pageSize?: number;
}

/**
 * The inbound worker role: consumes `sync-inbound`, each job a pull of one integration
 * under its lease (see sync/worker/inbound.ts). Stopping hands running jobs back to the
 * queue; they resume from their last committed page wherever they run next.
 */
export function inboundWorkerRole(options: InboundWorkerRoleOptions): Role {
  return {
    name: 'inbound-worker',
    doc: 'Runs pulls from sync-inbound.',
    async start(context): Promise<RunningRole> {
      const { store, queue, locks, clock } = context.services;
      const logger = context.logger.child({ role: 'inbound-worker' });
      // TRIBUTARY_WORKER_LEASE_MS: the job lease and the integration's lock, so that both come back together.
      const leaseMs = context.workers.leaseMs;
      // Finished runs are reported (sync.failed, sync.recovered, run.partial, dedup reviews, host run.completed).
      const handler = context.services.notifications.runs.wrap(createInboundHandler({
        store, locks, clock, logger, providerFor: options.providerFor, contextFor: options.contextFor(context.services), pageSize: options.pageSize,
        ...(leaseMs === null ? {} : { lockTtlMs: leaseMs }),
        onConflictsWaiting: conflictsWaitingSink(context.services.notifications.sink),
        resolvers: context.services.resolvers,
      }));
      const consumer: Consumer = queue.consume<SyncJobPayload>('sync-inbound', handler, { concurrency: options.concurrency ?? 2, leaseMs: leaseMs ?? 120_000 });
      logger.info({}, 'inbound-worker role started');
      return { name: 'inbound-worker', stop: () => consumer.stop(10_000) };
    },
  };
}

const providerFor = (id: string): Provider | undefined => (isProviderId(id) ? PROVIDERS[id] : undefined);
const contextFor = (services: Services) => (connection: Connection, signal: AbortSignal) => services.connections.providerContext(connection, { signal });

/** Pulls only, over the process's services: every provider, the connections feature's contexts. */
export const syncInboundWorkerRole: Role = inboundWorkerRole({ providerFor, contextFor });

const webhookEvents = webhookWorkerRole({ providerFor, contextFor, registrations: (services) => services.webhookRegistrations });

/**
 * The `inbound-worker` role as processes run it: pulls from `sync-inbound`, and the
 * verified webhook events of `webhook-events` (each a targeted fetch, a tombstone or an
 * incremental run), since both bring provider changes in through the same pipeline.
 */
export const inboundRole: Role = {
  name: 'inbound-worker',
  doc: 'Runs pulls from sync-inbound and processes verified webhook events from webhook-events.',
  async start(context): Promise<RunningRole> {
    const pulls = await syncInboundWorkerRole.start(context);
    let events: { stop(): Promise<void> };
    try {
      events = await webhookEvents.start(context);
    } catch (error) {
      await pulls.stop();
      throw error;
    }
    return {
      name: 'inbound-worker',
      stop: async () => {
        await Promise.all([events.stop(), pulls.stop()]);
      },
    };
  },
};
