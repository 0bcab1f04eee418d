import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRateLimitHistoryContract } from '../../ports/contracts/ratelimit-history.contract.ts';
import { openSqlite } from './database.ts';
import { SqliteStore } from './store.ts';

runRateLimitHistoryContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-rl-history-'));
  const store = new SqliteStore(openSqlite({ path: join(dir, 'db.sqlite') }), { clock: { now: () => Date.parse('2026-01-01T00:00:00.000Z') } });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
