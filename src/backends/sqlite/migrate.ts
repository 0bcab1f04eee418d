import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TributaryError } from '../../domain/errors.ts';
import type { MigrationStatus } from '../../ports/store.ts';
import type { SqliteDatabase } from './database.ts';
import { hash47 } from './match-key-hash.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migration files are `NNN_name.sql`; NNN is the version, applied in ascending order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: readFileSync(`${dir}/${file}`, 'utf8'),
    }));
}

/**
 * Applies forward-only migrations not yet recorded in `schema_migrations`, each in
 * its own IMMEDIATE transaction, so that two processes starting at once apply each
 * migration exactly once (the second waits on the write lock, then sees it applied).
 */
export function migrate(db: SqliteDatabase, migrations = loadMigrations()): MigrationStatus {
  // What migrations may call besides SQLite's own functions: the match-key hashes (014).
  db.function('tributary_hash', { deterministic: true, varargs: true }, (...parts: unknown[]) => hash47(...parts.map(String)));
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied: number[] = [];
  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    const apply = db.transaction(() => {
      if (isApplied.get(migration.version)) return false;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      return true;
    });
    try {
      if (apply.immediate()) applied.push(migration.version);
    } catch (cause) {
      throw new TributaryError('MIGRATION_FAILED', `Migration ${migration.version}_${migration.name} failed`, { cause });
    }
  }
  const row = db.prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations').get();
  return { version: row?.version ?? 0, applied };
}
