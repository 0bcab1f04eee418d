import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../memory/clock.ts';
import { AT, runNotificationRepositoryCases } from '../../notification-repositories.cases.ts';
import { openSqlite } from '../database.ts';
import { SqliteStore } from '../store.ts';

runNotificationRepositoryCases('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-notif-repo-'));
  const store = new SqliteStore(openSqlite({ path: join(dir, 'db.sqlite') }), { clock: new ManualClock(Date.parse(AT)) });
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
