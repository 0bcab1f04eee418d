import type pg from 'pg';
import { PURGE_BATCH, TTL_TABLES } from '../rows/ttl-tables.ts';

/**
 * Deletes expired rows from every TTL table in batches of PURGE_BATCH, each batch its own
 * statement (autocommit), so other work interleaves between batches. Returns the total.
 */
export async function purgeExpiredPg(pool: pg.Pool, nowIso: string): Promise<number> {
  let total = 0;
  for (const table of TTL_TABLES) {
    const sql = `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE expires_at <= $1 LIMIT ${PURGE_BATCH})`;
    for (;;) {
      const deleted = (await pool.query(sql, [nowIso])).rowCount ?? 0;
      total += deleted;
      if (deleted < PURGE_BATCH) break;
    }
  }
  return total;
}
