import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../ports/clock.ts';
import { runJobQueueContract, SteppedClock, waitFor } from '../../ports/contracts/job-queue.contract.ts';
import { QUEUE_NAMES, type JobQueue, type QueueName } from '../../ports/job-queue.ts';
import { BullMqJobQueue } from './job-queue.ts';
import { deleteKeysWithPrefix } from './job-queue-keys.ts';
import type { BullMqJobQueueOptions } from './job-queue-options.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const START = Date.UTC(2026, 0, 1);

runJobQueueContract('BullMqJobQueue, a connection per instance, one prefix per case', async () => {
  const prefix = `test-queue-${randomUUID()}`;
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queues: JobQueue[] = [];
  return {
    open: async (options) => {
      const queue = new BullMqJobQueue({ connection: { url: REDIS_URL }, prefix, stopGraceMs: 1000, ...options });
      queues.push(queue);
      return queue;
    },
    // BullMQ locks are Redis keys with a TTL: deleting them is what their expiry does.
    expireLeases: async () => {
      for (const name of QUEUE_NAMES) {
        const active = await admin.lrange(`${prefix}:${name}:active`, 0, -1);
        for (const id of active) await admin.del(`${prefix}:${name}:${id}:lock`);
      }
    },
    dispose: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
      await deleteKeysWithPrefix(admin, `${prefix}:`);
      await admin.quit();
    },
  };
});

describe('BullMqJobQueue specifics', () => {
  let prefix: string;
  let admin: Redis;
  const opened: JobQueue[] = [];

  function open(clock: Clock, extra: Partial<BullMqJobQueueOptions> = {}): BullMqJobQueue {
    const queue = new BullMqJobQueue({ connection: { url: REDIS_URL }, prefix, clock, stopGraceMs: 1000, ...extra });
    opened.push(queue);
    return queue;
  }

  async function expireLocks(name: QueueName): Promise<void> {
    for (const id of await admin.lrange(`${prefix}:${name}:active`, 0, -1)) await admin.del(`${prefix}:${name}:${id}:lock`);
  }

  beforeEach(() => {
    prefix = `test-queue-${randomUUID()}`;
    admin = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
    await deleteKeysWithPrefix(admin, `${prefix}:`);
    await admin.quit();
  });

  it('stores a dead letter in Redis with its classified message only: no stack, no secret', async () => {
    const queue = open(new SteppedClock(START));
    const { id } = await queue.enqueue('webhook-events', 'poison', { maxAttempts: 1 });
    queue.consume('webhook-events', async () => {
      throw new Error('refused with Authorization: Bearer abcdefghijklmnop');
    }, { concurrency: 1 });
    await waitFor('the dead letter', async () => (await admin.zcard(`${prefix}:webhook-events:failed`)) === 1);
    const stored = await admin.hgetall(`${prefix}:webhook-events:${id}`);
    expect(JSON.parse(stored.stacktrace ?? '[]')).toEqual([]);
    expect(JSON.stringify(stored)).not.toMatch(/abcdefghijklmnop|\s+at\s.*:\d+/);
    expect(JSON.parse(stored.failedReason ?? '{}')).toMatchObject({ category: 'transient', code: 'JOB_FAILED', at: START });
  });

  it('still runs a delayed job by wall time when no consumer clock says it is due', async () => {
    const frozen = new SteppedClock(START);
    const queue = open(frozen);
    const enqueuedAt = Date.now();
    await queue.enqueue('notifications', 'later', { delayMs: 300 });
    let ranAt = 0;
    queue.consume('notifications', async () => void (ranAt = Date.now()), { concurrency: 1 });
    await waitFor('the delayed job', () => ranAt > 0);
    expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(290);
  });

  it('holds an idempotency key across instances racing to enqueue it', async () => {
    const [a, b] = [open(new SteppedClock(START)), open(new SteppedClock(START))];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? a : b).enqueue('sync-inbound', n, { idempotencyKey: 'int_7:pull' })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
  });

  it('dead-letters, without running it, a job whose lease lapsed on its last attempt', async () => {
    const queue = open(new SteppedClock(START));
    const { id } = await queue.enqueue('sync-outbound', 'fragile', { maxAttempts: 1 });
    let started = 0;
    queue.consume('sync-outbound', async (_job, signal) => {
      started += 1;
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    }, { concurrency: 1, leaseMs: 300 });
    await waitFor('the first delivery', () => started === 1);
    await expireLocks('sync-outbound');
    await waitFor('the dead letter', async () => (await queue.listDeadLetters('sync-outbound')).length === 1);
    const [dead] = await queue.listDeadLetters('sync-outbound');
    expect(dead).toMatchObject({ jobId: id, attempts: 1, category: 'transient', errorCode: 'JOB_FAILED' });
    expect(dead?.errorMessage).toMatch(/lease expired/);
    expect(started).toBe(1);
  });
});

describe('BullMqJobQueue without a Redis server', () => {
  it('rejects enqueue and stats with QUEUE_UNAVAILABLE instead of waiting for the server', async () => {
    // Port 1 on the loopback: nothing listens there.
    const queue = new BullMqJobQueue({
      connection: { url: 'redis://127.0.0.1:1' },
      prefix: `test-queue-${randomUUID()}`,
      clock: new SteppedClock(START),
      operationTimeoutMs: 300,
    });
    await expect(queue.enqueue('sync-inbound', 1)).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE', category: 'transient' });
    await expect(queue.stats()).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    await queue.close();
  });
});
