import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiKeyService } from '../../tenancy/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { ApiKeyInfo, KeyId, TenantId, errorResponses } from '../schemas.ts';
import { actionContext } from './action-context.ts';

export interface ApiKeyRoutesOptions {
  apiKeys: ApiKeyService;
}

const Params = Type.Object({ tenantId: TenantId });

/** `/v1/tenants/:tenantId/api-keys`, inside the tenant scope (admin key or the tenant's own key). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<ApiKeyRoutesOptions> = async (app, { apiKeys }) => {
  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Create a tenant API key. The key is in this response only; it cannot be shown again.',
        params: Params,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: {
          201: Type.Object({ apiKey: ApiKeyInfo, key: Type.String({ description: 'The full key, shown once: `trb_<prefix>_<secret>`.' }) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const created = await apiKeys.create(actionContext(request), { tenantId: tenantIdOf(request), name: request.body.name });
      return reply.code(201).header('cache-control', 'no-store').send({ apiKey: created.info, key: created.plaintext });
    },
  );

  app.get(
    '/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: "List a tenant's keys (metadata only, including revoked keys).",
        params: Params,
        response: { 200: Type.Object({ items: Type.Array(ApiKeyInfo) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await apiKeys.list(tenantIdOf(request)) }),
  );

  app.delete(
    '/api-keys/:keyId',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Revoke a key. It stops working at once.',
        params: Type.Object({ tenantId: TenantId, keyId: KeyId }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await apiKeys.revoke(actionContext(request), tenantIdOf(request), request.params.keyId);
      return reply.code(204).send(null);
    },
  );
};
