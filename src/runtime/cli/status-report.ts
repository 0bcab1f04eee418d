import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { TributaryError } from '../../domain/errors.ts';

/** One connection as `tributary status` reports it. Never a secret: ids, names, states, times. */
export interface ConnectionStatusRow {
  readonly id: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly provider: string;
  readonly name: string;
  readonly status: string;
  /** The credential's type and state; null when the connection has none yet. */
  readonly credential: { readonly type: string; readonly status: string; readonly expiresAt: string | null } | null;
  /** Entities linked to the connection's records (tombstoned links not counted). */
  readonly entities: number;
  /** The newest sync run of any of the connection's integrations; null before the first. */
  readonly lastRun: { readonly id: string; readonly status: string; readonly startedAt: string; readonly finishedAt: string | null; readonly records: number } | null;
}

interface Row {
  id: string;
  tenant_id: string;
  tenant_name: string | null;
  provider: string;
  name: string;
  status: string;
  credential_type: string | null;
  credential_status: string | null;
  expiry_time: string | null;
  entities: number;
  run_id: string | null;
  run_status: string | null;
  run_started_at: string | null;
  run_finished_at: string | null;
  run_records: number | null;
}

// One read: a snapshot of every connection with its credential, entity count and newest run.
const STATUS_SQL = `
SELECT c.id, c.tenant_id, t.name AS tenant_name, c.provider, c.name, c.status,
       cr.type AS credential_type, cr.status AS credential_status, cr.expiry_time,
       (SELECT COUNT(DISTINCT l.entity_id) FROM entity_links l
         WHERE l.connection_id = c.id AND l.tombstoned_at IS NULL) AS entities,
       r.id AS run_id, r.status AS run_status, r.started_at AS run_started_at,
       r.finished_at AS run_finished_at, r.records_so_far AS run_records
  FROM connections c
  LEFT JOIN tenants t ON t.id = c.tenant_id
  LEFT JOIN credentials cr ON cr.id = c.credential_id
  LEFT JOIN sync_runs r ON r.id = (
        SELECT r2.id FROM sync_runs r2 JOIN integrations i ON i.id = r2.integration_id
         WHERE i.connection_id = c.id ORDER BY r2.started_at DESC, r2.id DESC LIMIT 1)
 ORDER BY c.tenant_id, c.created_at, c.id`;

/**
 * Reads the status of every connection straight from the embedded database file, on a
 * read-only connection of its own: it never migrates or writes, and under WAL it reads
 * a consistent snapshot while `tributary start` keeps writing in another process.
 * A data directory without a database yet has no connections. Throws
 * STORE_UNAVAILABLE when the file exists but cannot be read.
 */
export function readConnectionStatus(databasePath: string): ConnectionStatusRow[] {
  if (!existsSync(databasePath)) return [];
  let db: Database.Database;
  try {
    db = new Database(databasePath, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new TributaryError('STORE_UNAVAILABLE', `Cannot open ${databasePath} to read the status`, { cause });
  }
  try {
    db.pragma('busy_timeout = 5000');
    const hasSchema = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'connections'").get() !== undefined;
    if (!hasSchema) return [];
    return (db.prepare(STATUS_SQL).all() as Row[]).map(toStatusRow);
  } catch (cause) {
    if (cause instanceof TributaryError) throw cause;
    throw new TributaryError('STORE_UNAVAILABLE', `Cannot read the status from ${databasePath}`, { cause });
  } finally {
    db.close();
  }
}

function toStatusRow(row: Row): ConnectionStatusRow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name ?? '',
    provider: row.provider,
    name: row.name,
    status: row.status,
    credential: row.credential_type === null ? null : { type: row.credential_type, status: row.credential_status ?? 'unknown', expiresAt: row.expiry_time },
    entities: row.entities,
    lastRun:
      row.run_id === null
        ? null
        : { id: row.run_id, status: row.run_status ?? 'unknown', startedAt: row.run_started_at ?? '', finishedAt: row.run_finished_at, records: row.run_records ?? 0 },
  };
}
