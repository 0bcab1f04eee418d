import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PoolClient } from 'pg';
import { TributaryError } from '../../domain/errors.ts';
import type { MigrationStatus } from '../../ports/store.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Migration files are `NNN_name.sql`, applied in ascending order. They carry the same
 * versions and names as the SQLite ones (src/backends/sqlite/migrations/), in
 * PostgreSQL dialect, so `schema_migrations` means the same on both backends.
 */
export function loadPgMigrations(dir = MIGRATIONS_DIR): PgMigration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: readFileSync(`${dir}/${file}`, 'utf8') }));
}

/**
 * Serialises migration runs on one schema across processes: a transaction-scoped
 * advisory lock keyed by the schema name, so stores on different schemas of one
 * database migrate independently.
 */
const LOCK = "SELECT pg_advisory_xact_lock(hashtext('tributary.migrate:' || current_schema()))";

async function inLockedTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(LOCK);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Applies the forward-only migrations not yet recorded in `schema_migrations` of the
 * client's current schema, each in its own transaction holding the advisory lock, so
 * two processes starting at once apply each migration exactly once (the second waits
 * for the lock, then sees it applied). A failed migration rolls back whole (PostgreSQL
 * DDL is transactional) and fails with MIGRATION_FAILED.
 */
export async function migratePg(client: PoolClient, migrations = loadPgMigrations()): Promise<MigrationStatus> {
  await inLockedTransaction(client, () =>
    client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`),
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    try {
      const done = await inLockedTransaction(client, async () => {
        const seen = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
        if ((seen.rowCount ?? 0) > 0) return false;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
        return true;
      });
      if (done) applied.push(migration.version);
    } catch (cause) {
      throw new TributaryError('MIGRATION_FAILED', `Migration ${migration.version}_${migration.name} failed`, { cause });
    }
  }
  const row = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return { version: row.rows[0]?.version ?? 0, applied };
}
