import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TenantService } from '../../tenancy/index.ts';
import { actorOf, requireAdmin } from '../plugins/auth.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { Metadata, PageOf, PageQuery, Tenant, TenantId, errorResponses } from '../schemas.ts';
import { actionContext } from './action-context.ts';

export interface TenantRoutesOptions {
  tenants: TenantService;
}

const TenantName = Type.String({ minLength: 1, maxLength: 200, description: 'Display name.' });

/** `/v1/tenants`: create (admin) and list (admin: all; a tenant key: its own tenant only). */
export const tenantCollectionRoutes: FastifyPluginAsyncTypebox<TenantRoutesOptions> = async (app, { tenants }) => {
  app.post(
    '/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant (admin key).',
        body: Type.Object({ name: TenantName, metadata: Type.Optional(Metadata) }, { additionalProperties: false }),
        response: { 201: Tenant, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const tenant = await tenants.create(actionContext(request), request.body);
      return reply.code(201).send(tenant);
    },
  );

  app.get(
    '/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'List tenants, oldest first. A tenant key sees only its own tenant.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: PageOf(Tenant), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.kind === 'tenant' && actor.tenantId !== null) {
        return { items: [await tenants.get(actor.tenantId)], nextCursor: null };
      }
      requireAdmin(request);
      return tenants.list({ limit: request.query.limit, cursor: request.query.cursor ?? null });
    },
  );
};

const TenantParams = Type.Object({ tenantId: TenantId });

/** `/v1/tenants/:tenantId`, inside the tenant scope: read (admin or own key), update (admin). */
export const tenantItemRoutes: FastifyPluginAsyncTypebox<TenantRoutesOptions> = async (app, { tenants }) => {
  app.get(
    '',
    {
      schema: {
        tags: ['tenants'],
        summary: "Read a tenant (admin key, or the tenant's own key).",
        params: TenantParams,
        response: { 200: Tenant, ...errorResponses },
      },
    },
    async (request) => tenants.get(tenantIdOf(request)),
  );

  app.patch(
    '',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Rename a tenant or replace its metadata (admin key).',
        params: TenantParams,
        body: Type.Object({ name: Type.Optional(TenantName), metadata: Type.Optional(Metadata) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Tenant, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      return tenants.update(actionContext(request), tenantIdOf(request), request.body);
    },
  );
};
