import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebhookDeliveryReplay } from '../../../webhooks/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { actionContext } from './action-context.ts';
import { Id, errorResponses } from '../schemas.ts';

export interface WebhookReplayRoutesOptions {
  replay: WebhookDeliveryReplay;
}

const Params = Type.Object({
  id: Id('whk', 'A webhook registration id.'),
  deliveryId: Type.String({ minLength: 1, maxLength: 100, description: 'A delivery `id` from the registration\'s `recentDeliveries`.' }),
});

/** `POST /webhooks/:id/deliveries/:deliveryId/replay`, inside the tenant scope: process a stored, verified event again. */
export const webhookReplayRoutes: FastifyPluginAsyncTypebox<WebhookReplayRoutesOptions> = async (app, { replay }) => {
  app.post(
    '/webhooks/:id/deliveries/:deliveryId/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Process a delivery's stored event again (idempotent: records are upserted, runs named after the event).",
        params: Params,
        response: {
          202: Type.Object({ id: Type.String(), eventId: Type.String(), jobId: Type.String(), deduplicated: Type.Boolean({ description: 'A job for this event was still waiting and absorbed the replay.' }) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.code(202).send(await replay.replay(actionContext(request), tenantIdOf(request), request.params.id, request.params.deliveryId)),
  );
};
