import type { FastifyPluginAsync, onResponseHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { PrometheusMetrics } from '../../../observability/index.ts';
import type { MetricsAuth } from '../../config/index.ts';
import type { ApiKeyService } from '../../tenancy/index.ts';
import { authentication, requireAdmin } from '../plugins/auth.ts';
import { errorResponses } from '../schemas.ts';

export interface MetricsRoutesOptions {
  metrics: PrometheusMetrics;
  /** `admin`: the scrape needs an admin key; `none`: anyone who reaches the port may read it. */
  auth: MetricsAuth;
  apiKeys: ApiKeyService;
}

/**
 * `GET /metrics`: every instrument in Prometheus text format, with queue depth and
 * rate-limit usage read at scrape time. Names and labels only: no tenant ids, no secrets.
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics, auth, apiKeys }) => {
  if (auth === 'admin') await app.register(authentication, { apiKeys });
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['observability'],
        summary: auth === 'admin' ? 'Prometheus metrics (admin key).' : 'Prometheus metrics (no key; TRIBUTARY_METRICS_AUTH=admin requires one).',
        ...(auth === 'admin' ? {} : { security: [] }),
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4.' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (auth === 'admin') requireAdmin(request);
      const text = await metrics.scrape();
      return reply.type(metrics.contentType).send(text);
    },
  );
};

/**
 * An `onResponse` hook for the root instance: counts and times every request by method,
 * route pattern (never the raw URL, so ids do not become labels) and status code.
 */
export function httpMetricsHook(metrics: PrometheusMetrics): onResponseHookHandler {
  return (request, reply, done) => {
    metrics.httpRequest({ method: request.method, route: request.routeOptions.url ?? null, statusCode: reply.statusCode, durationMs: reply.elapsedTime });
    done();
  };
}
