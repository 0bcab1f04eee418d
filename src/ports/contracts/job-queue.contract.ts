import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TributaryError, type ErrorCode } from '../../domain/errors.ts';
import type { Clock, RandomSource } from '../clock.ts';
import type { Job, JobQueue, QueueName, QueueStats } from '../job-queue.ts';

/** How the contract wants a queue instance configured. */
export interface JobQueueContractOptions {
  clock: Clock;
  random?: RandomSource;
  maxAttempts?: number;
  backoff?: { baseMs: number; maxMs: number };
}

/** One backend, fresh and empty for each case of the contract suite. */
export interface JobQueueContractBackend {
  /**
   * Opens a queue instance on this backend. Instances opened on the same backend share
   * its jobs, as processes sharing a database or a broker do. The backend should poll
   * an empty queue at least every ~50 ms so that the suite stays fast.
   */
  open(options: JobQueueContractOptions): Promise<JobQueue>;
  /** Closes every opened instance and deletes the backend's data. */
  dispose(): Promise<void>;
  /**
   * Makes every lease now held on this backend lapse, as a holder that hung past its
   * lease would let it. Only for backends whose leases lapse by a time the instances'
   * clocks do not govern (BullMQ: Redis key expiry); backends that judge a lease by the
   * clock of the instance that looks at it leave this out, and the lease case relies on
   * a taker whose clock is past the lease instead.
   */
  expireLeases?(): Promise<void>;
}

/** A clock that moves only when the suite says so. */
export class SteppedClock implements Clock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

const START = Date.UTC(2026, 0, 1);
const realClock: Clock = { now: () => Date.now() };
/** How long the suite waits to be sure that something does NOT happen. */
const QUIET_MS = 150;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true (or a truthy promise), failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function statsOf(all: QueueStats[], queue: QueueName): QueueStats {
  const found = all.find((s) => s.queue === queue);
  if (!found) throw new Error(`no stats for ${queue}`);
  return found;
}

const EMPTY = { ready: 0, delayed: 0, running: 0, deadLetters: 0, oldestReadyAgeMs: 0 };

/**
 * The behaviour every JobQueue backend must show (STYLE.md 3): priorities, delays,
 * retries with backoff, dead letters with replay and discard, idempotency keys, leases,
 * stop and release, stats. Time that the queue records (delays, backoff, leases) moves
 * through a stepped clock; only polling and heartbeats take real time.
 */
