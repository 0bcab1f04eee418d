import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { migrate } from '../src/backends/sqlite/migrate.ts';
import { waitFor } from '../src/ports/contracts/job-queue.contract.ts';
import { killAllQueueWorkers, PROCESSED_TABLE, startQueueWorker } from './fixtures/queue-processes.ts';

const LEASE_MS = 1500;

describe('SqliteJobQueue when a consumer process crashes', () => {
  let dir: string;
  let file: string;
  let handle: SqliteHandle;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-queue-crash-'));
    file = join(dir, 'tributary.db');
    handle = openSqlite({ path: file });
    migrate(handle.db);
    handle.db.exec(PROCESSED_TABLE);
  });

  afterEach(async () => {
    await killAllQueueWorkers();
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands the job of a consumer killed mid-job to another consumer once the lease expires, as attempt 2', async () => {
    const producer = new SqliteJobQueue(handle, { clock: { now: () => Date.now() } });
    const { id } = await producer.enqueue('webhook-events', { event: 'evt_1' });

    const doomed = await startQueueWorker(file, 'hold', 'webhook-events', { concurrency: 1, leaseMs: LEASE_MS });
    const holding = await doomed.line(/^holding /);
    expect(holding).toBe(`holding ${id} 1`);
    const row = handle.db.prepare<[string], { state: string; attempt: number }>('SELECT state, attempt FROM jobs WHERE id = ?');
    expect(row.get(id)).toEqual({ state: 'running', attempt: 1 });

    await doomed.kill();
    // The lease as the dead process last renewed it: nobody may take the job before.
    const leaseUntil = handle.db.prepare<[string], { run_at: number }>('SELECT run_at FROM jobs WHERE id = ?').get(id)?.run_at ?? 0;
    expect(leaseUntil).toBeGreaterThan(Date.now() - LEASE_MS);

    const rescuer = await startQueueWorker(file, 'record', 'webhook-events', { concurrency: 1, leaseMs: LEASE_MS });
    const processed = handle.db.prepare<[], { job_id: string; attempt: number; pid: number; at: number }>('SELECT * FROM processed');
    await waitFor('the rescuer to complete the job', () => processed.all().length > 0, 15_000);
    expect(await rescuer.stop()).toBe(0);

    const records = processed.all();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ job_id: id, attempt: 2, pid: rescuer.pid });
    expect(records[0]?.at).toBeGreaterThanOrEqual(leaseUntil);
    expect(handle.db.prepare('SELECT COUNT(*) AS n FROM jobs').get()).toEqual({ n: 0 });
    expect(handle.db.prepare('SELECT COUNT(*) AS n FROM job_dead_letters').get()).toEqual({ n: 0 });
    await producer.close();
  });
});
