import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { connectRedis } from '../src/backends/redis/client.ts';
import { deleteKeysWithPrefix } from '../src/backends/redis/job-queue-keys.ts';
import { RedisRateLimitBackend } from '../src/backends/redis/rate-limit-backend.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { RateLimitAdmin, RateLimitHistorySampler, RateLimiter } from '../src/ratelimit/index.ts';
import type { RateCall } from '../src/ratelimit/index.ts';

/**
 * Cluster mode: workers count on Redis, and the sampler runs in another process that made
 * no call itself; it still records every worker's usage (it reads the shared registry).
 */
const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = 1_800_000_000_000;
const call = (connectionId: string): RateCall => ({ provider: 'github', tenantId: 'ten_a', connectionId, operation: 'read', endpoint: 'GET /user' });

let prefix: string;
let clients: Redis[];
let limiters: RateLimiter[];
let dir: string;
let store: SqliteStore;
const clock = new ManualClock(T0 + 1_000);

async function limiterProcess(): Promise<RateLimiter> {
  const redis = await connectRedis({ url: REDIS_URL });
  clients.push(redis);
  const limiter = new RateLimiter({ backend: new RedisRateLimitBackend(redis, { keyPrefix: prefix }), clock, random: () => 0.25 });
  limiters.push(limiter);
  return limiter;
}

beforeEach(async () => {
  prefix = `test:rl-history:${randomUUID()}:`;
  clients = [];
  limiters = [];
  dir = mkdtempSync(join(tmpdir(), 'tributary-rl-history-redis-'));
  store = new SqliteStore(openSqlite({ path: join(dir, 'db.sqlite') }), { clock });
  await store.migrate();
});

afterEach(async () => {
  for (const limiter of limiters) limiter.close();
  const [first] = clients;
  if (first !== undefined) await deleteKeysWithPrefix(first, prefix);
  for (const client of clients) client.disconnect();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RateLimitHistorySampler on Redis counters', () => {
  it("records the usage of every process's calls, from a process that made none", async () => {
    const workerA = await limiterProcess();
    const workerB = await limiterProcess();
    const sampling = await limiterProcess();
    for (let i = 0; i < 2; i++) await workerA.acquire(call('con_a'));
    await workerB.acquire(call('con_a'));
    await workerB.acquire(call('con_b'));
    const sampler = new RateLimitHistorySampler({ admin: new RateLimitAdmin(sampling, clock), history: store.rateLimitHistory, clock });
    expect(await sampler.sample()).toBeGreaterThanOrEqual(2);
    const used = async (connectionId: string): Promise<number[]> =>
      (await store.rateLimitHistory.list({ key: `connection:github:core:${connectionId}` })).items.map((s) => s.used);
    expect(await used('con_a')).toEqual([3]);
    expect(await used('con_b')).toEqual([1]);
  });
});
