import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../../backends/memory/rate-limit-backend.ts';
import { RateLimitAdmin, RateLimitHistorySampler, RateLimiter } from '../../ratelimit/index.ts';
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
const T0 = 1_800_000_000_000;

const call = (tenantId: string, connectionId: string): RateCall => ({ provider: 'github', tenantId, connectionId, operation: 'read', endpoint: 'GET /user' });

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY });
  const { tenants, apiKeys } = t.platform.services;
  tenantA = (await tenants.create(system, { name: 'A' })).id;
  tenantB = (await tenants.create(system, { name: 'B' })).id;
  keyA = { authorization: `Bearer ${(await apiKeys.create(system, { tenantId: tenantA, name: 'a' })).plaintext}` };
  const clock = new ManualClock(T0);
  limiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: () => 0.25 });
  for (let i = 0; i < 3; i++) await limiter.acquire(call(tenantA, 'con_a'));
  await limiter.acquire(call(tenantB, 'con_b'));
  // Two minutes of history: con_a at 3 then 4 calls, con_b at 1.
  const sampler = new RateLimitHistorySampler({ admin: new RateLimitAdmin(limiter, clock), history: t.platform.services.store.rateLimitHistory, clock });
  await sampler.sample();
  clock.advance(60_000);
  await limiter.acquire(call(tenantA, 'con_a'));
  await sampler.sample();
  app = Fastify();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorHandling);
  await app.register(
    async (v1) => {
      await v1.register(authentication, { apiKeys });
      await v1.register(rateLimitRoutes, { rateLimits: new RateLimitAdmin(limiter, clock), history: { samples: t.platform.services.store.rateLimitHistory, sampling: sampler.options } });
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
    expect(body.items.find((i) => i.key === 'connection:github:core:con_a')).toMatchObject({ used: 4, remaining: 4996, multiplier: 1 });
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

interface HistoryBody {
  items: { key: string; at: string; tenantId: string | null; connectionId: string | null; level: string; used: number; limit: number }[];
  nextCursor: string | null;
  intervalMs: number;
  retentionMs: number;
}

describe('GET /v1/rate-limits/history', () => {
  const history = async (query: string, headers: Record<string, string>): Promise<HistoryBody> => {
    const response = await app.inject({ method: 'GET', url: `/v1/rate-limits/history${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<HistoryBody>();
  };
  const CORE = (connectionId: string): string => `connection:github:core:${connectionId}`;

  it('shows a tenant only its own budgets, whatever it filters on', async () => {
    const own = await history('', keyA);
    expect(own.items.length).toBeGreaterThan(0);
    expect(new Set(own.items.map((i) => i.tenantId))).toEqual(new Set([tenantA]));
    expect(own.items.filter((i) => i.key === CORE('con_a')).map((i) => [i.at, i.used, i.limit])).toEqual([
      [new Date(T0).toISOString(), 3, 5000],
      [new Date(T0 + 60_000).toISOString(), 4, 5000],
    ]);
    expect(own).toMatchObject({ intervalMs: 60_000, retentionMs: 7 * 86_400_000 });
    // Another tenant's connection: nothing, not an error that would confirm it exists.
    expect((await history('?connectionId=con_b', keyA)).items).toEqual([]);
    const otherTenant = await app.inject({ method: 'GET', url: `/v1/rate-limits/history?tenantId=${tenantB}`, headers: keyA });
    expect(otherTenant.statusCode).toBe(404);
  });

  it('shows an admin every tenant, filtered by connection, level and a time range', async () => {
    const all = await history('', admin);
    expect(new Set(all.items.map((i) => i.connectionId))).toEqual(new Set(['con_a', 'con_b']));
    const conB = (await history('?connectionId=con_b', admin)).items;
    expect(new Set(conB.map((i) => i.connectionId))).toEqual(new Set(['con_b']));
    expect(conB.filter((i) => i.key === CORE('con_b')).map((i) => i.used)).toEqual([1, 1]);
    expect((await history(`?tenantId=${tenantB}`, admin)).items.every((i) => i.tenantId === tenantB)).toBe(true);
    const since = encodeURIComponent(new Date(T0 + 60_000).toISOString().replace('.000Z', '+00:00'));
    const second = await history(`?level=connection&provider=github&since=${since}`, admin);
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.every((i) => i.level === 'connection' && i.at === new Date(T0 + 60_000).toISOString())).toBe(true);
    expect(second.items.filter((i) => i.key === CORE('con_a')).map((i) => i.used)).toEqual([4]);
    const first = await history(`?key=${encodeURIComponent(CORE('con_a'))}&until=${encodeURIComponent(new Date(T0 + 60_000).toISOString())}`, admin);
    expect(first.items.map((i) => i.used)).toEqual([3]);
  });

  it('pages with a cursor', async () => {
    const page1 = await history('?limit=1', admin);
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await history(`?limit=1&cursor=${encodeURIComponent(page1.nextCursor ?? '')}`, admin);
    expect(page2.items[0]?.key === page1.items[0]?.key && page2.items[0]?.at === page1.items[0]?.at).toBe(false);
  });

  it('answers 400 naming the bad field, and 401 without a key', async () => {
    const cases: [string, string][] = [
      ['?level=everything', 'querystring.level'],
      ['?since=yesterday', 'querystring.since'],
      ['?since=2027-01-02T00:00:00Z&until=2027-01-01T00:00:00Z', 'querystring.until'],
      ['?limit=0', 'querystring.limit'],
      ['?cursor=not-a-cursor', 'cursor'],
      ['?color=red', 'querystring.color'],
    ];
    for (const [query, field] of cases) {
      const response = await app.inject({ method: 'GET', url: `/v1/rate-limits/history${query}`, headers: admin });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ error: { code: string; field: string } }>().error, query).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    expect((await app.inject({ method: 'GET', url: '/v1/rate-limits/history' })).statusCode).toBe(401);
  });
});
