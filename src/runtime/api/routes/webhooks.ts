import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebhookRegistrations } from '../../../webhooks/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { Id, PageOf, PageQuery, errorResponses } from '../schemas.ts';

export interface WebhookRoutesOptions {
  webhooks: WebhookRegistrations;
}

const WebhookId = Id('whk', 'A webhook registration id.');
const ItemParams = Type.Object({ id: WebhookId });

const Delivery = Type.Object({
  id: Type.String(),
  deliveryId: Type.Union([Type.String(), Type.Null()]),
  claimedDeliveryId: Type.Union([Type.String(), Type.Null()]),
  receivedAt: Type.String(),
  verified: Type.Boolean(),
  outcome: Type.String({ description: '`accepted`, `duplicate`, `handshake`, `rejected_signature`, `rejected_stale`, `rejected_malformed`, `rate_limited`, ...' }),
  detail: Type.Union([Type.String(), Type.Null()]),
});

const Registration = Type.Object({
  id: WebhookId,
  connectionId: Type.String(),
  integrationId: Type.Union([Type.String(), Type.Null()]),
  provider: Type.String(),
  scheme: Type.String(),
  url: Type.String({ description: 'Give this URL to the provider.' }),
  path: Type.String({ description: '`/webhooks/{registrationId}/events`' }),
  events: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('failing'), Type.Literal('disabled')]),
  failureCount: Type.Integer(),
  providerWebhookId: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  manualSteps: Type.Array(Type.String()),
  verificationToken: Type.Union([Type.Literal('awaiting'), Type.Literal('available'), Type.Literal('revealed'), Type.Null()], {
    description: "Notion only: whether Notion's verification_token arrived and can be revealed (once). Never the token itself.",
  }),
  recentDeliveries: Type.Optional(Type.Array(Delivery)),
});

const RegisterBody = Type.Object(
  {
    connectionId: Type.String({ minLength: 1, maxLength: 100 }),
    integrationId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    events: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    scheme: Type.Optional(Type.Union([Type.Literal('standard'), Type.Literal('pubsub'), Type.Null()], { description: '`standard` (Standard Webhooks sender), `pubsub` (Pub/Sub push to a Google connection); absent: the provider\'s own.' })),
    config: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'GitHub: `repo` (owner/name) or `org`. Google: `calendarId` or `kind: "drive"`. Slack / Standard Webhooks: `signingSecret`. Salesforce: `organizationId`. ' +
          'Pub/Sub: `serviceAccountEmail` (required), `audience` (default: the URL), `object` (only its integrations sync).',
      }),
    ),
  },
  { additionalProperties: false },
);

const VerifyResult = Type.Object({
  ok: Type.Boolean(),
  checks: Type.Array(Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) })),
});

/**
 * `/webhooks`, inside the tenant scope: register (at the provider's API where it has
 * one, else the manual steps to follow), list, show (status, failures, recent
 * deliveries), verify end to end, rotate the signing secret, unregister, and reveal
 * Notion's verification token once. No other response ever carries a secret.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { webhooks }) => {
  app.post(
    '/webhooks',
    { schema: { tags: ['webhooks'], summary: 'Register a webhook for a connection.', body: RegisterBody, response: { 201: Registration, ...errorResponses } } },
    async (request, reply) => {
      const body = request.body;
      const registration = await webhooks.register({
        tenantId: tenantIdOf(request),
        connectionId: body.connectionId,
        ...(body.integrationId !== undefined ? { integrationId: body.integrationId } : {}),
        ...(body.events !== undefined ? { events: body.events } : {}),
        ...(body.scheme !== undefined ? { scheme: body.scheme } : {}),
        ...(body.config !== undefined ? { config: body.config } : {}),
      });
      return reply.code(201).header('cache-control', 'no-store').send(registration);
    },
  );

  app.get(
    '/webhooks',
    { schema: { tags: ['webhooks'], summary: "The tenant's webhook registrations, oldest first.", querystring: Type.Object(PageQuery, { additionalProperties: false }), response: { 200: PageOf(Registration), ...errorResponses } } },
    async (request) => webhooks.list(tenantIdOf(request), { ...(request.query.limit ? { limit: request.query.limit } : {}), cursor: request.query.cursor ?? null }),
  );

  app.get(
    '/webhooks/:id',
    { schema: { tags: ['webhooks'], summary: 'A registration: status, failure count, recent deliveries.', params: ItemParams, response: { 200: Registration, ...errorResponses } } },
    async (request) => webhooks.get(tenantIdOf(request), request.params.id),
  );

  app.delete(
    '/webhooks/:id',
    { schema: { tags: ['webhooks'], summary: 'Unregister at the provider and forget the registration and its secret.', params: ItemParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await webhooks.unregister(tenantIdOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhooks/:id/verify',
    { schema: { tags: ['webhooks'], summary: 'Check the registration end to end: still at the provider with our URL and events; a test delivery arrives and verifies.', params: ItemParams, response: { 200: VerifyResult, ...errorResponses } } },
    async (request) => webhooks.verify(tenantIdOf(request), request.params.id),
  );

  app.post(
    '/webhooks/:id/verification-token/reveal',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Notion's verification_token, exactly once (paste it in Notion to activate the subscription); 410 afterwards.",
        params: ItemParams,
        response: { 200: Type.Object({ verificationToken: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await webhooks.revealVerificationToken(tenantIdOf(request), request.params.id)),
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Rotate the signing secret; the old one keeps verifying during the overlap.',
        params: ItemParams,
        body: Type.Object(
          {
            secret: Type.Optional(Type.String({ minLength: 8, maxLength: 512, description: 'The sender\'s new secret (Slack, Standard Webhooks); generated and set at the provider for GitHub.' })),
            overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Registration, ...errorResponses },
      },
    },
    async (request) =>
      webhooks.rotateSecret(tenantIdOf(request), request.params.id, {
        ...(request.body.secret !== undefined ? { secret: request.body.secret } : {}),
        ...(request.body.overlapSeconds !== undefined ? { overlapMs: request.body.overlapSeconds * 1000 } : {}),
      }),
  );
};
