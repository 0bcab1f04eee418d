import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { RateLimitAdmin, RateLimitHistorySampler, RateLimiter, resolveRateLimitHistoryOptions, sampleTime } from '../src/ratelimit/index.ts';
import type { RateCall } from '../src/ratelimit/index.ts';
import { resolveConfig } from '../src/runtime/config/index.ts';

/** The sampler over a real in-process limiter and a real SQLite store; time moves by hand. */
const T0 = 1_800_000_000_000; // a minute boundary
const MINUTE = 60_000;
const call = (connectionId: string, tenantId = 'ten_a'): RateCall => ({ provider: 'github', tenantId, connectionId, operation: 'read', endpoint: 'GET /user' });
const CORE_A = 'connection:github:core:con_a';

let dir: string;
let store: SqliteStore;
let clock: ManualClock;
let limiter: RateLimiter;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-rl-sampler-'));
  clock = new ManualClock(T0 + 5_000);
  store = new SqliteStore(openSqlite({ path: join(dir, 'db.sqlite') }), { clock });
  await store.migrate();
  limiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: () => 0.25 });
});

afterEach(async () => {
  limiter.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sampler = (): RateLimitHistorySampler => new RateLimitHistorySampler({ admin: new RateLimitAdmin(limiter, clock), history: store.rateLimitHistory, clock });
const usedOf = async (key: string): Promise<[string, number][]> => (await store.rateLimitHistory.list({ key })).items.map((s) => [s.at, s.used]);

describe('RateLimitHistorySampler', () => {
  it('stores each busy budget once per interval, stamped with the interval start, with its budget and owner', async () => {
    const history = sampler();
    for (let i = 0; i < 3; i++) await limiter.acquire(call('con_a'));
    await limiter.acquire(call('con_b', 'ten_b'));
    expect(await history.sample()).toBeGreaterThanOrEqual(2);
    // Again in the same minute (a replayed tick): nothing new, the first reading stands.
    await limiter.acquire(call('con_a'));
    expect(await history.sample()).toBe(0);
    clock.advance(MINUTE);
    await history.sample();

    expect(await usedOf(CORE_A)).toEqual([[new Date(T0).toISOString(), 3], [new Date(T0 + MINUTE).toISOString(), 4]]);
    const [first] = (await store.rateLimitHistory.list({ key: CORE_A })).items;
    expect(first).toMatchObject({ level: 'connection', rule: 'core', provider: 'github', tenantId: 'ten_a', connectionId: 'con_a', limit: 5000, windowMs: 3_600_000 });
    expect(first?.expiresAt).toBe(new Date(T0 + 7 * 86_400_000).toISOString());
    expect((await store.rateLimitHistory.list({ tenantId: 'ten_b' })).items.every((s) => s.connectionId === 'con_b')).toBe(true);
  });

  it('skips idle budgets but records the fall back to zero once', async () => {
    const history = sampler();
    await limiter.acquire(call('con_a'));
    await history.sample();
    // The hour-long window (counted in 3-minute buckets) empties; the budget is idle from then on.
    clock.advance(65 * MINUTE);
    await history.sample();
    clock.advance(MINUTE);
    await history.sample();
    expect((await usedOf(CORE_A)).map(([, used]) => used)).toEqual([1, 0]);
  });

  it('stores one sample when two processes sample the same interval (a leader hand-over)', async () => {
    await limiter.acquire(call('con_a'));
    const first = await sampler().sample();
    expect(first).toBeGreaterThan(0);
    expect(await sampler().sample()).toBe(0);
    expect(await usedOf(CORE_A)).toHaveLength(1);
  });

  it('leaves samples to the TTL purge once their retention passed', async () => {
    const history = new RateLimitHistorySampler({ admin: new RateLimitAdmin(limiter, clock), history: store.rateLimitHistory, clock, retentionMs: 10 * MINUTE });
    await limiter.acquire(call('con_a'));
    await history.sample();
    clock.advance(5 * MINUTE);
    await limiter.acquire(call('con_a'));
    await history.sample();
    expect(await store.purgeExpired(T0 + 10 * MINUTE)).toBeGreaterThan(0);
    expect(await usedOf(CORE_A)).toEqual([[new Date(T0 + 5 * MINUTE).toISOString(), 2]]);
  });
});

describe('rate-limit history options', () => {
  it('defaults to a sample a minute kept 7 days, and refuses a retention shorter than the interval', () => {
    expect(resolveRateLimitHistoryOptions()).toEqual({ intervalMs: 60_000, retentionMs: 604_800_000 });
    expect(() => resolveRateLimitHistoryOptions({ intervalMs: 120_000, retentionMs: 60_000 })).toThrow(/retentionMs/);
    expect(() => resolveRateLimitHistoryOptions({ intervalMs: 10 })).toThrow(/intervalMs/);
  });

  it('stamps every time of an interval with its start', () => {
    expect(sampleTime(T0 + 59_999, MINUTE)).toBe(T0);
    expect(sampleTime(T0 + MINUTE, MINUTE)).toBe(T0 + MINUTE);
  });
});

describe('rate-limit history configuration', () => {
  it('takes the interval and retention from configuration, and refuses a retention shorter than the interval, naming it', () => {
    expect(resolveConfig({ rateLimitHistoryIntervalMs: 30_000, rateLimitHistoryRetentionMs: 86_400_000 }).rateLimitHistory).toEqual({ intervalMs: 30_000, retentionMs: 86_400_000 });
    expect(resolveConfig({}).rateLimitHistory).toEqual({ intervalMs: 60_000, retentionMs: 604_800_000 });
    expect(() => resolveConfig({ rateLimitHistoryIntervalMs: 120_000, rateLimitHistoryRetentionMs: 60_000 }, { labels: { rateLimitHistoryRetentionMs: 'TRIBUTARY_RATE_LIMIT_HISTORY_RETENTION_MS' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', field: 'TRIBUTARY_RATE_LIMIT_HISTORY_RETENTION_MS' }),
    );
  });
});
