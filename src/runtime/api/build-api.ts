import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { newId } from '../../domain/ids.ts';
import { runWithRequestContext } from '../../observability/index.ts';
import type { RootLogger } from '../logging/logger.ts';
import type { Services } from '../services.ts';
import { errorHandling } from './errors/error-handler.ts';
import { authentication } from './plugins/auth.ts';
import { tenantScoped } from './plugins/tenant-scope.ts';
import { rateLimitRoutes } from './rate-limit-routes.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { connectionRoutes } from './routes/connections.ts';
import { entityRoutes } from './routes/entities.ts';
import { conflictRoutes } from './routes/conflicts.ts';
import { dedupReviewRoutes } from './routes/dedup-reviews.ts';
import { mergeRoutes } from './routes/merges.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { mappingPreviewRoutes } from './routes/mapping-preview.ts';
import { PROVIDERS, isProviderId } from '../../providers/index.ts';
import { runRoutes } from './routes/runs.ts';
import { eventSubscriptionRoutes } from './routes/event-subscriptions.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { oauthCallbackRoutes } from './routes/oauth-callback.ts';
import { auditRoutes } from './routes/audit.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { httpMetricsHook, metricsRoutes } from './routes/metrics.ts';
import { tenantCollectionRoutes, tenantItemRoutes } from './routes/tenants.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { webhookReplayRoutes } from './routes/webhook-replay.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { mappingTransformRoutes } from './routes/mapping-transforms.ts';
import { DeadLetterAdmin } from '../../queues/index.ts';
import { WebhookDeliveryReplay } from '../../webhooks/index.ts';
import { webhookReceiverRoutes } from './webhook-receiver.ts';
import { uiRoutes } from './ui-routes.ts';

export type ApiServices = Pick<Services, 'tenants' | 'apiKeys' | 'audit' | 'readiness' | 'rateLimits' | 'rateLimitHistory' | 'connections' | 'webhookReceiver' | 'webhookRegistrations' | 'notifications' | 'integrations' | 'entities' | 'hostWrites' | 'conflicts' | 'dedupReviews' | 'merges' | 'metrics' | 'metricsAuth' | 'store' | 'queue' | 'clock'>;

export interface ApiOptions {
  /** The process's root logger; request lines are its children, carrying `requestId`. */
  logger: RootLogger;
  /** Largest accepted request body. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Serve the OpenAPI document at /docs/json and the docs page at /docs. Default true. */
  docs?: boolean;
}

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** An incoming `x-request-id` is honoured when it is short and plain; anything else gets a fresh id. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the HTTP API, not listening: the api role listens, tests use `app.inject()`
 * (STYLE.md 11). Route groups are encapsulated plugins given their services in options;
 * authentication, tenant scope and errors are the only shared plugins.
 */
