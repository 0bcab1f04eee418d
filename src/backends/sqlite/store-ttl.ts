import type { SqliteHandle } from './database.ts';
import { runTranslated, type StatementCache } from './store-sql.ts';
import { PURGE_BATCH, TTL_TABLES } from '../rows/ttl-tables.ts';

/**
 * Deletes expired rows from every TTL table in batches, each batch its own unit of
 * work under `exclusive`, so other work interleaves between batches. Returns the total.
 */
export async function purgeExpiredRows(handle: SqliteHandle, statements: StatementCache, nowIso: string): Promise<number> {
  let total = 0;
  for (const table of TTL_TABLES) {
    const sql = `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE expires_at <= ? LIMIT ${PURGE_BATCH})`;
    for (;;) {
      const deleted = await handle.exclusive(() => runTranslated(() => statements.get(sql).run(nowIso).changes));
      total += deleted;
      if (deleted < PURGE_BATCH) break;
    }
  }
  return total;
}
