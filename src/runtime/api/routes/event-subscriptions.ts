import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HOST_EVENT_TYPES, type EventSubscriptions, type SubscriptionInput, type SubscriptionUpdate } from '../../../notifications/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { Timestamp, errorResponses } from '../schemas.ts';
import { actionContext } from './action-context.ts';

export interface EventSubscriptionRoutesOptions {
  eventSubscriptions: EventSubscriptions;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value))));
const SubscriptionId = Type.String({ pattern: '^sub_[0-9a-f]{32}$', description: 'An event subscription id.' });
const DeliveryId = Type.String({ pattern: '^msg_[0-9a-f]{32}$', description: 'A delivery id: the `webhook-id` header of every attempt.' });
const EventType = OneOf(HOST_EVENT_TYPES);
const Url = Type.String({ minLength: 8, maxLength: 2000, description: 'The endpoint; must pass the egress policy (no loopback or private ranges unless the operator allows them).' });

const Subscription = Type.Object({
  id: SubscriptionId,
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(EventType, { description: 'Empty: every event type.' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  failingSince: Nullable(Timestamp),
  disabledReason: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Delivery = Type.Object({
  id: DeliveryId,
  subscriptionId: SubscriptionId,
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('stopped')]),
  attempts: Type.Array(Type.Object({ at: Timestamp, status: Nullable(Type.Integer()), error: Nullable(Type.String()) })),
  nextAttemptAt: Nullable(Timestamp),
  createdAt: Timestamp,
  payload: Type.Unknown({ description: 'The JSON body as sent.' }),
});

const Secret = Type.String({ description: 'The `whsec_` signing secret. Shown only in this answer: store it now.' });
const Params = Type.Object({ id: SubscriptionId });
const tags = ['event-subscriptions'];

function present<T extends object>(body: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as T;
}

/**
 * `/event-subscriptions`, inside the tenant scope: endpoints of the host product that hear
 * about entity changes, run completions and connection status changes, signed with
 * Standard Webhooks. Another tenant's id answers 404. The signing secret is returned only
 * at creation and rotation.
 */
export const eventSubscriptionRoutes: FastifyPluginAsyncTypebox<EventSubscriptionRoutesOptions> = async (app, { eventSubscriptions }) => {
  app.get('/event-subscriptions', { schema: { tags, summary: "The tenant's event subscriptions.", response: { 200: Type.Object({ items: Type.Array(Subscription) }), ...errorResponses } } }, async (request) => ({
    items: await eventSubscriptions.list(tenantIdOf(request)),
  }));

  app.post(
    '/event-subscriptions',
    {
      schema: {
        tags,
        summary: 'Subscribe an endpoint. The answer carries the signing secret, once.',
        body: Type.Object({ url: Url, description: Type.Optional(Type.String({ maxLength: 500 })), eventTypes: Type.Optional(Type.Array(EventType)) }, { additionalProperties: false }),
        response: { 201: Type.Object({ subscription: Subscription, secret: Secret }), ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).header('cache-control', 'no-store').send(await eventSubscriptions.create(actionContext(request), tenantIdOf(request), present<SubscriptionInput>(request.body))),
  );

  app.get('/event-subscriptions/:id', { schema: { tags, summary: 'A subscription.', params: Params, response: { 200: Subscription, ...errorResponses } } }, async (request) =>
    eventSubscriptions.get(tenantIdOf(request), request.params.id),
  );

  app.put(
    '/event-subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Change the URL, description or event types; `enabled` re-activates or disables it.',
        params: Params,
        body: Type.Object(
          { url: Type.Optional(Url), description: Type.Optional(Type.String({ maxLength: 500 })), eventTypes: Type.Optional(Type.Array(EventType)), enabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: Subscription, ...errorResponses },
      },
    },
    async (request) => eventSubscriptions.update(actionContext(request), tenantIdOf(request), request.params.id, present<SubscriptionUpdate>(request.body)),
  );

  app.delete('/event-subscriptions/:id', { schema: { tags, summary: 'Delete a subscription and its deliveries.', params: Params, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await eventSubscriptions.delete(actionContext(request), tenantIdOf(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.post(
    '/event-subscriptions/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'A new signing secret (returned once); the old one keeps signing too until `previousValidUntil`.',
        params: Params,
        body: Type.Optional(Type.Object({ overlapMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400_000 })) }, { additionalProperties: false })),
        response: { 200: Type.Object({ secret: Secret, previousValidUntil: Timestamp }), ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(await eventSubscriptions.rotateSecret(actionContext(request), tenantIdOf(request), request.params.id, request.body?.overlapMs)),
  );

  app.get(
    '/event-subscriptions/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'Recent deliveries with every attempt, newest first (kept 30 days).',
        params: Params,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Delivery) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await eventSubscriptions.deliveries(tenantIdOf(request), request.params.id, request.query.limit) }),
  );

  app.post(
    '/event-subscriptions/:id/deliveries/:deliveryId/replay',
    {
      schema: {
        tags,
        summary: 'Send a delivery again now, with the same webhook-id.',
        params: Type.Object({ id: SubscriptionId, deliveryId: DeliveryId }),
        response: { 202: Delivery, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(202).send(await eventSubscriptions.replay(actionContext(request), tenantIdOf(request), request.params.id, request.params.deliveryId)),
  );
};
