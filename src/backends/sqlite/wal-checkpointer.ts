/**
 * WAL checkpoints off the event loop, for the webhook intake's commits (off-loop-commit.ts).
 *
 * SQLite checkpoints the WAL inside the COMMIT that crosses `wal_autocheckpoint` pages:
 * it copies the pages into the database file and fsyncs both files, blocking the event
 * loop (measured: about as long again as the intake's commits themselves). The intake's commits
 * run with the connection's auto-checkpoint off; this checkpointer instead runs PASSIVE
 * checkpoints (they never block writers) on a connection of its own in a worker thread,
 * at most one at a time and at most every `intervalMs` (250) while commits keep coming.
 * Checkpoints are SQLite's own, with their own syncs, so nothing about durability
 * changes: the WAL is moved into the database file by a different thread. A request
 * marked `now` (a large commit's, off-loop-commit.ts) skips the interval.
 *
 * The worker is a few lines of plain JavaScript (`eval`), because workers do not get
 * the tsx loader the source runs under. `closeSync` closes its connection before the
 * main one closes (off-loop-commit.ts arranges that), so the main connection stays the
 * last one and removes the WAL itself, and nothing touches the files after the store closed.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const closed = new Int32Array(workerData.closed);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    process.exit(0);
  }
  let error = null;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { error = String(e && e.code || e); }
  parentPort.postMessage({ error });
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class WalCheckpointer {
  readonly #db: { readonly name: string; readonly open: boolean };
  readonly #intervalMs: number;
  #worker: Worker | null = null;
  /** Set to 1 by the worker once its connection is closed (see closeSync). */
  #closed: Int32Array | null = null;
  #running = false;
  #wanted = false;
  /** A request since the last start asked for a checkpoint at once. */
  #urgent = false;
  #last = 0;
  #timer: NodeJS.Timeout | null = null;
  #watch: NodeJS.Timeout | null = null;
  #failuresInARow = 0;
  #lastFailure = 0;

  constructor(db: { readonly name: string; readonly open: boolean }, options: { intervalMs?: number } = {}) {
    this.#db = db;
    this.#intervalMs = options.intervalMs ?? 250;
  }

  /**
   * False after three failed checkpoints in a row (the worker cannot open the file, I/O
   * errors): the caller then leaves checkpointing to SQLite's own auto-checkpoint, so
   * the WAL never grows without bound. It tries again 30 s after the last failure; a
   * success makes it usable again.
   */
  get usable(): boolean {
    return this.#failuresInARow < 3;
  }

  /** Running a checkpoint, waiting for the interval to pass before the next, or neither. */
  get state(): 'running' | 'scheduled' | 'idle' {
    if (this.#running) return 'running';
    return this.#timer === null ? 'idle' : 'scheduled';
  }

  /**
   * Asks for a checkpoint soon; requests while one runs or within the interval collapse
   * into one. With `now`, it starts at once, or as soon as the running one ends.
   */
  request(options: { now?: boolean } = {}): void {
    this.#wanted = true;
    if (options.now === true) this.#urgent = true;
    this.#schedule();
  }

  #schedule(): void {
    if (!this.usable && Date.now() - this.#lastFailure < 30_000) return;
    if (this.#running) return;
    if (this.#timer !== null) {
      if (!this.#urgent) return;
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const wait = this.#urgent ? 0 : this.#last + this.#intervalMs - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#start();
      }, wait);
      this.#timer.unref();
      return;
    }
    this.#start();
  }

  #start(): void {
    if (!this.#wanted || this.#running) return;
    if (!this.#db.open) {
      this.#stop();
      return;
    }
    this.#wanted = false;
    this.#urgent = false;
    this.#running = true;
    const worker = this.#workerThread();
    worker.once('message', (answer: { error: string | null }) => {
      this.#running = false;
      this.#last = Date.now();
      if (answer.error === null) this.#failuresInARow = 0;
      else this.#failed();
      if (this.#wanted) this.#schedule();
    });
    worker.postMessage('checkpoint');
  }

  #workerThread(): Worker {
    if (this.#worker === null) {
      const closed = new SharedArrayBuffer(4);
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: this.#db.name, closed } });
      this.#closed = new Int32Array(closed);
      // Never what keeps a process alive; a crashed checkpointer is replaced on the next request.
      worker.unref();
      worker.on('error', () => {
        this.#failed();
        this.#running = false;
        if (this.#worker === worker) this.#stop();
      });
      worker.on('exit', () => {
        if (this.#worker === worker) this.#stop();
      });
      this.#worker = worker;
      // The worker's connection closes soon after the main one does.
      this.#watch = setInterval(() => {
        if (!this.#db.open) this.#stop();
      }, 500);
      this.#watch.unref();
    }
    return this.#worker;
  }

  /**
   * Closes the worker's connection and waits (at most `timeoutMs`, blocking: it runs just
   * before the main connection's synchronous close) until it is closed.
   */
  closeSync(timeoutMs = 5000): void {
    const closed = this.#closed;
    const live = this.#worker !== null;
    this.#stop();
    if (live && closed !== null) Atomics.wait(closed, 0, 0, timeoutMs);
  }

  #failed(): void {
    this.#failuresInARow += 1;
    this.#lastFailure = Date.now();
  }

  #stop(): void {
    if (this.#watch !== null) clearInterval(this.#watch);
    this.#watch = null;
    this.#worker?.postMessage('close');
    this.#worker = null;
    this.#closed = null;
  }
}
