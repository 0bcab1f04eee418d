import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TenantService } from '../../tenancy/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { Actor, Tenant, errorResponses } from '../schemas.ts';

export interface MeRoutesOptions {
  tenants: Pick<TenantService, 'get'>;
}

/** `GET /v1/me`: who the presented key stands for, and its tenant when it has one. */
export const meRoutes: FastifyPluginAsyncTypebox<MeRoutesOptions> = async (app, { tenants }) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['access'],
        summary: 'Who am I: the kind of key presented, its id and its tenant.',
        response: { 200: Type.Object({ actor: Actor, tenant: Type.Union([Tenant, Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { actor, tenant: actor.tenantId === null ? null : await tenants.get(actor.tenantId) };
    },
  );
};
