/**
 * A stale inbound worker cannot regress a run another worker took over, on SQLite
 * (run-fencing-scenario.ts). The locks' clock is moved past the stale lease, so the
 * lapse is exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { openSqlite } from '../../src/backends/sqlite/database.ts';
import { SqliteLocks } from '../../src/backends/sqlite/locks.ts';
import { SqliteStore } from '../../src/backends/sqlite/store.ts';
import { staleWorkersPageIsRefused, staleWorkersRetryDoesNotReopenTheRun, type FencingBackend } from './run-fencing-scenario.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteBackend(): Promise<FencingBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-fence-'));
  const handle = openSqlite({ path: join(dir, 'tributary.db') });
  const store = new SqliteStore(handle, { clock: { now: () => Date.now() } });
  await store.migrate();
  let skew = 0;
  const locks = new SqliteLocks(handle, { clock: { now: () => Date.now() + skew } });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const staleTtlMs = 60_000;
  return { store, locks, staleTtlMs, lapse: async () => void (skew += staleTtlMs + 1) };
}

describe('run fencing on SQLite', () => {
  it("refuses a stale worker's page, so the cursor and the entities stay as the newer worker left them", async () => {
    await staleWorkersPageIsRefused(await sqliteBackend());
  });

  it("does not let a stale worker's transient failure mark the finished run retrying", async () => {
    await staleWorkersRetryDoesNotReopenTheRun(await sqliteBackend());
  });
});
