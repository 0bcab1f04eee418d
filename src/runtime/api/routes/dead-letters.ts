import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TributaryError } from '../../../domain/errors.ts';
import { QUEUE_NAMES } from '../../../ports/job-queue.ts';
import type { DeadLetterAdmin, DeadLetterScope } from '../../../queues/index.ts';
import type { FastifyRequest } from 'fastify';
import { actorOf } from '../plugins/auth.ts';
import { actionContext } from './action-context.ts';
import { PageOf, PageQuery, errorResponses } from '../schemas.ts';

export interface DeadLetterRoutesOptions {
  deadLetters: DeadLetterAdmin;
}

const Queue = Type.Union(QUEUE_NAMES.map((q) => Type.Literal(q)));
const ItemParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'A dead letter id.' }) });

const DeadLetter = Type.Object({
  id: Type.String(),
  jobId: Type.String(),
  queue: Type.String({ description: `One of ${QUEUE_NAMES.join(', ')}.` }),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Record(Type.String(), Type.String(), { description: 'Ids from the job payload (integrationId, connectionId, registrationId, eventId, trigger); never other payload fields.' }),
  attempts: Type.Integer(),
  category: Type.String(),
  errorCode: Type.String(),
  errorMessage: Type.String(),
  correlationId: Type.Union([Type.String(), Type.Null()]),
  enqueuedAt: Type.String(),
  failedAt: Type.String(),
});

/**
 * `/dead-letters`: jobs that failed for good, with their error; replay one (back on its
 * queue as a fresh job) or discard it. An admin key sees every dead letter; a tenant key
 * only those whose job payload names its tenant (others answer 404, as if absent).
 */
export const deadLetterRoutes: FastifyPluginAsyncTypebox<DeadLetterRoutesOptions> = async (app, { deadLetters }) => {
  app.get(
    '/dead-letters',
    {
      schema: {
        tags: ['dead-letters'],
        summary: 'Dead letters, newest first per queue. A page may be short while `nextCursor` is set (a tenant\'s view is filtered from all tenants\').',
        querystring: Type.Object({ ...PageQuery, queue: Type.Optional(Queue) }, { additionalProperties: false }),
        response: { 200: PageOf(DeadLetter), ...errorResponses },
      },
    },
    async (request) =>
      deadLetters.list(scopeOf(request), { ...(request.query.queue ? { queue: request.query.queue } : {}), limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null }),
  );

  app.post(
    '/dead-letters/:id/replay',
    { schema: { tags: ['dead-letters'], summary: 'Put the job back on its queue as a fresh job (attempt 1) and remove the dead letter.', params: ItemParams, response: { 200: Type.Object({ jobId: Type.String() }), ...errorResponses } } },
    async (request) => {
      const { jobId } = await deadLetters.replay(actionContext(request), scopeOf(request), request.params.id);
      return { jobId };
    },
  );

  app.delete(
    '/dead-letters/:id',
    { schema: { tags: ['dead-letters'], summary: 'Discard the dead letter for good.', params: ItemParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await deadLetters.discard(actionContext(request), scopeOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};

function scopeOf(request: FastifyRequest): DeadLetterScope {
  const actor = actorOf(request);
  if (actor.kind === 'admin') return { tenantId: null };
  if (actor.tenantId === null) throw new TributaryError('FORBIDDEN', 'This key may not manage dead letters');
  return { tenantId: actor.tenantId };
}
