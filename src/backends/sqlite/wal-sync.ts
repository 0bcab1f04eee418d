/**
 * Durability off the event loop, for the webhook intake's group commits.
 *
 * better-sqlite3 is synchronous: under `synchronous = FULL` every COMMIT blocks the event
 * loop for the WAL's fsync (milliseconds), and no request is read meanwhile. The intake
 * instead commits with `synchronous = NORMAL` (the frames are written to the WAL, not
 * yet synced) and then awaits `WalSync.sync()`, an fsync of the WAL file in libuv's
 * thread pool, before it answers anyone. The answer still follows the fsync that makes
 * the commit durable, exactly as under FULL (fsync is per inode: it flushes frames
 * written through SQLite's descriptor). Frames a checkpoint moves into the database
 * file before our fsync are synced by the checkpoint itself (WAL + NORMAL syncs the WAL
 * before and the database after each checkpoint), and the WAL is only rewritten from
 * its start after a completed checkpoint.
 *
 * Concurrent requests share fsyncs: a caller is served by the first fsync that STARTED
 * after it asked (one already running may have begun before its commit was written).
 */
import { close, fsync, open as fsOpen } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

export class GroupSync {
  readonly #fsync: () => Promise<void>;
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;

  constructor(fsync: () => Promise<void>) {
    this.#fsync = fsync;
  }

  /** Resolves after an fsync that began after this call has completed; rejects with its error. */
  sync(): Promise<void> {
    if (this.#running === null) return this.#start();
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = null;
        return this.#start();
      });
    return this.#queued;
  }

  #start(): Promise<void> {
    const run = this.#fsync().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }
}

/**
 * fsync of the database's WAL through a descriptor of our own, opened on first use (the
 * WAL's directory is synced then, as SQLite's FULL does for a new WAL). Once the
 * database is closed the descriptor is closed and nothing is synced (a closed connection
 * has nothing left to make durable); one dropped without closing releases it when the
 * database object is collected.
 */
export function walFsync(db: { readonly name: string; readonly open: boolean }): () => Promise<void> {
  const held: { fd: number | null } = { fd: null };
  descriptors.register(db, held);
  return async () => {
    if (!db.open) {
      if (held.fd !== null) await closeFd(held.fd);
      held.fd = null;
      return;
    }
    if (held.fd === null) {
      const directory = await openFd(dirname(db.name));
      try {
        await fsyncFd(directory);
      } finally {
        await closeFd(directory);
      }
      held.fd = await openFd(`${db.name}-wal`);
    }
    await fsyncFd(held.fd);
  };
}

// Plain descriptors rather than FileHandles: a FileHandle left to the garbage collector warns.
const descriptors = new FinalizationRegistry<{ fd: number | null }>((held) => {
  if (held.fd !== null) close(held.fd, () => undefined);
});
const openFd = promisify((path: string, callback: (error: NodeJS.ErrnoException | null, fd: number) => void) => fsOpen(path, 'r', callback));
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);
