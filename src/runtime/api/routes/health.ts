import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Readiness } from '../../readiness.ts';
import { errorResponses } from '../schemas.ts';

export interface HealthRoutesOptions {
  readiness: Pick<Readiness, 'check'>;
}

const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  backends: Type.Record(Type.String(), Type.String(), { description: 'Per backend: `ok`, or why it failed.' }),
});

/** Liveness and readiness. No authentication: load balancers and orchestrators call these. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers.',
        response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errorResponses },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 when every backend answers, else 503 naming the one that failed.',
        response: { 200: ReadyBody, 503: ReadyBody, ...errorResponses },
      },
    },
    async (_request, reply) => {
      const report = await options.readiness.check();
      return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'unavailable', backends: report.backends });
    },
  );
};
