import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { FastifyInstance } from 'fastify';
import type { JobHandler, QueueName } from '../ports/job-queue.ts';
import { PROVIDERS, isProviderId } from '../providers/index.ts';
import type { Provider } from '../providers/provider.ts';
import { conflictsWaitingSink } from '../notifications/index.ts';
import { createInboundHandler, createOutboundHandler, relayPending, scheduleDue, type PushJobPayload, type SyncJobPayload } from '../sync/index.ts';
import { createWebhookEventHandler, sweepPendingWebhookEvents, type WebhookEventJob } from '../webhooks/index.ts';
import { buildApi } from '../runtime/api/build-api.ts';
import type { RootLogger } from '../runtime/logging/logger.ts';
import { buildWebhookServer } from '../runtime/roles/webhook-receiver.ts';
import { SCHEDULED_SYNC_TRACING } from '../runtime/roles/scheduler.ts';
import { tracedEnqueues } from '../observability/index.ts';
import type { Services } from '../runtime/services.ts';
import { serveWithFastify } from './http-bridge.ts';
import { jobFromTrigger } from './trigger-job.ts';

/** What the functions run on: the platform's services, built once per Functions host instance. */
export interface FunctionsHost {
  services(): Promise<Services>;
  readonly logger: RootLogger;
  /** The token refresher's window: credentials expiring within it are refreshed. */
  readonly refreshWindowMs: number;
}

export interface AzureHandlers {
  syncScheduler(timer: Timer, context: InvocationContext): Promise<number>;
  tokenRefresher(timer: Timer, context: InvocationContext): Promise<{ refreshed: number; failed: number; skipped: number }>;
  outboxRelay(timer: Timer, context: InvocationContext): Promise<number>;
  rateLimitHistory(timer: Timer, context: InvocationContext): Promise<number>;
  syncInboundWorker(message: unknown, context: InvocationContext): Promise<void>;
  syncOutboundWorker(message: unknown, context: InvocationContext): Promise<void>;
  webhookEventsWorker(message: unknown, context: InvocationContext): Promise<void>;
  webhookMaintenance(timer: Timer, context: InvocationContext): Promise<{ swept: number; renewed: number }>;
  webhookReceiver(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit>;
  api(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit>;
}

const providerFor = (id: string): Provider | undefined => (isProviderId(id) ? PROVIDERS[id] : undefined);

/**
 * The Azure Functions entry points, each a thin shell over the runtime's own handlers
 * (STYLE.md 11): the scheduler's `scheduleDue`, the credentials' `refreshExpiring`, the
 * workers' job handlers (pulls, pushes, webhook events), the outbox relay, the webhook
 * maintenance sweep, the rate-limit usage sampler, and the API and webhook Fastify apps. Singleton
 * roles need no leader election here: the Functions host runs a timer trigger on one
 * instance at a time. A worker failure is rethrown: Service Bus redelivers the message
 * (attempt + 1) until the queue's max delivery count, then dead-letters it.
 */
export function createAzureHandlers(host: FunctionsHost): AzureHandlers {
  const once = <T>(build: (services: Services) => T | Promise<T>): (() => Promise<T>) => {
    let built: Promise<T> | null = null;
    return () => (built ??= host.services().then(build));
  };
  const inbound = once((s) =>
    s.notifications.runs.wrap(createInboundHandler({
      store: s.store, locks: s.locks, clock: s.clock, logger: host.logger.child({ function: 'SyncInboundWorker' }), providerFor,
      contextFor: (connection, signal) => s.connections.providerContext(connection, { signal }),
      resolvers: s.resolvers,
      onConflictsWaiting: conflictsWaitingSink(s.notifications.sink),
    })),
  );
  const outbound = once((s) =>
    createOutboundHandler({
      store: s.store, locks: s.locks, clock: s.clock, logger: host.logger.child({ function: 'SyncOutboundWorker' }), providerFor,
      contextFor: (connection, signal) => s.connections.providerContext(connection, { signal }),
      resolvers: s.resolvers,
    }),
  );
  const webhookEvents = once((s) =>
    createWebhookEventHandler({
      store: s.store, queue: s.queue, clock: s.clock, logger: host.logger.child({ function: 'WebhookEventsWorker' }), providerFor,
      contextFor: (connection, signal) => s.connections.providerContext(connection, { signal }),
      resolvers: s.resolvers,
    }),
  );
  const webhookApp = once(async (s) => ready(buildWebhookServer(s, { logger: host.logger })));
  const apiApp = once(async (s) => ready(buildApi(s, { logger: host.logger, docs: false }) as unknown as FastifyInstance));

  const runJob = async <P>(queue: QueueName, handler: JobHandler<P>, message: unknown, context: InvocationContext): Promise<void> => {
    const job = jobFromTrigger<P>(queue, message, context.triggerMetadata);
    context.log(`${queue} job ${job.id}, attempt ${job.attempt}`);
    // The Functions host ends the invocation at functionTimeout; the signal is for the handler's own checks.
    await handler(job, new AbortController().signal);
  };

  return {
    syncScheduler: async (_timer, context) => {
      const s = await host.services();
      // As the scheduler role does: each run's trace starts at its enqueue.
      const queue = tracedEnqueues(s.queue, SCHEDULED_SYNC_TRACING);
      const enqueued = await scheduleDue({ store: s.store, queue, clock: s.clock, logger: host.logger.child({ function: 'SyncScheduler' }) });
      context.log(`enqueued ${enqueued} due syncs`);
      return enqueued;
    },
    tokenRefresher: async (_timer, context) => {
      const result = await (await host.services()).credentials.refreshExpiring(host.refreshWindowMs);
      context.log(`token refresh: ${result.refreshed} refreshed, ${result.failed} failed, ${result.skipped} skipped`);
      return result;
    },
    outboxRelay: async () => {
      const s = await host.services();
      let total = 0;
      for (let relayed = 500; relayed === 500; total += relayed) relayed = await relayPending({ store: s.store, queue: s.queue, clock: s.clock }, 500);
      return total;
    },
    rateLimitHistory: async (_timer, context) => {
      const stored = await (await host.services()).rateLimitHistory.sample();
      context.log(`rate-limit history: ${stored} samples stored`);
      return stored;
    },
    syncInboundWorker: async (message, context) => runJob<SyncJobPayload>('sync-inbound', await inbound(), message, context),
    syncOutboundWorker: async (message, context) => runJob<PushJobPayload>('sync-outbound', await outbound(), message, context),
    webhookEventsWorker: async (message, context) => runJob<WebhookEventJob>('webhook-events', await webhookEvents(), message, context),
    webhookMaintenance: async (_timer, context) => {
      const s = await host.services();
      const swept = await sweepPendingWebhookEvents({ store: s.store, queue: s.queue, clock: s.clock });
      const renewed = await s.webhookRegistrations.renewExpiring();
      context.log(`webhook maintenance: ${swept} pending events re-enqueued, ${renewed} channels renewed`);
      return { swept, renewed };
    },
    webhookReceiver: async (request) => serveWithFastify(await webhookApp(), request),
    api: async (request) => serveWithFastify(await apiApp(), request),
  };
}

async function ready<T extends { ready(): PromiseLike<unknown> }>(app: T): Promise<T> {
  await app.ready();
  return app;
}
