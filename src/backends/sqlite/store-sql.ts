import type { Statement } from 'better-sqlite3';
import { TributaryError, isTributaryError } from '../../domain/errors.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * What a SQLite repository needs: cached prepared statements on the shared connection,
 * and `run`, which executes one synchronous unit of work at the right moment.
 *
 * Outside a transaction `run` waits its turn on the handle's `exclusive` mutex; inside
 * one it runs at once (the transaction already holds the mutex). Either way it turns
 * SQLite failures into TributaryErrors (see `translateSqliteError`). Repositories never
 * await inside a unit of work, so each one is atomic on its own.
 */
export interface SqlContext {
  readonly statements: StatementCache;
  run<T>(work: () => T): Promise<T>;
}

/** Row shapes bind positional parameters or one object of named (`@name`) ones. */
export type Params = unknown[];

/**
 * Prepares each SQL text once per connection and hands back the same statement after,
 * so hot paths pay no parse cost. Statements are prepared lazily, on first use, because
 * the tables they name may not exist until `migrate()` ran.
 */
export class StatementCache {
  readonly #db: SqliteDatabase;
  readonly #cache = new Map<string, Statement<Params, unknown>>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  get<Row = unknown>(sql: string): Statement<Params, Row> {
    let statement = this.#cache.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<Params, unknown>(sql);
      this.#cache.set(sql, statement);
    }
    return statement as Statement<Params, Row>;
  }
}

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOMEM|INTERRUPT)/;

/**
 * Maps a SQLite failure to the error catalog: unique/primary-key violations are
 * CONFLICT, a missing referenced row is NOT_FOUND, CHECK/NOT NULL violations are
 * VALIDATION_FAILED, lock/IO trouble and a closed connection are STORE_UNAVAILABLE,
 * anything else is INTERNAL. SQLite messages name tables and columns, never values,
 * so they are safe to keep.
 */
export function translateSqliteError(error: unknown): TributaryError {
  if (isTributaryError(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new TributaryError('CONFLICT', `Already exists (${message})`, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new TributaryError('NOT_FOUND', 'A referenced resource does not exist', { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_CONSTRAINT_NOTNULL') {
    return new TributaryError('VALIDATION_FAILED', `Invalid value (${message})`, { cause: error });
  }
  if (UNAVAILABLE_CODES.test(code) || (error instanceof TypeError && /not open/.test(message))) {
    return new TributaryError('STORE_UNAVAILABLE', `SQLite store unavailable: ${message}`, { cause: error });
  }
  return new TributaryError('INTERNAL', `SQLite store failed: ${code || message}`, { cause: error });
}

/** Runs synchronous work and rethrows any failure translated. */
export function runTranslated<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error);
  }
}

/** JSON columns are TEXT; these keep the encoding in one place. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
