import { randomUUID } from 'node:crypto';
import { runLocksContract } from '../../ports/contracts/locks.contract.ts';
import { connectRedis } from './client.ts';
import { deleteKeysWithPrefix } from './job-queue-keys.ts';
import { RedisLocks } from './locks.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Leases expire by the Redis server's clock, so the harness moves time by waiting.
runLocksContract('RedisLocks, two connections on one prefix', async () => {
  const keyPrefix = `test:locks:${randomUUID()}:`;
  const a = await connectRedis({ url: REDIS_URL });
  const b = await connectRedis({ url: REDIS_URL });
  return {
    locks: new RedisLocks(a, { keyPrefix }),
    second: new RedisLocks(b, { keyPrefix }),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      await deleteKeysWithPrefix(a, keyPrefix);
      a.disconnect();
      b.disconnect();
    },
  };
});
