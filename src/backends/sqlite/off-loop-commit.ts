/**
 * Commits whose fsync and checkpoint happen off the event loop (the webhook intake's, and
 * every SqliteStore.transaction: a pull page's commit no longer stops the event loop for them).
 *
 * On a WAL file kept at `synchronous = FULL`, `commitOffLoop` runs a synchronous unit of
 * work (its statements and its COMMIT/RELEASE) with the connection at NORMAL and with
 * SQLite's in-commit auto-checkpoint off, restores both at once, and hands back `durable`,
 * which resolves after a shared fsync of the WAL in the thread pool (wal-sync.ts) and
 * asks the worker-thread checkpointer for a checkpoint (wal-checkpointer.ts). Awaiting
 * `durable` gives what FULL gives: the commit is on disk. Elsewhere (in-memory, other
 * journal modes or levels, inside a transaction) the work runs as is and `durable` is null.
 */
import type { SqliteDatabase } from './database.ts';
import type { StatementCache } from './store-sql.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { GroupSync, walFsync } from './wal-sync.ts';

interface OffLoop {
  /** The connection's own `synchronous` and `wal_autocheckpoint`, restored after each commit. */
  readonly synchronous: number;
  readonly autocheckpoint: number;
  readonly wal: GroupSync;
  readonly checkpointer: WalCheckpointer | null;
}

const perDatabase = new WeakMap<SqliteDatabase, OffLoop | null>();

function offLoopOf(db: SqliteDatabase): OffLoop | null {
  let found = perDatabase.get(db);
  if (found === undefined) {
    const synchronous = Number(db.pragma('synchronous', { simple: true }));
    const journal = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    const autocheckpoint = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    found = journal === 'wal' && synchronous >= 2 && !db.memory
      ? { synchronous, autocheckpoint, wal: new GroupSync(walFsync(db)), checkpointer: autocheckpoint > 0 ? checkpointerClosingWith(db) : null }
      : null;
    perDatabase.set(db, found);
  }
  return found;
}

/**
 * A checkpointer whose connection closes just before `db`'s: `close` is wrapped on this
 * one instance (whoever closes it: the handle, a test), because the worker's connection
 * must not outlive it (it would be the last one and rewrite the files after the store closed).
 */
function checkpointerClosingWith(db: SqliteDatabase): WalCheckpointer {
  const checkpointer = new WalCheckpointer(db);
  const close = db.close.bind(db);
  db.close = () => {
    checkpointer.closeSync();
    return close();
  };
  return checkpointer;
}

export function commitOffLoop<T>(statements: StatementCache, db: SqliteDatabase, commit: () => T): { result: T; durable: (() => Promise<void>) | null } {
  const relaxed = relaxCommits(statements, db);
  if (relaxed === null) return { result: commit(), durable: null };
  try {
    return { result: commit(), durable: relaxed.durable };
  } finally {
    relaxed.restore();
  }
}

/**
 * The same for a transaction whose BEGIN and COMMIT the caller runs (SqliteStore.transaction):
 * call it before BEGIN (SQLite refuses to change `synchronous` inside a transaction), call
 * `restore` after the COMMIT or ROLLBACK, then await `durable`. Null where commitOffLoop
 * would run the work as is; the caller's commits are then synchronous as configured.
 */
export function relaxCommits(statements: StatementCache, db: SqliteDatabase): { restore: () => void; durable: () => Promise<void> } | null {
  const own = db.inTransaction ? null : offLoopOf(db);
  if (own === null) return null;
  const background = own.checkpointer?.usable === true;
  statements.get('PRAGMA synchronous = NORMAL').run();
  if (background) statements.get('PRAGMA wal_autocheckpoint = 0').run();
  const changesBefore = totalChanges(statements);
  let large = false;
  return {
    restore: () => {
      // Counted here, still in the caller's unit of work: later work on the connection would count too.
      large = totalChanges(statements) - changesBefore >= LARGE_COMMIT_ROWS;
      statements.get(`PRAGMA synchronous = ${own.synchronous}`).run();
      if (background) statements.get(`PRAGMA wal_autocheckpoint = ${own.autocheckpoint}`).run();
    },
    durable: async () => {
      // Asked before the fsync: the checkpoint need not wait for it, because it syncs the
      // WAL itself before it copies any frame into the database file.
      own.checkpointer?.request({ now: large });
      await own.wal.sync();
    },
  };
}

/**
 * A commit that changed at least this many rows has its checkpoint start at once rather
 * than within the checkpointer's interval (which spaces out the intake's small commits).
 * SQLite writes a transaction's frames from the start of the WAL again only when a
 * checkpoint has copied all of them before the transaction begins; otherwise it appends,
 * and the WAL of a pull grew to 190-720 MB, every frame written to pages of the file the
 * kernel had to allocate and zero first. A pull commits every 150-250 ms (2,000 records,
 * about 13,500 rows: 680,678 for 100,387 contacts in 51 commits); its checkpoint now
 * mostly ends before the next transaction begins.
 * bench:ingest (100,000 contacts), twelve alternated pairs: the COMMITs took 0.79-1.65 s
 * of the main thread (median 1.07 s), now 0.57-1.49 s (median 0.64 s), and the WAL peaks
 * at 56-225 MB. The checkpointer's thread copies more often: ~1,490 MB written, not ~1,210.
 */
const LARGE_COMMIT_ROWS = 1_000;

/** Rows inserted, updated or deleted on the connection since it opened. */
function totalChanges(statements: StatementCache): number {
  return statements.get<{ n: number }>('SELECT total_changes() AS n').get()!.n;
}

/** The checkpointer that relaxed commits on `db` ask for checkpoints, once one was made (for tests). */
export function walCheckpointerOf(db: SqliteDatabase): WalCheckpointer | null {
  return perDatabase.get(db)?.checkpointer ?? null;
}
