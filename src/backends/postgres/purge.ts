import type pg from 'pg';

/**
 * Tables whose rows expire: the same list, and the same meaning, as the SQLite store's
 * (sqlite/store-ttl.ts): a nullable or required `expires_at` (ISO-8601 UTC text, indexed),
 * NULL never expires. `webhooks.expires_at` is NOT a TTL (watch channel renewal), and
 * event deliveries have their own `purgeDeliveries`.
 */
export const PG_TTL_TABLES = [
  'sync_results',
  'run_record_errors',
  'sync_runs',
  'token_refresh_audit',
  'webhook_audit',
  'webhook_events',
  'outbox',
] as const;

/** Rows deleted per statement, so that a large purge never holds many row locks for long. */
const PURGE_BATCH = 1000;

/**
 * Deletes expired rows from every TTL table in batches of PURGE_BATCH, each batch its own
 * statement (autocommit), so other work interleaves between batches. Returns the total.
 */
export async function purgeExpiredPg(pool: pg.Pool, nowIso: string): Promise<number> {
  let total = 0;
  for (const table of PG_TTL_TABLES) {
    const sql = `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE expires_at <= $1 LIMIT ${PURGE_BATCH})`;
    for (;;) {
      const deleted = (await pool.query(sql, [nowIso])).rowCount ?? 0;
      total += deleted;
      if (deleted < PURGE_BATCH) break;
    }
  }
  return total;
}
