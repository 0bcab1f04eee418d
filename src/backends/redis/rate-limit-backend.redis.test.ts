import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRateLimitBackendContract } from '../../ports/contracts/rate-limit-backend.contract.ts';
import type { WindowTake } from '../../ports/rate-limit-backend.ts';
import { connectRedis } from './client.ts';
import { RedisRateLimitBackend } from './rate-limit-backend.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key under a prefix (SCAN, not KEYS: the server is shared). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

runRateLimitBackendContract('redis', async () => {
  const prefix = `test:rl:${randomUUID()}:`;
  const a = await connectRedis({ url: REDIS_URL });
  const b = await connectRedis({ url: REDIS_URL });
  return {
    backend: new RedisRateLimitBackend(a, { keyPrefix: prefix }),
    second: new RedisRateLimitBackend(b, { keyPrefix: prefix }),
    close: async () => {
      await deletePrefix(a, prefix);
      a.disconnect();
      b.disconnect();
    },
  };
});

describe('RedisRateLimitBackend key lifetimes', () => {
  const T0 = 1_800_000_000_000;
  // 10 s window in 20 buckets of 500 ms; T0 starts a bucket.
  const take: WindowTake = { kind: 'window', key: 'life', limit: 100, scale: 1, windowMs: 10_000, cost: 1, observed: true };
  let redis: Redis;
  let prefix: string;
  let backend: RedisRateLimitBackend;

  beforeEach(async () => {
    prefix = `test:rl:${randomUUID()}:`;
    redis = await connectRedis({ url: REDIS_URL });
    backend = new RedisRateLimitBackend(redis, { keyPrefix: prefix });
  });

  afterEach(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('keeps a window counter one window past its newest bucket, never less, and as long as an overlay lasts', async () => {
    const ttl = (): Promise<number> => redis.pttl(`${prefix}life`);
    for (const at of [T0, T0 + 400, T0 + 600]) {
      expect((await backend.take([take], `l${at}`, at)).ok).toBe(true);
      // Real time barely moves during the test: the counter must outlive its window, but not by more than a bucket.
      expect(await ttl()).toBeGreaterThan(9_000);
      expect(await ttl()).toBeLessThanOrEqual(10_500);
    }
    await backend.observe('life', { limit: 100, used: 5, resetsAt: T0 + 3_600_000, rolling: false }, true, T0 + 700);
    expect(await ttl()).toBeGreaterThan(3_500_000);
    // A take that opens a new bucket while the provider's window lasts does not shorten the counter's life.
    expect((await backend.take([take], 'later', T0 + 1_200)).ok).toBe(true);
    expect(await ttl()).toBeGreaterThan(3_500_000);
    // The provider's 5, the two takes still pending (one of three settled), and the later take.
    expect(await backend.peek('life', 100, 1, 10_000, T0 + 1_300)).toMatchObject({ used: 8, limit: 100 });
  });
});
