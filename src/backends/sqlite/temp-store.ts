import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from './database.ts';
import { SqliteStore } from './store.ts';

/**
 * For the repository contract suites: a fresh SqliteStore in a temp directory (clock fixed
 * at 2026-01-01), and its cleanup, which closes it and removes the directory.
 */
export async function tempSqliteStore(name: string): Promise<{ store: SqliteStore; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `tributary-${name}-`));
  const store = new SqliteStore(openSqlite({ path: join(dir, 'db.sqlite') }), { clock: { now: () => Date.parse('2026-01-01T00:00:00.000Z') } });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
