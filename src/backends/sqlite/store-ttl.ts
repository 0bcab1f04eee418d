import type { SqliteHandle } from './database.ts';
import { runTranslated, type StatementCache } from './store-sql.ts';

/**
 * Tables whose rows expire: each has a nullable `expires_at` (ISO-8601 UTC) and an
 * index on it; a NULL never expires. The retention each table's writer sets:
 * sync results (their `ttl_seconds`), token refresh audit (90 days), webhook delivery
 * audit (30 days), and, once processed, webhook intake events, outbox rows and finished
 * sync runs (with their record errors) as the writer decides.
 * `webhooks.expires_at` is NOT a TTL (it is when a watch channel needs renewing).
 */
export const TTL_TABLES = [
  'sync_results',
  'run_record_errors',
  'sync_runs',
  'token_refresh_audit',
  'webhook_audit',
  'webhook_events',
  'outbox',
] as const;

/** Rows deleted per statement, so that a large purge never holds the write lock for long. */
const PURGE_BATCH = 1000;

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
