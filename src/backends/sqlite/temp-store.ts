import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type SqliteHandle } from './database.ts';
import { SqliteStore } from './store.ts';

const CLOCK = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };

/**
 * For tests that shape the file before a store opens it (migration tests): a fresh SQLite
 * handle in a temp directory, a store on it (clock fixed at 2026-01-01, not migrated), and
 * the cleanup, which closes whichever is still open and removes the directory.
 */
export function tempSqliteFile(name: string): { handle: SqliteHandle; store: SqliteStore; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), `tributary-${name}-`));
  const handle = openSqlite({ path: join(dir, 'db.sqlite') });
  const store = new SqliteStore(handle, { clock: CLOCK });
  return {
    handle,
    store,
    cleanup: async () => {
      if (handle.db.open) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For the repository contract suites: a fresh SqliteStore in a temp directory (clock fixed
 * at 2026-01-01), and its cleanup, which closes it and removes the directory.
 */
export async function tempSqliteStore(name: string): Promise<{ store: SqliteStore; cleanup: () => Promise<void> }> {
  const { store, cleanup } = tempSqliteFile(name);
  return { store, cleanup };
}
