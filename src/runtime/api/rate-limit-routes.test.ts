import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../../backends/memory/rate-limit-backend.ts';
import { RateLimitAdmin, RateLimiter } from '../../ratelimit/index.ts';
import type { RateCall } from '../../ratelimit/index.ts';
import { startTempPlatform, type TempPlatform } from '../testing/temp-platform.ts';
import { errorHandling } from './errors/error-handler.ts';
import { authentication } from './plugins/auth.ts';
import { rateLimitRoutes } from './rate-limit-routes.ts';

const ADMIN_KEY = 'admin-key-for-rate-limit-tests-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const system = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };

let t: TempPlatform;
let app: FastifyInstance;
let limiter: RateLimiter;
let tenantA: string;
let tenantB: string;
let keyA: { authorization: string };

const call = (tenantId: string, connectionId: string): RateCall => ({ provider: 'github', tenantId, connectionId, operation: 'read', endpoint: 'GET /user' });

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY });
  const { tenants, apiKeys } = t.platform.services;
  tenantA = (await tenants.create(system, { name: 'A' })).id;
  tenantB = (await tenants.create(system, { name: 'B' })).id;
  keyA = { authorization: `Bearer ${(await apiKeys.create(system, { tenantId: tenantA, name: 'a' })).plaintext}` };
  const clock = new ManualClock(1_800_000_000_000);
  limiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: () => 0.25 });
  for (let i = 0; i < 3; i++) await limiter.acquire(call(tenantA, 'con_a'));
  await limiter.acquire(call(tenantB, 'con_b'));
  app = Fastify();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorHandling);
  await app.register(
    async (v1) => {
      await v1.register(authentication, { apiKeys });
      await v1.register(rateLimitRoutes, { rateLimits: new RateLimitAdmin(limiter, clock) });
    },
    { prefix: '/v1' },
  );
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await t.close();
});

interface StatusBody {
  backend: string;
  items: { key: string; tenantId: string | null; connectionId: string | null; used: number; remaining: number; multiplier: number | null }[];
  overrides: { scope: string }[];
}

describe('GET /v1/rate-limits', () => {
  it('shows a tenant only its own connections', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/rate-limits', headers: keyA });
    expect(response.statusCode).toBe(200);
    const body = response.json<StatusBody>();
    expect(body.backend).toBe('memory');
    expect(new Set(body.items.map((i) => i.connectionId))).toEqual(new Set(['con_a']));
    expect(body.items.find((i) => i.key === 'connection:github:core:con_a')).toMatchObject({ used: 3, remaining: 4997, multiplier: 1 });
  });

  it('shows an admin every counter, filterable', async () => {
    const body = (await app.inject({ method: 'GET', url: '/v1/rate-limits?connectionId=con_b', headers: admin })).json<StatusBody>();
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((i) => i.connectionId === 'con_b')).toBe(true);
  });

  it('refuses a request without a key', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/rate-limits' })).statusCode).toBe(401);
  });
});

describe('PUT /v1/rate-limits/:scope and reset', () => {
  it('lets a tenant cap its own connection, not another tenant’s, nor global caps', async () => {
    const own = await app.inject({ method: 'PUT', url: '/v1/rate-limits/connection:con_a', headers: keyA, payload: { limit: 2, windowMs: 60_000 } });
    expect(own.json()).toEqual({ scope: 'connection:con_a', limit: 2, windowMs: 60_000 });
    await limiter.acquire(call(tenantA, 'con_a'), { timeoutMs: 0 });
    await limiter.acquire(call(tenantA, 'con_a'), { timeoutMs: 0 });
    await expect(limiter.acquire(call(tenantA, 'con_a'), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });

    const other = await app.inject({ method: 'PUT', url: '/v1/rate-limits/connection:con_b', headers: keyA, payload: { limit: 1, windowMs: 1_000 } });
    expect(other.statusCode).toBe(404);
    const global = await app.inject({ method: 'PUT', url: '/v1/rate-limits/global', headers: keyA, payload: { limit: 1, windowMs: 1_000 } });
    expect(global.statusCode).toBe(403);
    const bad = await app.inject({ method: 'PUT', url: '/v1/rate-limits/everything', headers: admin, payload: { limit: 1, windowMs: 1_000 } });
    expect(bad.statusCode).toBe(400);

    const listed = (await app.inject({ method: 'GET', url: '/v1/rate-limits', headers: keyA })).json<StatusBody>();
    expect(listed.overrides.map((o) => o.scope)).toEqual(['connection:con_a']);
  });

  it('resets a connection so calls pass again, and clears an override', async () => {
    const reset = await app.inject({ method: 'POST', url: '/v1/rate-limits/connection:con_a/reset', headers: keyA });
    expect(reset.statusCode).toBe(200);
    expect(reset.json<{ reset: number }>().reset).toBeGreaterThan(0);
    await expect(limiter.acquire(call(tenantA, 'con_a'), { timeoutMs: 0 })).resolves.toBeDefined();
    const cleared = await app.inject({ method: 'PUT', url: '/v1/rate-limits/connection:con_a', headers: admin, payload: { limit: null } });
    expect(cleared.json()).toEqual({ scope: 'connection:con_a', limit: null, windowMs: null });
  });
});