export function buildApi(services: ApiServices, options: ApiOptions): Api {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newId('req');
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox validates: bodies exactly as sent (no coercion of 42 into "42"), query and
  // path strings converted to the declared types; unknown body fields fail, named.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The rest of each request (after authentication: validation, handler) runs in its
  // request context, so a service deep down records who caused it (the credential access
  // audit). Callback style: `done`, and the handler with it, runs inside the context.
  app.addHook('preValidation', (request, _reply, done) => {
    const actor = request.tributaryActor ?? null;
    runWithRequestContext({ requestId: request.id, actor, route: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}` }, done);
  });

  app.addHook('onResponse', httpMetricsHook(services.metrics));
  app.register(errorHandling);
  if (options.docs ?? true) registerDocs(app);
  app.register(healthRoutes, { readiness: services.readiness });
  app.register(metricsRoutes, { metrics: services.metrics, auth: services.metricsAuth, apiKeys: services.apiKeys });
  // No API key on these two: a webhook's signature, and the single-use OAuth state, are the credentials.
  // (Embedded mode serves webhook intake from the API's server.)
  app.register(webhookReceiverRoutes, { receiver: services.webhookReceiver });
  app.register(oauthCallbackRoutes, { prefix: '/v1', connections: services.connections });
  // The admin UI at `/` (built files; index.html for other non-API paths).
  app.register(uiRoutes);
  app.register(
    async (v1) => {
      await v1.register(authentication, { apiKeys: services.apiKeys });
      await v1.register(meRoutes, { tenants: services.tenants });
      await v1.register(tenantCollectionRoutes, { tenants: services.tenants });
      await v1.register(auditRoutes, { audit: services.audit, tokenRefreshes: services.store.tokenRefreshAudit, webhookDeliveries: services.store.webhooks });
      await v1.register(rateLimitRoutes, { rateLimits: services.rateLimits, history: { samples: services.store.rateLimitHistory, sampling: services.rateLimitHistory.options } });
      await v1.register(mappingTransformRoutes);
      await v1.register(deadLetterRoutes, { deadLetters: new DeadLetterAdmin({ queue: services.queue, store: services.store, clock: services.clock }) });
      const webhookReplay = new WebhookDeliveryReplay({ store: services.store, queue: services.queue, clock: services.clock });
      // Every tenant-scoped route group goes here: the scope decides its tenant. Groups that
      // tenant keys reach without naming their tenant are registered twice: at /v1 (the
      // key's tenant) and under /v1/tenants/:tenantId (for admin keys).
      const { tenants } = services;
      await v1.register(tenantScoped(tenantItemRoutes), { prefix: '/tenants/:tenantId', tenants });
      await v1.register(tenantScoped(apiKeyRoutes), { prefix: '/tenants/:tenantId', tenants, apiKeys: services.apiKeys });
      for (const prefix of ['', '/tenants/:tenantId']) {
        await v1.register(tenantScoped(connectionRoutes), { prefix, tenants, connections: services.connections });
        await v1.register(tenantScoped(integrationRoutes), { prefix, tenants, integrations: services.integrations });
        await v1.register(tenantScoped(mappingPreviewRoutes), {
          prefix, tenants, integrations: services.integrations, connections: services.connections, providerFor: (id: string) => (isProviderId(id) ? PROVIDERS[id] : undefined),
        });
        await v1.register(tenantScoped(runRoutes), { prefix, tenants, integrations: services.integrations });
        await v1.register(tenantScoped(entityRoutes), { prefix, tenants, entities: services.entities, writes: services.hostWrites });
        await v1.register(tenantScoped(conflictRoutes), { prefix, tenants, conflicts: services.conflicts });
        await v1.register(tenantScoped(dedupReviewRoutes), { prefix, tenants, reviews: services.dedupReviews });
        await v1.register(tenantScoped(mergeRoutes), { prefix, tenants, merges: services.merges });
        await v1.register(tenantScoped(webhookRoutes), { prefix, tenants, webhooks: services.webhookRegistrations });
        await v1.register(tenantScoped(webhookReplayRoutes), { prefix, tenants, replay: webhookReplay });
        await v1.register(tenantScoped(notificationRoutes), { prefix, tenants, notifications: services.notifications.admin });
        await v1.register(tenantScoped(eventSubscriptionRoutes), { prefix, tenants, eventSubscriptions: services.notifications.hostEvents.subscriptions });
      }
    },
    { prefix: '/v1' },
  );
  return app;
}

function registerDocs(app: Api): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tributary API',
        version: '0.1.0',
        description: 'Tenants, API keys, connections, rate limits and the audit log. Errors: `{ "error": { "code", "message", "field", "requestId" } }`, codes in docs/errors.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `trb_<prefix>_<secret>`, or TRIBUTARY_ADMIN_KEY.' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKeyHeader: [] }],
    },
    transform: ({ schema, url }) => {
      // Liveness, readiness and webhook intake take no key.
      const isPublic = url === '/health' || url === '/ready' || url.startsWith('/webhooks/');
      return { schema: isPublic ? { ...schema, security: [] } : schema, url } as never;
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
}
