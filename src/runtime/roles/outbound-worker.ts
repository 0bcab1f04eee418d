import type { Connection } from '../../domain/connection.ts';
import type { Consumer } from '../../ports/job-queue.ts';
import { PROVIDERS, isProviderId } from '../../providers/index.ts';
import type { Provider, ProviderContext } from '../../providers/provider.ts';
import { createOutboundHandler, relayPending, type PushJobPayload } from '../../sync/index.ts';
import type { Services } from '../services.ts';
import type { Role, RunningRole } from './role.ts';

export interface OutboundWorkerRoleOptions {
  providerFor: (id: string) => Provider | undefined;
  /** The connections feature's context builder (credential, rate limiter, retries, egress). */
  contextFor: (services: Services) => (connection: Connection, signal: AbortSignal) => ProviderContext;
  /** Pushes at once in this process (default 4; one entity is never pushed twice at once). */
  concurrency?: number;
  /** How often the relay looks for outbox rows not yet on the queue (default 1 s). */
  relayIntervalMs?: number;
}

/**
 * The outbound worker role: the outbox relay (committed outbox rows -> `sync-outbound`
 * jobs; writers relay their own rows at once, this loop catches what a crash left and
 * the rows pulls add) and the consumer that pushes each row's entity to its linked
 * providers (sync/push/outbound.ts). Stopping ends the loop and hands running jobs back.
 */
export function outboundWorkerRole(options: OutboundWorkerRoleOptions): Role {
  return {
    name: 'outbound-worker',
    doc: 'Relays the outbox to sync-outbound and pushes changes to the linked providers.',
    async start(context): Promise<RunningRole> {
      const { store, queue, locks, clock } = context.services;
      const logger = context.logger.child({ role: 'outbound-worker' });
      const leaseMs = context.workers.leaseMs;
      const handler = createOutboundHandler({
        store, locks, clock, logger, providerFor: options.providerFor, contextFor: options.contextFor(context.services), resolvers: context.services.resolvers, ...(leaseMs === null ? {} : { lockTtlMs: leaseMs }),
      });
      const consumer: Consumer = queue.consume<PushJobPayload>('sync-outbound', handler, { concurrency: options.concurrency ?? 4, leaseMs: leaseMs ?? 120_000 });
      let stopped = false;
      let pass: Promise<void> = Promise.resolve();
      const relay = async (): Promise<void> => {
        try {
          // Drain in passes of 500 so a backlog (a large pull's rows) is relayed without waiting a tick per pass.
          while (!stopped && (await relayPending({ store, queue, clock }, 500)) === 500);
        } catch (error) {
          logger.warn({ err: error }, 'outbox relay pass failed; retrying on the next tick');
        }
      };
      const timer = setInterval(() => {
        pass = pass.then(relay);
      }, options.relayIntervalMs ?? 1_000);
      pass = relay();
      logger.info({}, 'outbound-worker role started');
      return {
        name: 'outbound-worker',
        stop: async () => {
          stopped = true;
          clearInterval(timer);
          await pass;
          await consumer.stop(10_000);
        },
      };
    },
  };
}

const providerFor = (id: string): Provider | undefined => (isProviderId(id) ? PROVIDERS[id] : undefined);

/** Pushes over the process's services: every provider, the connections feature's contexts. */
export const outboundRole: Role = outboundWorkerRole({
  providerFor,
  contextFor: (services) => (connection, signal) => services.connections.providerContext(connection, { signal }),
});
