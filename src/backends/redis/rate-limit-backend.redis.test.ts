import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { runRateLimitBackendContract } from '../../ports/contracts/rate-limit-backend.contract.ts';
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
