import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullMqJobQueue } from '../src/backends/redis/job-queue.ts';
import { deleteKeysWithPrefix } from '../src/backends/redis/job-queue-keys.ts';
import { waitFor } from '../src/ports/contracts/job-queue.contract.ts';
import { killAllRedisQueueWorkers, parseProcessed, startRedisQueueWorker } from './fixtures/queue-redis-processes.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LEASE_MS = 1000;

describe('BullMqJobQueue when a consumer process crashes', () => {
  let prefix: string;
  let redis: Redis;

  beforeEach(() => {
    prefix = `test-queue-crash-${randomUUID()}`;
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await killAllRedisQueueWorkers();
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    await redis.quit();
  });

  it('hands the job of a consumer killed mid-job to another consumer once its lock expires, as attempt 2', async () => {
    const producer = new BullMqJobQueue({ connection: { url: REDIS_URL }, prefix, clock: { now: () => Date.now() } });
    const { id } = await producer.enqueue('webhook-events', { event: 'evt_1' });

    const doomed = await startRedisQueueWorker(REDIS_URL, prefix, 'hold', 'webhook-events', { concurrency: 1, leaseMs: LEASE_MS });
    expect(await doomed.line(/^holding /)).toBe(`holding ${id} 1`);
    expect((await producer.stats()).find((s) => s.queue === 'webhook-events')).toMatchObject({ ready: 0, running: 1 });

    await doomed.kill();
    // The lock as the dead process last renewed it: nobody may take the job before it lapses.
    const lockTtl = await redis.pttl(`${prefix}:webhook-events:${id}:lock`);
    expect(lockTtl).toBeGreaterThan(0);
    const lockUntil = Date.now() + lockTtl;

    const rescuer = await startRedisQueueWorker(REDIS_URL, prefix, 'record', 'webhook-events', { concurrency: 1, leaseMs: LEASE_MS });
    await waitFor('the rescuer to complete the job', async () => (await redis.llen(`${prefix}:processed`)) > 0, 15_000);
    expect(await rescuer.stop()).toBe(0);

    const records = (await redis.lrange(`${prefix}:processed`, 0, -1)).map(parseProcessed);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ jobId: id, attempt: 2, pid: rescuer.pid });
    expect(records[0]?.at).toBeGreaterThanOrEqual(lockUntil - 5);
    expect((await producer.stats()).find((s) => s.queue === 'webhook-events')).toEqual({
      queue: 'webhook-events',
      ready: 0,
      delayed: 0,
      running: 0,
      deadLetters: 0,
      oldestReadyAgeMs: 0,
    });
    await producer.close();
  });
});
