import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullMqJobQueue } from '../src/backends/redis/job-queue.ts';
import { deleteKeysWithPrefix } from '../src/backends/redis/job-queue-keys.ts';
import { waitFor } from '../src/ports/contracts/job-queue.contract.ts';
import {
  killAllRedisQueueWorkers,
  parseProcessed,
  startRedisQueueWorker,
  type RedisWorkerProcess,
} from './fixtures/queue-redis-processes.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = 2000;
const WORKERS = 2;

describe('BullMqJobQueue shared by several processes', () => {
  let prefix: string;
  let redis: Redis;

  beforeEach(() => {
    prefix = `test-queue-procs-${randomUUID()}`;
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await killAllRedisQueueWorkers();
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    await redis.quit();
  });

  it(`runs ${JOBS} jobs through ${WORKERS} consumer processes, each job exactly once in effect`, async () => {
    const workers: RedisWorkerProcess[] = await Promise.all(
      Array.from({ length: WORKERS }, () => startRedisQueueWorker(REDIS_URL, prefix, 'record', 'sync-inbound', { concurrency: 16 })),
    );
    const producer = new BullMqJobQueue({ connection: { url: REDIS_URL }, prefix, clock: { now: () => Date.now() } });
    const started = Date.now();
    const ids: string[] = [];
    for (let start = 0; start < JOBS; start += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ payload: { n: start + i } }));
      ids.push(...(await producer.enqueueMany('sync-inbound', batch)).map((r) => r.id));
    }
    expect(new Set(ids).size).toBe(JOBS);

    await waitFor('every job to be recorded', async () => (await redis.llen(`${prefix}:processed`)) >= JOBS, 30_000);
    const elapsedMs = Date.now() - started;
    expect(await Promise.all(workers.map((w) => w.stop()))).toEqual([0, 0]);

    const records = (await redis.lrange(`${prefix}:processed`, 0, -1)).map(parseProcessed);
    const times = new Map<string, number>();
    for (const r of records) times.set(r.jobId, (times.get(r.jobId) ?? 0) + 1);
    expect([...times].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(times.keys())).toEqual(new Set(ids));
    expect(records.every((r) => r.attempt === 1)).toBe(true);
    const inbound = (await producer.stats()).find((s) => s.queue === 'sync-inbound');
    expect(inbound).toMatchObject({ ready: 0, delayed: 0, running: 0, deadLetters: 0 });
    // Completed jobs leave nothing behind: no job hashes, no completed set.
    expect(await redis.zcard(`${prefix}:sync-inbound:completed`)).toBe(0);

    // Only our worker processes did the work. (Not "both took part": on a loaded machine one
    // worker may start after the other drained the queue, which is correct behaviour.)
    const workerPids = new Set(workers.map((w) => w.pid));
    expect(records.every((r) => workerPids.has(r.pid))).toBe(true);
    console.log(`${JOBS} jobs through ${WORKERS} BullMQ consumer processes in ${elapsedMs} ms`);
    await producer.close();
  });
});
