import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import { connectionLimiter, createProviderHttp } from '../src/connections/index.ts';
import { PROVIDERS, objectOf } from '../src/providers/index.ts';
import type { ProviderContext } from '../src/providers/index.ts';
import { RateLimitAdmin, RateLimiter } from '../src/ratelimit/index.ts';
import { startConnectionsSandbox } from './fixtures/connections-sandbox.ts';

let sandbox: Sandbox;
let base: string;
let control: <T>(path: string, method?: string, body?: unknown) => Promise<T>;
let limiter: RateLimiter;

const clock = { now: () => Date.now() };
const connection = { id: 'con_limited', tenantId: 'ten_limited', provider: 'slack' };

beforeAll(async () => {
  ({ sandbox, base, control } = await startConnectionsSandbox());
  // A tenant budget of two calls a minute: the third call finds no room.
  limiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: Math.random, limits: { tenant: { limit: 2, windowMs: 60_000 } } });
});

afterAll(async () => {
  limiter?.close();
  await sandbox?.close();
});

async function sandboxCalls(): Promise<number> {
  return (await control<{ count: number }>('/requests?provider=slack&path=users.list')).count;
}

describe('a connection’s provider calls and the rate limiter', () => {
  it('counts every call at the connection’s levels, and a call without room fails before it reaches the provider', async () => {
    const token = (await control<{ accessToken: string }>('/tokens', 'POST', { provider: 'slack' })).accessToken;
    const info = { id: connection.id, tenantId: connection.tenantId, baseUrl: `${base}/slack/api`, settings: {} };
    const http = createProviderHttp({
      provider: PROVIDERS.slack,
      connection: info,
      tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => null },
      egress: { allowPrivate: true },
      limiter: connectionLimiter(limiter, connection),
    });
    const ctx: ProviderContext = { http, connection: info };
    const users = objectOf(PROVIDERS.slack, 'users');
    await users.readPage(ctx, null, { pageSize: 10 });
    await users.readPage(ctx, null, { pageSize: 10 });
    const calls = await sandboxCalls();
    expect(calls).toBe(2);

    const admin = new RateLimitAdmin(limiter, clock);
    const counters = await admin.status({ tenantId: connection.tenantId });
    const usersList = counters.find((entry) => entry.connectionId === connection.id && entry.level === 'operation' && entry.key.includes('users.list'));
    expect(usersList?.used).toBe(2);

    const refused = await users.readPage(ctx, null, { pageSize: 10 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    expect(await sandboxCalls()).toBe(calls);
  });
});
