import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../../backends/memory/rate-limit-backend.ts';
import { openSqlite, type SqliteHandle } from '../../backends/sqlite/database.ts';
import { SqliteLocks } from '../../backends/sqlite/locks.ts';
import { SqliteStore } from '../../backends/sqlite/store.ts';
import { RateLimitAdmin, RateLimitHistorySampler, RateLimiter } from '../../ratelimit/index.ts';
import { silentLogger } from '../../backends/job-options.ts';
import { startRateLimitHistory, type RateLimitHistoryJob } from './rate-limit-history.ts';

/** The sampling job over real SQLite locks: two processes' jobs, one leader, one sample per interval. */
const T0 = 1_800_000_000_000;
let dir: string;
let handle: SqliteHandle;
let store: SqliteStore;
let limiter: RateLimiter;
const jobs: RateLimitHistoryJob[] = [];
const clock = new ManualClock(T0);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-rl-history-job-'));
  handle = openSqlite({ path: join(dir, 'db.sqlite') });
  store = new SqliteStore(handle, { clock });
  await store.migrate();
  limiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: () => 0.25 });
});

afterEach(async () => {
  for (const job of jobs.splice(0)) await job.stop();
  limiter.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function job(owner: string): RateLimitHistoryJob {
  const sampler = new RateLimitHistorySampler({ admin: new RateLimitAdmin(limiter, clock), history: store.rateLimitHistory, clock });
  const started = startRateLimitHistory({ sampler, locks: new SqliteLocks(handle, { clock }), clock, logger: silentLogger, owner });
  jobs.push(started);
  return started;
}

describe('the rate-limit history job', () => {
  it('samples in the leader only; the other process stores nothing', async () => {
    await limiter.acquire({ provider: 'github', tenantId: 'ten_a', connectionId: 'con_a', operation: 'read' });
    const a = job('process-a');
    const b = job('process-b');
    const results = [await a.sample(), await b.sample()];
    // Exactly one of them leads (whichever won the lease first); the other answers null.
    expect(results.filter((r) => r === null)).toHaveLength(1);
    const items = (await store.rateLimitHistory.list({ key: 'connection:github:core:con_a' })).items;
    expect(items.map((s) => [s.at, s.used])).toEqual([[new Date(T0).toISOString(), 1]]);
  });

  it('gives the lease up on stop, so the other process takes the sampling over', async () => {
    const a = job('process-a');
    const b = job('process-b');
    await a.sample();
    expect(await b.sample()).toBeNull();
    await a.stop();
    await limiter.acquire({ provider: 'github', tenantId: 'ten_a', connectionId: 'con_a', operation: 'read' });
    clock.advance(60_000);
    expect(await b.sample()).toBeGreaterThan(0);
    expect(await a.sample()).toBeNull();
  });
});
