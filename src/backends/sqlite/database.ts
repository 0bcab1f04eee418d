import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TributaryError } from '../../domain/errors.ts';

export type SqliteDatabase = Database.Database;

export interface SqliteOptions {
  /** File path, or ':memory:' for a private in-memory database (tests only). */
  path: string;
  /** How long a statement waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
}

/** What the WAL file is cut back to once a checkpoint caught up (journal_size_limit). */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Opens the embedded database with the settings every SQLite backend relies on:
 * WAL (readers never block the writer, several processes share the file),
 * synchronous=FULL (a commit is on disk when it returns: durability is the point of
 * the embedded queue), foreign keys on, and a busy timeout so that processes wait for
 * each other's short write transactions instead of failing.
 */
export function openDatabase(options: SqliteOptions): SqliteDatabase {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(options.path);
  } catch (cause) {
    throw new TributaryError('STORE_UNAVAILABLE', `Cannot open SQLite database at ${options.path}`, { cause });
  }
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  // 8 KiB pages for a new file (an existing one keeps its size): the entity tables and
  // their indexes are written in large appends, which cost 5-8% less CPU than with 4 KiB.
  // Must precede WAL, which fixes the page size once the file exists.
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // 32 MiB of page cache (negative = KiB): a page of entity upserts touches several
  // indexes, and a smaller cache makes large syncs re-read them from the file. On a
  // 100,000-record sync (bench/ingest.bench.ts) the process read 1,367 MB with 16 MiB and
  // 815 MB with 32 MiB, for ~20 MB more RSS. 48 MiB gained no records/s over four pairs and
  // peaked at 292-303 MB (with the 32 MB semi-spaces of the time), past its 300 MB budget.
  db.pragma('cache_size = -32768');
  // A long pull commits faster than the checkpointer catches up, so its WAL grows (past
  // 1 GB for 100,000 contacts), and SQLite keeps a WAL file at its largest size for as
  // long as the database is open. With a limit, the first write after a checkpoint that
  // caught up cuts the file back to it; 64 MiB holds the WAL of normal traffic.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return db;
}

/**
 * One connection per process, shared by every SQLite backend (store, queue, locks).
 *
 * better-sqlite3 is synchronous, so a second connection in the same process that hits
 * the write lock would busy-wait on the event loop while the holder (an async
 * transaction of this same process) can never finish: a self-deadlock. Sharing one
 * connection avoids it, and `exclusive` keeps an async transaction from interleaving
 * with other work on the connection: every operation that writes, or reads while a
 * transaction may be open, goes through it. Work inside `exclusive` must not await
 * anything but the database (no network), so that the lock is held for microseconds.
 */
export class SqliteHandle {
  readonly db: SqliteDatabase;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Runs `fn` after every earlier `exclusive` call on this handle has settled. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openSqlite(options: SqliteOptions): SqliteHandle {
  return new SqliteHandle(openDatabase(options));
}
