import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { newId } from '../../domain/ids.ts';
import { errorHandling } from '../api/errors/error-handler.ts';
import { healthRoutes } from '../api/routes/health.ts';
import { httpMetricsHook, metricsRoutes } from '../api/routes/metrics.ts';
import { webhookReceiverRoutes } from '../api/webhook-receiver.ts';
import type { RootLogger } from '../logging/logger.ts';
import type { Services } from '../services.ts';
import type { Role, RoleContext, RunningRole } from './role.ts';

export type WebhookServerServices = Pick<Services, 'webhookReceiver' | 'readiness' | 'metrics' | 'metricsAuth' | 'apiKeys'>;

/** Same rule as the API's: an incoming `x-request-id` is kept when short and plain. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The webhook intake's own HTTP server, not listening: `POST /webhooks/:id/events`
 * (no API key: the signature is the credential), `/health`, `/ready` and `/metrics`,
 * and nothing else, so that the public endpoint providers call exposes no tenant API.
 */
export function buildWebhookServer(services: WebhookServerServices, options: { logger: RootLogger }): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newId('req');
    },
  });
  app.addHook('onResponse', httpMetricsHook(services.metrics));
  app.register(errorHandling);
  app.register(healthRoutes, { readiness: services.readiness });
  app.register(metricsRoutes, { metrics: services.metrics, auth: services.metricsAuth, apiKeys: services.apiKeys });
  app.register(webhookReceiverRoutes, { receiver: services.webhookReceiver });
  return app;
}

/**
 * The webhook-receiver role. In a process that also runs the api role, the API's server
 * already takes deliveries and this role adds nothing. Alone (cluster mode: one or more
 * receiver processes behind the public URL), it listens on the configured host and port
 * with the intake routes only. Stopping stops accepting connections and waits for the
 * requests in flight (each answered only once its event is durable).
 */
export const webhookReceiverRole: Role = {
  name: 'webhook-receiver',
  doc: 'Takes provider webhooks (POST /webhooks/{id}/events) on a server of its own when the api role runs elsewhere.',
  async start(context: RoleContext): Promise<RunningRole> {
    const log = context.logger.child({ role: 'webhook-receiver' });
    if (context.roles.includes('api')) {
      log.info({}, 'webhook-receiver role started; the api role serves the intake in this process');
      return { name: 'webhook-receiver', stop: async () => undefined };
    }
    const app = buildWebhookServer(context.services, { logger: context.logger });
    await app.listen({ port: context.server.port, host: context.server.host });
    const url = listeningUrl(app, context.server);
    log.info({ url }, 'webhook-receiver role started');
    return {
      name: 'webhook-receiver',
      url,
      async stop() {
        await app.close();
        log.info({}, 'webhook-receiver role stopped');
      },
    };
  },
};

/** The URL a listening server is reached at (the real port; a wildcard host becomes loopback). */
export function listeningUrl(app: FastifyInstance, server: RoleContext['server']): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : server.port;
  const listening = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `http://${listening.includes(':') ? `[${listening}]` : listening}:${port}`;
}
