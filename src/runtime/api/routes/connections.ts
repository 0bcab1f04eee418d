import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConnectInput, ConnectionService } from '../../../connections/index.ts';
import type { CredentialInput } from '../../../credentials/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, errorResponses } from '../schemas.ts';
import { actionContext } from './action-context.ts';
import { ConnectBody, Connection, ConnectionId, ObjectSchema } from './connection-schemas.ts';

export interface ConnectionRoutesOptions {
  connections: ConnectionService;
}

const ItemParams = Type.Object({ id: ConnectionId });

/**
 * `/connections`, inside the tenant scope (registered at `/v1` for tenant keys and at
 * `/v1/tenants/:tenantId` for admin keys). Another tenant's connection id answers 404.
 * Responses carry credential metadata only, never a secret.
 */
export const connectionRoutes: FastifyPluginAsyncTypebox<ConnectionRoutesOptions> = async (app, { connections }) => {
  app.post(
    '/connections',
    {
      schema: {
        tags: ['connections'],
        summary:
          'Connect a provider account. OAuth answers the authorize URL (send the person there; the callback finishes it); keys and tokens are validated and discovered at once.',
        body: ConnectBody,
        response: {
          201: Type.Object({
            connection: Connection,
            authorizeUrl: Type.Union([Type.String(), Type.Null()], { description: 'OAuth only: where the person authorises. Single use, expires in 10 minutes.' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const input: ConnectInput = { provider: body.provider, name: body.name, credential: body.credential as CredentialInput };
      if (body.baseUrl !== undefined) input.baseUrl = body.baseUrl;
      if (body.authBaseUrl !== undefined) input.authBaseUrl = body.authBaseUrl;
      if (body.settings !== undefined) input.settings = body.settings;
      if (body.scopes !== undefined) input.scopes = body.scopes;
      if (body.returnUrl !== undefined) input.returnUrl = body.returnUrl;
      if (body.authorizeParams !== undefined) input.authorizeParams = body.authorizeParams;
      const result = await connections.connect(actionContext(request), tenantIdOf(request), input);
      return reply.code(201).header('cache-control', 'no-store').send(result);
    },
  );

  app.get(
    '/connections',
    {
      schema: {
        tags: ['connections'],
        summary: "The tenant's connections, oldest first.",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: PageOf(Connection), ...errorResponses },
      },
    },
    async (request) => connections.list(tenantIdOf(request), { limit: request.query.limit, cursor: request.query.cursor ?? null }),
  );

  app.get(
    '/connections/:id',
    {
      schema: {
        tags: ['connections'],
        summary: 'A connection: status, account, objects, credential metadata.',
        params: ItemParams,
        response: { 200: Connection, ...errorResponses },
      },
    },
    async (request) => connections.get(tenantIdOf(request), request.params.id),
  );

  app.delete(
    '/connections/:id',
    {
      schema: {
        tags: ['connections'],
        summary: 'Delete a connection: the token is revoked at the provider where it allows, and its secrets are destroyed.',
        params: ItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await connections.delete(actionContext(request), tenantIdOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/connections/:id/validate',
    {
      schema: {
        tags: ['connections'],
        summary: 'Check the credential again (who am I, which objects). The status says how it went: active, needs_reauth or error.',
        params: ItemParams,
        response: { 200: Connection, ...errorResponses },
      },
    },
    async (request) => connections.validate(actionContext(request), tenantIdOf(request), request.params.id),
  );

  app.get(
    '/connections/:id/objects',
    {
      schema: {
        tags: ['connections'],
        summary: "The provider objects this connection can sync, with their fields (Salesforce custom fields, Notion properties) and capabilities.",
        params: ItemParams,
        response: { 200: Type.Object({ items: Type.Array(ObjectSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await connections.objects(tenantIdOf(request), request.params.id) }),
  );
};
