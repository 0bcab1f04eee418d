/**
 * A stale inbound worker cannot regress a run another worker took over, in cluster mode:
 * the Store on PostgreSQL, the per-integration lease on Redis (run-fencing-scenario.ts).
 * The stale lease is short and the test waits past it (Redis judges expiry by its own clock).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'vitest';
import { createPgTestSchema } from '../../src/backends/postgres/pg-test-support.ts';
import { connectRedis } from '../../src/backends/redis/client.ts';
import { deleteKeysWithPrefix } from '../../src/backends/redis/job-queue-keys.ts';
import { RedisLocks } from '../../src/backends/redis/locks.ts';
import { staleWorkersPageIsRefused, staleWorkersRetryDoesNotReopenTheRun, type FencingBackend } from './run-fencing-scenario.ts';

const PG_URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function clusterBackend(): Promise<FencingBackend> {
  const schema = await createPgTestSchema(PG_URL);
  cleanups.push(() => schema.drop());
  const store = schema.openStore({ now: () => Date.now() });
  await store.migrate();
  const redis = await connectRedis({ url: REDIS_URL });
  const prefix = `test:fence:${randomUUID()}:`;
  cleanups.push(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });
  const staleTtlMs = 300;
  return {
    store, locks: new RedisLocks(redis, { keyPrefix: prefix }), staleTtlMs,
    lapse: () => new Promise((resolve) => setTimeout(resolve, staleTtlMs + 100)),
  };
}

describe('run fencing on PostgreSQL and Redis', () => {
  it("refuses a stale worker's page, so the cursor and the entities stay as the newer worker left them", async () => {
    await staleWorkersPageIsRefused(await clusterBackend());
  });

  it("does not let a stale worker's transient failure mark the finished run retrying", async () => {
    await staleWorkersRetryDoesNotReopenTheRun(await clusterBackend());
  });
});
