import Fastify from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../tenancy/index.ts';
import { startTempPlatform } from '../../testing/temp-platform.ts';
import type { TempPlatform } from '../../testing/temp-platform.ts';
import { errorHandling } from '../errors/error-handler.ts';
import { authentication } from './auth.ts';
import { tenantIdOf, tenantScoped } from './tenant-scope.ts';

const ADMIN_KEY = 'scope-test-admin-key-0123456789';
const system = { actor: SYSTEM_ACTOR, requestId: null };

let t: TempPlatform;
let handled: string[];

/** A route group as a later feature would write it: it never reads a tenant id itself. */
const thingRoutes: FastifyPluginAsyncTypebox<{ label: string }> = async (app, options) => {
  app.get('/things', async (request) => {
    handled.push(tenantIdOf(request));
    return { tenantId: tenantIdOf(request), label: options.label };
  });
};

async function buildApp() {
  const app = Fastify();
  await app.register(errorHandling);
  await app.register(
    async (v1) => {
      await v1.register(authentication, { apiKeys: t.platform.services.apiKeys });
      await v1.register(tenantScoped(thingRoutes), { tenants: t.platform.services.tenants, label: 'by key' });
      await v1.register(tenantScoped(thingRoutes), { prefix: '/tenants/:tenantId', tenants: t.platform.services.tenants, label: 'by path' });
    },
    { prefix: '/v1' },
  );
  return app;
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent' });
});

afterAll(async () => {
  await t.close();
});

describe('tenantScoped route groups', () => {
  it('give each route its caller’s tenant, and refuse every other tenant before the handler runs', async () => {
    handled = [];
    const { tenants, apiKeys } = t.platform.services;
    const a = await tenants.create(system, { name: 'A' });
    const b = await tenants.create(system, { name: 'B' });
    const keyA = (await apiKeys.create(system, { tenantId: a.id, name: 'a' })).plaintext;
    const app = await buildApp();
    try {
      const asA = { authorization: `Bearer ${keyA}` };
      const asAdmin = { authorization: `Bearer ${ADMIN_KEY}` };

      expect((await app.inject({ url: '/v1/things', headers: asA })).json()).toEqual({ tenantId: a.id, label: 'by key' });
      expect((await app.inject({ url: `/v1/tenants/${a.id}/things`, headers: asA })).json()).toEqual({ tenantId: a.id, label: 'by path' });
      expect((await app.inject({ url: `/v1/tenants/${b.id}/things`, headers: asAdmin })).json()).toEqual({ tenantId: b.id, label: 'by path' });

      const otherTenant = await app.inject({ url: `/v1/tenants/${b.id}/things`, headers: asA });
      expect(otherTenant.statusCode).toBe(404);
      const adminWithoutTenant = await app.inject({ url: '/v1/things', headers: asAdmin });
      expect(adminWithoutTenant.statusCode).toBe(403);
      const anonymous = await app.inject({ url: `/v1/tenants/${a.id}/things` });
      expect(anonymous.statusCode).toBe(401);

      expect(handled).toEqual([a.id, a.id, b.id]);
    } finally {
      await app.close();
    }
  });
});
