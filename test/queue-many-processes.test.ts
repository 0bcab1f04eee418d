import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { migrate } from '../src/backends/sqlite/migrate.ts';
import { waitFor } from '../src/ports/contracts/job-queue.contract.ts';
import { killAllQueueWorkers, PROCESSED_TABLE, startQueueWorker, type WorkerProcess } from './fixtures/queue-processes.ts';

const JOBS = 10_000;
const WORKERS = 4;

describe('SqliteJobQueue shared by several processes', () => {
  let dir: string;
  let file: string;
  let handle: SqliteHandle;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-queue-procs-'));
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

  it(`runs ${JOBS} jobs through ${WORKERS} consumer processes, each job exactly once in effect`, async () => {
    const workers: WorkerProcess[] = await Promise.all(
      Array.from({ length: WORKERS }, () => startQueueWorker(file, 'record', 'sync-inbound', { concurrency: 16 })),
    );
    const producer = new SqliteJobQueue(handle, { clock: { now: () => Date.now() } });
    const ids: string[] = [];
    for (let start = 0; start < JOBS; start += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ payload: { n: start + i } }));
      ids.push(...(await producer.enqueueMany('sync-inbound', batch)).map((r) => r.id));
    }
    expect(new Set(ids).size).toBe(JOBS);

    const count = handle.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM processed');
    await waitFor('every job to be recorded', () => (count.get()?.n ?? 0) >= JOBS, 30_000);
    expect(await Promise.all(workers.map((w) => w.stop()))).toEqual([0, 0, 0, 0]);

    const recorded = handle.db.prepare<[], { job_id: string; times: number }>(
      'SELECT job_id, COUNT(*) AS times FROM processed GROUP BY job_id',
    ).all();
    expect(recorded.filter((r) => r.times !== 1)).toEqual([]);
    expect(new Set(recorded.map((r) => r.job_id))).toEqual(new Set(ids));
    const jobsLeft = handle.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM jobs').get()?.n;
    const deadLetters = handle.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM job_dead_letters').get()?.n;
    expect({ jobsLeft, deadLetters }).toEqual({ jobsLeft: 0, deadLetters: 0 });

    // The work was shared between processes, and only our workers did it. (Not "every
    // process took part": on a loaded machine one worker may start after the others
    // drained the queue, which is correct behaviour.)
    const perPid = handle.db.prepare<[], { pid: number; n: number }>('SELECT pid, COUNT(*) AS n FROM processed GROUP BY pid').all();
    expect(perPid.length).toBeGreaterThanOrEqual(2);
    const workerPids = new Set(workers.map((w) => w.pid));
    expect(perPid.every((r) => workerPids.has(r.pid))).toBe(true);
    await producer.close();
  });
});
