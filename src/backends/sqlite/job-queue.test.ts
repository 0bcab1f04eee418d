import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runJobQueueContract, sleep, SteppedClock, waitFor } from '../../ports/contracts/job-queue.contract.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import { openSqlite, type SqliteHandle } from './database.ts';
import { SqliteJobQueue } from './job-queue.ts';
import { migrate } from './migrate.ts';

const START = Date.UTC(2026, 0, 1);

/** A temp-file database; each `open` is a separate connection, as another process would have. */
function tempDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-queue-'));
  const file = join(dir, 'tributary.db');
  const handles: SqliteHandle[] = [];
  const queues: JobQueue[] = [];
  const first = openSqlite({ path: file });
  migrate(first.db);
  handles.push(first);
  return {
    file,
    connect(busyTimeoutMs?: number): SqliteHandle {
      const handle = openSqlite({ path: file, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
      handles.push(handle);
      return handle;
    },
    track(queue: JobQueue): JobQueue {
      queues.push(queue);
      return queue;
    },
    async dispose(): Promise<void> {
      await Promise.all(queues.map((q) => q.close()));
      for (const h of handles) h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runJobQueueContract('SqliteJobQueue, one temp file, a connection per instance', async () => {
  const db = tempDatabase();
  return {
    open: async (options) => db.track(new SqliteJobQueue(db.connect(), { ...options, pollMs: 20, stopGraceMs: 1000 })),
    dispose: () => db.dispose(),
  };
});

describe('SqliteJobQueue specifics', () => {
  let db: ReturnType<typeof tempDatabase>;
  let clock: SteppedClock;

  beforeEach(() => {
    db = tempDatabase();
    clock = new SteppedClock(START);
  });

  afterEach(async () => {
    await db.dispose();
  });

  function open(handle = db.connect(), c = clock): SqliteJobQueue {
    return db.track(new SqliteJobQueue(handle, { clock: c, pollMs: 20, stopGraceMs: 1000 })) as SqliteJobQueue;
  }

  it('enforces the idempotency key across connections (processes), in SQL', async () => {
    const a = open();
    const b = open();
    const first = await a.enqueue('sync-inbound', 1, { idempotencyKey: 'int_9:pull' });
    expect(await b.enqueue('sync-inbound', 2, { idempotencyKey: 'int_9:pull' })).toEqual({ id: first.id, deduplicated: true });
    const raw = db.connect().db;
    expect(() =>
      raw
        .prepare(
          `INSERT INTO jobs (id, queue, state, priority, run_at, payload, max_attempts, idempotency_key, enqueued_at)
           VALUES ('job_x', 'sync-inbound', 'ready', 1, 0, 'null', 5, 'int_9:pull', 0)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });

  it('rejects an enqueue with QUEUE_UNAVAILABLE when the write lock stays taken, and recovers', async () => {
    const queue = open(db.connect(50));
    const blocker = db.connect().db;
    blocker.exec('BEGIN IMMEDIATE');
    try {
      await expect(queue.enqueue('notifications', 'x')).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE', category: 'transient' });
    } finally {
      blocker.exec('ROLLBACK');
    }
    await waitFor('the queue to accept again', async () => {
      try {
        await queue.enqueue('notifications', 'y');
        return true;
      } catch {
        return false;
      }
    });
    expect((await queue.stats()).find((s) => s.queue === 'notifications')?.ready).toBe(1);
  });

  it('dead-letters a job whose lease expired when it had no attempts left', async () => {
    const holder = open();
    await holder.enqueue('sync-outbound', 'crashes-its-worker', { maxAttempts: 1 });
    let started = false;
    holder.consume('sync-outbound', (_job, signal) => {
      started = true;
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    }, { concurrency: 1, leaseMs: 300 });
    await waitFor('the holder to start', () => started);
    const later = open(db.connect(), new SteppedClock(START + 60_000));
    later.consume('sync-outbound', async () => {
      throw new Error('must not run');
    }, { concurrency: 1 });
    await waitFor('the dead letter', async () => (await later.stats()).find((s) => s.queue === 'sync-outbound')?.deadLetters === 1);
    const [dead] = await later.listDeadLetters('sync-outbound');
    expect(dead).toMatchObject({ attempts: 1, category: 'transient', errorCode: 'JOB_FAILED' });
    expect(dead?.errorMessage).toMatch(/lease expired/);
  });

  it('wakes an idle consumer at once for a job enqueued in the same process', async () => {
    const queue = db.track(new SqliteJobQueue(db.connect(), { clock, pollMs: 2000 }));
    let deliveredAt = 0;
    queue.consume('notifications', async () => void (deliveredAt = performance.now()), { concurrency: 1 });
    await sleep(1200); // idle backoff has grown to ~1 s by now
    const enqueuedAt = performance.now();
    await queue.enqueue('notifications', 'ping');
    await waitFor('delivery', () => deliveredAt > 0);
    expect(deliveredAt - enqueuedAt).toBeLessThan(300);
  });

  it('polls an empty queue without taking the write lock', async () => {
    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_o: object, msg?: string) => void warnings.push(msg ?? ''),
      error: (_o: object, msg?: string) => void warnings.push(msg ?? ''),
      child: () => logger,
    };
    const queue = db.track(new SqliteJobQueue(db.connect(50), { clock, pollMs: 10, logger }));
    queue.consume('sync-inbound', async () => undefined, { concurrency: 4 });
    await sleep(100);
    const blocker = db.connect().db;
    blocker.exec('BEGIN IMMEDIATE');
    await sleep(300); // ~30 polls, each would time out after 50 ms if it wanted the lock
    blocker.exec('ROLLBACK');
    expect(warnings).toEqual([]);
  });

  it("commits a job's acknowledgement before its consumer slot starts the next job", async () => {
    const queue = open();
    const ids = (await queue.enqueueMany('sync-outbound', Array.from({ length: 20 }, (_, n) => ({ payload: n })))).map((r) => r.id);
    const reader = db.connect().db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM jobs WHERE id = ?');
    const stillThere: string[] = [];
    let previous: string | null = null;
    let handled = 0;
    queue.consume('sync-outbound', async (job) => {
      if (previous !== null && reader.get(previous)?.n !== 0) stillThere.push(previous);
      previous = job.id;
      handled += 1;
    }, { concurrency: 1 });
    await waitFor('all jobs', () => handled === ids.length);
    expect(stillThere).toEqual([]);
  });

  it('can be constructed before the schema exists (it never migrates by itself)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-queue-bare-'));
    const bare = openSqlite({ path: join(dir, 'bare.db') });
    try {
      const queue = new SqliteJobQueue(bare, { clock });
      await expect(queue.stats()).rejects.toThrow(/no such table/);
      migrate(bare.db);
      expect(await queue.stats()).toHaveLength(4);
      await queue.close();
    } finally {
      bare.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects nonsensical options with CONFIG_INVALID', () => {
    expect(() => new SqliteJobQueue(db.connect(), { clock, leaseMs: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new SqliteJobQueue(db.connect(), { clock, backoff: { baseMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
