import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../backends/memory/clock.ts';
import { openSqlite, type SqliteHandle } from '../../backends/sqlite/database.ts';
import { SqliteLocks } from '../../backends/sqlite/locks.ts';
import { SqliteStore } from '../../backends/sqlite/store.ts';
import { silentLogger } from '../../backends/job-options.ts';
import type { SingletonJob } from '../leader/singleton-job.ts';
import { startRetentionPurge } from './retention-purge.ts';

/** The retention purge over a real SQLite store and locks: two processes' jobs, one purger. */
const T0 = 1_800_000_000_000;
const DAY = 86_400_000;
let dir: string;
let handle: SqliteHandle;
let store: SqliteStore;
const jobs: SingletonJob<number>[] = [];
const clock = new ManualClock(T0);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-retention-'));
  handle = openSqlite({ path: join(dir, 'db.sqlite') });
  store = new SqliteStore(handle, { clock });
  await store.migrate();
  const at = new Date(T0).toISOString();
  await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: at, updatedAt: at });
});

afterEach(async () => {
  for (const job of jobs.splice(0)) await job.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function purger(owner: string): SingletonJob<number> {
  const job = startRetentionPurge({ store, locks: new SqliteLocks(handle, { clock }), clock, logger: silentLogger, intervalMs: 3_600_000, owner });
  jobs.push(job);
  return job;
}

async function refreshAudit(id: string, at: number): Promise<void> {
  await store.tokenRefreshAudit.append({
    id, tenantId: 'ten_a', credentialId: 'cred_a', connectionId: 'con_a', at: new Date(at).toISOString(),
    outcome: 'success', errorCode: null, durationMs: 12, expiresAt: new Date(at + 90 * DAY).toISOString(),
  });
}

describe('the retention purge job', () => {
  it('deletes the rows past their retention and keeps the rest, in the leading process only', async () => {
    await refreshAudit('tra_old', T0 - 91 * DAY);
    await refreshAudit('tra_new', T0 - DAY);
    const a = purger('process-a');
    const b = purger('process-b');
    const results = [await a.runNow(), await b.runNow()];
    // One of them leads and purges the old row (at its first pass, at start); the other answers null.
    expect(results.filter((r) => r === null)).toHaveLength(1);
    const left = await store.tokenRefreshAudit.list('ten_a');
    expect(left.items.map((row) => row.id)).toEqual(['tra_new']);
  });

  it('purges a row once its time comes, at a later pass', async () => {
    // Expires one second from now.
    await refreshAudit('tra_soon', T0 - 90 * DAY + 1_000);
    const job = purger('process-a');
    expect(await job.runNow()).toBe(0);
    clock.advance(2_000);
    expect(await job.runNow()).toBe(1);
    expect((await store.tokenRefreshAudit.list('ten_a')).items).toEqual([]);
  });
});