export function runJobQueueContract(name: string, create: () => Promise<JobQueueContractBackend>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let backend: JobQueueContractBackend;
    let clock: SteppedClock;

    beforeEach(async () => {
      backend = await create();
      clock = new SteppedClock(START);
    });

    afterEach(async () => {
      await backend.dispose();
    });

    async function stats(queue: JobQueue, name: QueueName): Promise<QueueStats> {
      return statsOf(await queue.stats(), name);
    }

    async function waitIdle(queue: JobQueue, name: QueueName): Promise<void> {
      await waitFor(`${name} to be empty`, async () => {
        const s = await stats(queue, name);
        return s.ready + s.delayed + s.running === 0;
      });
    }

    it('delivers an enqueued job once, with its payload and metadata, then forgets it', async () => {
      const queue = await backend.open({ clock });
      const { id, deduplicated } = await queue.enqueue('sync-inbound', { tenant: 'ten_1', n: 1 }, { correlationId: 'req_1' });
      expect(deduplicated).toBe(false);
      const seen: Job[] = [];
      queue.consume('sync-inbound', async (job) => void seen.push(job), { concurrency: 2 });
      await waitFor('delivery', () => seen.length === 1);
      expect(seen[0]).toMatchObject({
        id,
        queue: 'sync-inbound',
        payload: { tenant: 'ten_1', n: 1 },
        priority: 'normal',
        attempt: 1,
        maxAttempts: 5,
        idempotencyKey: null,
        correlationId: 'req_1',
        enqueuedAt: START,
      });
      await waitIdle(queue, 'sync-inbound');
      await sleep(QUIET_MS);
      expect(seen).toHaveLength(1);
      expect(await stats(queue, 'sync-inbound')).toEqual({ queue: 'sync-inbound', ...EMPTY });
    });

    it('enqueues a batch in one call, each job its own id, and delivers every one', async () => {
      const queue = await backend.open({ clock });
      const results = await queue.enqueueMany(
        'sync-outbound',
        Array.from({ length: 25 }, (_, n) => ({ payload: { n } })),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(25);
      expect(results.every((r) => !r.deduplicated)).toBe(true);
      expect(await queue.enqueueMany('sync-outbound', [])).toEqual([]);
      const seen = new Set<number>();
      queue.consume<{ n: number }>('sync-outbound', async (job) => void seen.add(job.payload.n), { concurrency: 4 });
      await waitFor('all 25', () => seen.size === 25);
      await waitIdle(queue, 'sync-outbound');
    });

    it('runs higher priorities first, and within a priority the oldest first', async () => {
      const queue = await backend.open({ clock });
      const plan = [
        ['low-1', 'low'],
        ['normal-1', 'normal'],
        ['high-1', 'high'],
        ['normal-2', 'normal'],
        ['high-2', 'high'],
      ] as const;
      for (const [label, priority] of plan) {
        await queue.enqueue('sync-inbound', label, { priority });
        clock.advance(1);
      }
      const order: string[] = [];
      queue.consume<string>('sync-inbound', async (job) => void order.push(job.payload), { concurrency: 1 });
      await waitFor('all five', () => order.length === 5);
      expect(order).toEqual(['high-1', 'high-2', 'normal-1', 'normal-2', 'low-1']);
    });

    it('keeps a delayed job invisible until its time has come', async () => {
      const queue = await backend.open({ clock });
      await queue.enqueue('notifications', 'later', { delayMs: 5000 });
      expect(await stats(queue, 'notifications')).toMatchObject({ ready: 0, delayed: 1 });
      const seen: Job[] = [];
      queue.consume('notifications', async (job) => void seen.push(job), { concurrency: 1 });
      await sleep(QUIET_MS);
      clock.advance(4999);
      await sleep(QUIET_MS);
      expect(seen).toHaveLength(0);
      clock.advance(1);
      await waitFor('the delayed job', () => seen.length === 1);
      expect(seen[0]?.attempt).toBe(1);
    });

    it('retries a transient failure after the jittered exponential backoff', async () => {
      // random 0.5 with baseMs 1000: the first retry waits 500 ms, the second 1000 ms.
      const queue = await backend.open({ clock, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 60_000 } });
      await queue.enqueue('sync-inbound', 'flaky');
      const attempts: number[] = [];
      queue.consume('sync-inbound', async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error('connection reset');
      }, { concurrency: 1 });
      await waitFor('first attempt', () => attempts.length === 1);
      await waitFor('the retry to be scheduled', async () => (await stats(queue, 'sync-inbound')).delayed === 1);
      clock.advance(499);
      await sleep(QUIET_MS);
      expect(attempts).toEqual([1]);
      clock.advance(1);
      await waitFor('second attempt', () => attempts.length === 2);
      await waitFor('the second retry to be scheduled', async () => (await stats(queue, 'sync-inbound')).delayed === 1);
      clock.advance(999);
      await sleep(QUIET_MS);
      expect(attempts).toEqual([1, 2]);
      clock.advance(1);
      await waitFor('third attempt', () => attempts.length === 3);
      expect(attempts).toEqual([1, 2, 3]);
      await waitIdle(queue, 'sync-inbound');
      expect((await stats(queue, 'sync-inbound')).deadLetters).toBe(0);
    });

    it("waits for a rate limit's retryAfterMs before retrying", async () => {
      const queue = await backend.open({ clock, random: () => 0 });
      await queue.enqueue('sync-outbound', 'throttled');
      const attempts: number[] = [];
      queue.consume('sync-outbound', async (job) => {
        attempts.push(job.attempt);
        if (job.attempt === 1) {
          throw new TributaryError('PROVIDER_RATE_LIMITED', 'Slow down', { retryAfterMs: 60_000 });
        }
      }, { concurrency: 1 });
      await waitFor('the retry to be scheduled', async () => (await stats(queue, 'sync-outbound')).delayed === 1);
      clock.advance(59_999);
      await sleep(QUIET_MS);
      expect(attempts).toEqual([1]);
      clock.advance(1);
      await waitFor('second attempt', () => attempts.length === 2);
    });

    it.each([
      ['PROVIDER_AUTH_FAILED', 'auth'],
      ['PROVIDER_REJECTED', 'permanent'],
      ['PROVIDER_BAD_DATA', 'bad_data'],
    ] as const)('dead-letters a %s failure at once, classified as %s', async (code: ErrorCode, category) => {
      const queue = await backend.open({ clock });
      const { id } = await queue.enqueue('sync-outbound', { record: 7 }, { correlationId: 'req_9', priority: 'high' });
      let calls = 0;
      queue.consume('sync-outbound', async () => {
        calls += 1;
        throw new TributaryError(code, 'The provider said no');
      }, { concurrency: 1 });
      await waitFor('the dead letter', async () => (await stats(queue, 'sync-outbound')).deadLetters === 1);
      const [dead] = await queue.listDeadLetters('sync-outbound');
      expect(dead).toMatchObject({
        jobId: id,
        queue: 'sync-outbound',
        payload: { record: 7 },
        priority: 'high',
        attempts: 1,
        category,
        errorCode: code,
        errorMessage: 'The provider said no',
        correlationId: 'req_9',
        enqueuedAt: START,
      });
      expect(calls).toBe(1);
      expect(await stats(queue, 'sync-outbound')).toEqual({ queue: 'sync-outbound', ...EMPTY, deadLetters: 1 });
    });

    it('dead-letters a job that fails maxAttempts times, keeping the message but no stack and no secret', async () => {
      const queue = await backend.open({ clock, random: () => 0 });
      await queue.enqueue('webhook-events', 'poison', { maxAttempts: 3 });
      let calls = 0;
      queue.consume('webhook-events', async () => {
        calls += 1;
        throw new Error('Upstream refused token=s3cr3t-value via https://bob:hunter2@api.example.com/x');
      }, { concurrency: 1 });
      await waitFor('the dead letter', async () => (await stats(queue, 'webhook-events')).deadLetters === 1);
      expect(calls).toBe(3);
      const [dead] = await queue.listDeadLetters('webhook-events');
      expect(dead).toMatchObject({ attempts: 3, category: 'transient', errorCode: 'JOB_FAILED' });
      expect(dead?.errorMessage).toContain('Upstream refused');
      expect(dead?.errorMessage).not.toMatch(/s3cr3t|hunter2|\n|\s+at\s.*:\d+/);
      expect(await stats(queue, 'webhook-events')).toMatchObject({ ready: 0, delayed: 0, running: 0 });
    });

    it('replays a dead letter as a fresh job and discards another for good', async () => {
      const queue = await backend.open({ clock });
      const failedOnce = new Set<string>();
      const done: Job<string>[] = [];
      queue.consume<string>('sync-inbound', async (job) => {
        if (!failedOnce.has(job.payload)) {
          failedOnce.add(job.payload);
          throw new TributaryError('PROVIDER_REJECTED', 'nope');
        }
        done.push(job);
      }, { concurrency: 1 });
      const first = await queue.enqueue('sync-inbound', 'replay-me', { correlationId: 'req_r' });
      await queue.enqueue('sync-inbound', 'discard-me');
      await waitFor('two dead letters', async () => (await stats(queue, 'sync-inbound')).deadLetters === 2);
      const letters = await queue.listDeadLetters('sync-inbound');
      const toReplay = letters.find((l) => l.payload === 'replay-me');
      const toDiscard = letters.find((l) => l.payload === 'discard-me');
      if (!toReplay || !toDiscard) throw new Error('dead letters missing');

      const newId = await queue.replayDeadLetter(toReplay.id);
      expect(newId).not.toBe(first.id);
      await waitFor('the replayed job', () => done.length === 1);
      expect(done[0]).toMatchObject({ id: newId, payload: 'replay-me', attempt: 1, correlationId: 'req_r' });

      await queue.discardDeadLetter(toDiscard.id);
      expect(await queue.listDeadLetters('sync-inbound')).toEqual([]);
      expect((await stats(queue, 'sync-inbound')).deadLetters).toBe(0);
      await expect(queue.discardDeadLetter(toDiscard.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(queue.replayDeadLetter(toReplay.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await sleep(QUIET_MS);
      expect(done).toHaveLength(1);
    });

    it('lists dead letters newest first, page by page, with a cursor that survives a discard', async () => {
      const queue = await backend.open({ clock });
      queue.consume('notifications', async () => {
        throw new TributaryError('VALIDATION_FAILED', 'bad');
      }, { concurrency: 1 });
      for (let n = 0; n < 5; n += 1) {
        await queue.enqueue('notifications', n);
        await waitFor(`dead letter ${n}`, async () => (await stats(queue, 'notifications')).deadLetters === n + 1);
        clock.advance(1000);
      }
      const page1 = await queue.listDeadLetters('notifications', { limit: 2 });
      expect(page1.map((d) => d.payload)).toEqual([4, 3]);
      const cursor = page1[1]?.id;
      await queue.discardDeadLetter(cursor ?? '');
      const page2 = await queue.listDeadLetters('notifications', { limit: 2, before: cursor });
      expect(page2.map((d) => d.payload)).toEqual([2, 1]);
      const page3 = await queue.listDeadLetters('notifications', { limit: 2, before: page2[1]?.id });
      expect(page3.map((d) => d.payload)).toEqual([0]);
      expect(await queue.listDeadLetters('sync-inbound')).toEqual([]);
    });

    it('treats the same idempotency key as one job while it is pending or running, per queue', async () => {
      const queue = await backend.open({ clock });
      const first = await queue.enqueue('sync-inbound', 'a', { idempotencyKey: 'int_1:pull' });
      expect(await queue.enqueue('sync-inbound', 'b', { idempotencyKey: 'int_1:pull' })).toEqual({ id: first.id, deduplicated: true });
      const delayed = await queue.enqueue('sync-inbound', 'c', { idempotencyKey: 'int_2:pull', delayMs: 60_000 });
      expect(await queue.enqueue('sync-inbound', 'd', { idempotencyKey: 'int_2:pull' })).toEqual({ id: delayed.id, deduplicated: true });
      const elsewhere = await queue.enqueue('sync-outbound', 'e', { idempotencyKey: 'int_1:pull' });
      expect(elsewhere.deduplicated).toBe(false);
      const batch = await queue.enqueueMany('notifications', [
        { payload: 1, options: { idempotencyKey: 'k' } },
        { payload: 2, options: { idempotencyKey: 'k' } },
        { payload: 3 },
      ]);
      expect(batch[1]).toEqual({ id: batch[0]?.id, deduplicated: true });
      expect(batch[2]?.deduplicated).toBe(false);
      expect((await stats(queue, 'sync-inbound')).ready + (await stats(queue, 'sync-inbound')).delayed).toBe(2);

      const release = deferred();
      const payloads: string[] = [];
      queue.consume<string>('sync-inbound', async (job) => {
        payloads.push(job.payload);
        await release.promise;
      }, { concurrency: 1 });
      await waitFor('the job to run', () => payloads.length === 1);
      expect(await queue.enqueue('sync-inbound', 'f', { idempotencyKey: 'int_1:pull' })).toEqual({ id: first.id, deduplicated: true });
      release.resolve();
      await waitFor('completion', async () => (await stats(queue, 'sync-inbound')).ready + (await stats(queue, 'sync-inbound')).running === 0);
      const again = await queue.enqueue('sync-inbound', 'g', { idempotencyKey: 'int_1:pull' });
      expect(again.deduplicated).toBe(false);
      expect(again.id).not.toBe(first.id);
      expect(payloads[0]).toBe('a');
    });

    it('frees an idempotency key once its job is dead-lettered', async () => {
      const queue = await backend.open({ clock });
      const first = await queue.enqueue('sync-outbound', 1, { idempotencyKey: 'push:ent_1' });
      queue.consume('sync-outbound', async () => {
        throw new TributaryError('PROVIDER_BAD_DATA', 'rejected');
      }, { concurrency: 1 });
      await waitFor('the dead letter', async () => (await stats(queue, 'sync-outbound')).deadLetters === 1);
      const again = await queue.enqueue('sync-outbound', 2, { idempotencyKey: 'push:ent_1', delayMs: 60_000 });
      expect(again).toMatchObject({ deduplicated: false });
      expect(again.id).not.toBe(first.id);
    });

    it('runs at most `concurrency` handlers of a consumer at once', async () => {
      const queue = await backend.open({ clock });
      await queue.enqueueMany('sync-inbound', Array.from({ length: 12 }, (_, n) => ({ payload: n })));
      let active = 0;
      let peak = 0;
      let finished = 0;
      queue.consume('sync-inbound', async () => {
        active += 1;
        peak = Math.max(peak, active);
        await sleep(20);
        active -= 1;
        finished += 1;
      }, { concurrency: 3 });
      await waitFor('all twelve', () => finished === 12);
      expect(peak).toBe(3);
    });

    it('stop() lets running handlers finish within the grace period and does not redeliver them', async () => {
      const queue = await backend.open({ clock });
      await queue.enqueue('webhook-events', 'slow');
      let started = 0;
      let finished = 0;
      const consumer = queue.consume('webhook-events', async () => {
        started += 1;
        await sleep(100);
        finished += 1;
      }, { concurrency: 1 });
      await waitFor('the handler to start', () => started === 1);
      await consumer.stop(5000);
      expect(finished).toBe(1);
      expect(await stats(queue, 'webhook-events')).toEqual({ queue: 'webhook-events', ...EMPTY });
      await queue.enqueue('webhook-events', 'after stop');
      await sleep(QUIET_MS);
      expect(started).toBe(1);
      await consumer.stop(); // idempotent
    });

    it('stop() aborts handlers still running after the grace and releases their jobs at once', async () => {
      const queue = await backend.open({ clock });
      await queue.enqueue('sync-outbound', 'stuck');
      let signal: AbortSignal | undefined;
      const consumer = queue.consume('sync-outbound', (_job, s) => {
        signal = s;
        return new Promise<void>(() => undefined); // never settles on its own
      }, { concurrency: 1 });
      await waitFor('the handler to start', () => signal !== undefined);
      await consumer.stop(50);
      expect(signal?.aborted).toBe(true);
      expect(await stats(queue, 'sync-outbound')).toMatchObject({ ready: 1, running: 0 });

      const other = await backend.open({ clock });
      const seen: Job[] = [];
      other.consume('sync-outbound', async (job) => void seen.push(job), { concurrency: 1 });
      await waitFor('the released job', () => seen.length === 1);
      expect(seen[0]).toMatchObject({ payload: 'stuck', attempt: 1 });
    });

    it('redelivers a job whose lease expired with attempt + 1, and aborts the old holder', async () => {
      const holderClock = new SteppedClock(START);
      const holder = await backend.open({ clock: holderClock });
      await holder.enqueue('sync-inbound', 'held');
      let holderSignal: AbortSignal | undefined;
      let holderSettled = false;
      const redelivered: Job[] = [];
      holder.consume('sync-inbound', async (job, signal) => {
        // Once the lease has lapsed, the job may come back to any consumer, this one included.
        if (job.attempt > 1) return void redelivered.push(job);
        holderSignal = signal;
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        holderSettled = true;
      }, { concurrency: 1, leaseMs: 300 });
      await waitFor('the holder to start', () => holderSignal !== undefined);

      // A second process whose clock is past the lease: for it, the holder is gone.
      const takerClock = new SteppedClock(START + 60_000);
      const taker = await backend.open({ clock: takerClock });
      taker.consume('sync-inbound', async (job) => void redelivered.push(job), { concurrency: 1 });
      // Where leases lapse by the server's time rather than by the instances' clocks.
      await backend.expireLeases?.();
      await waitFor('redelivery', () => redelivered.length === 1);
      expect(redelivered[0]).toMatchObject({ payload: 'held', attempt: 2 });
      await waitFor("the old holder's abort", () => holderSettled);
      expect(holderSignal?.aborted).toBe(true);
      await waitIdle(taker, 'sync-inbound');
      await sleep(QUIET_MS);
      expect(redelivered).toHaveLength(1);
    });

    it('renews the lease while a handler outlives it, so nobody else takes the job', async () => {
      const first = await backend.open({ clock: realClock });
      await first.enqueue('sync-outbound', 'long');
      const runs: Job[] = [];
      let finished = false;
      first.consume('sync-outbound', async (job) => {
        runs.push(job);
        await sleep(1200);
        finished = true;
      }, { concurrency: 1, leaseMs: 500 });
      await waitFor('the handler to start', () => runs.length === 1);
      const second = await backend.open({ clock: realClock });
      second.consume('sync-outbound', async (job) => void runs.push(job), { concurrency: 1, leaseMs: 500 });
      await waitFor('the long handler', () => finished, 5000);
      await waitIdle(first, 'sync-outbound');
      expect(runs).toHaveLength(1);
      expect(runs[0]?.attempt).toBe(1);
    });

    it('reports ready, delayed, running, dead letters and the oldest ready age for every queue', async () => {
      const queue = await backend.open({ clock });
      await queue.enqueueMany('sync-outbound', [{ payload: 1 }, { payload: 2 }]);
      clock.advance(500);
      await queue.enqueue('sync-outbound', 3, { delayMs: 10_000 });
      await queue.enqueue('webhook-events', 'running');
      const started = deferred();
      const release = deferred();
      queue.consume('webhook-events', async () => {
        started.resolve();
        await release.promise;
      }, { concurrency: 1 });
      queue.consume('notifications', async () => {
        throw new TributaryError('PROVIDER_REJECTED', 'no');
      }, { concurrency: 1 });
      await queue.enqueue('notifications', 'dead');
      await started.promise;
      await waitFor('the dead letter', async () => (await stats(queue, 'notifications')).deadLetters === 1);

      const all = await queue.stats();
      expect(all.map((s) => s.queue).sort()).toEqual(['notifications', 'sync-inbound', 'sync-outbound', 'webhook-events']);
      expect(statsOf(all, 'sync-inbound')).toEqual({ queue: 'sync-inbound', ...EMPTY });
      expect(statsOf(all, 'sync-outbound')).toEqual({ queue: 'sync-outbound', ...EMPTY, ready: 2, delayed: 1, oldestReadyAgeMs: 500 });
      expect(statsOf(all, 'webhook-events')).toEqual({ queue: 'webhook-events', ...EMPTY, running: 1 });
      expect(statsOf(all, 'notifications')).toEqual({ queue: 'notifications', ...EMPTY, deadLetters: 1 });
      release.resolve();
    });

    it('rejects unknown queues, priorities and bad numbers, and everything after close()', async () => {
      const queue = await backend.open({ clock });
      await expect(queue.enqueue('nope' as QueueName, 1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(queue.enqueue('sync-inbound', 1, { priority: 'urgent' as 'high' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(queue.enqueue('sync-inbound', 1, { delayMs: -5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(queue.enqueue('sync-inbound', 1, { maxAttempts: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(() => queue.consume('sync-inbound', async () => undefined, { concurrency: 0 })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
      const seen: Job[] = [];
      queue.consume('sync-inbound', async (job) => void seen.push(job), { concurrency: 1 });
      await queue.close();
      await expect(queue.enqueue('sync-inbound', 1)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
      expect(seen).toHaveLength(0);
    });
  });
}
