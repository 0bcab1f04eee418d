import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Lease, Locks } from '../../ports/locks.ts';
import type { SqliteHandle } from './database.ts';
import { StatementCache, runTranslated } from './store-sql.ts';
import { inSqliteTransaction } from './store.ts';

export interface SqliteLocksOptions {
  readonly clock: Clock;
}

interface LockRow {
  name: string;
  owner: string;
  token: number;
  expires_at: number;
}

/**
 * acquire. Inputs: @name, @owner, @now, @expiresAt. Output: the lease row, or no row
 * when another owner holds an unexpired lease. A free, released or expired name goes to
 * @owner with token + 1 (1 for a new name); @owner's own unexpired lease is renewed
 * with its token kept. In UPDATE SET every `locks.*` is the row as it was.
 */
const ACQUIRE = `INSERT INTO locks (name, owner, token, expires_at) VALUES (@name, @owner, 1, @expiresAt)
  ON CONFLICT (name) DO UPDATE SET
    token = CASE WHEN locks.owner = excluded.owner AND locks.expires_at > @now THEN locks.token ELSE locks.token + 1 END,
    owner = excluded.owner,
    expires_at = excluded.expires_at
  WHERE locks.owner IS NULL OR locks.expires_at <= @now OR locks.owner = excluded.owner
  RETURNING name, owner, token, expires_at`;

/** renew. Inputs: the lease's @name, @owner, @token, @now, @expiresAt. No row: the lease was lost. */
const RENEW = `UPDATE locks SET expires_at = @expiresAt
  WHERE name = @name AND owner = @owner AND token = @token AND expires_at > @now
  RETURNING name, owner, token, expires_at`;

/** release. Inputs: @name, @owner, @token. Changes nothing when the lease changed hands. */
const RELEASE = `UPDATE locks SET owner = NULL, expires_at = NULL WHERE name = @name AND owner = @owner AND token = @token`;

/** holder. Inputs: name, now. Output: the unexpired lease, if any. */
const HOLDER = `SELECT name, owner, token, expires_at FROM locks WHERE name = ? AND owner IS NOT NULL AND expires_at > ?`;

/**
 * Locks on the embedded SQLite file (table: migrations/003_locks.sql), atomic across
 * every process that shares the file: each operation is ONE statement, and SQLite runs
 * a writing statement under the database write lock, so two processes racing for a
 * name serialise and exactly one gets it. Statements run through `handle.exclusive`.
 *
 * Expiry is judged by the injected clock of whoever asks; processes sharing a file run
 * on one machine, so they share a wall clock. Renewing a lease that has expired fails
 * even if nobody took it (other backends, like Redis, forget expired leases).
 * `owner` must identify one holder (e.g. process id plus a random part): two holders
 * using one owner string would both "hold" the lease. Calling these methods inside a
 * SqliteStore transaction on the same handle fails at once with INTERNAL, because it
 * would wait for that transaction forever.
 */
export class SqliteLocks implements Locks {
  readonly #handle: SqliteHandle;
  readonly #clock: Clock;
  readonly #statements: StatementCache;

  constructor(handle: SqliteHandle, options: SqliteLocksOptions) {
    this.#handle = handle;
    this.#clock = options.clock;
    this.#statements = new StatementCache(handle.db);
  }

  async acquire(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    checkArguments(name, owner, ttlMs);
    const row = await this.#run(() => {
      const now = this.#clock.now();
      return this.#statements.get<LockRow>(ACQUIRE).get({ name, owner, now, expiresAt: now + ttlMs });
    });
    return row === undefined ? null : toLease(row);
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    checkArguments(lease.name, lease.owner, ttlMs);
    const row = await this.#run(() => {
      const now = this.#clock.now();
      const params = { name: lease.name, owner: lease.owner, token: lease.token, now, expiresAt: now + ttlMs };
      return this.#statements.get<LockRow>(RENEW).get(params);
    });
    if (row === undefined) {
      throw new TributaryError('LOCK_NOT_HELD', `Lock ${lease.name} is no longer held by ${lease.owner} (token ${lease.token})`, {
        details: { name: lease.name, token: lease.token },
      });
    }
    return toLease(row);
  }

  async release(lease: Lease): Promise<void> {
    await this.#run(() => {
      this.#statements.get(RELEASE).run({ name: lease.name, owner: lease.owner, token: lease.token });
    });
  }

  async holder(name: string): Promise<Lease | null> {
    const row = await this.#run(() => this.#statements.get<LockRow>(HOLDER).get(name, this.#clock.now()));
    return row === undefined ? null : toLease(row);
  }

  async #run<T>(work: () => T): Promise<T> {
    if (inSqliteTransaction(this.#handle)) {
      throw new TributaryError('INTERNAL', 'SqliteLocks was called inside a store transaction on the same connection: it would deadlock');
    }
    return this.#handle.exclusive(() => runTranslated(work));
  }
}

function toLease(row: LockRow): Lease {
  return Object.freeze({ name: row.name, owner: row.owner, token: row.token, expiresAt: row.expires_at });
}

function checkArguments(name: string, owner: string, ttlMs: number): void {
  if (typeof name !== 'string' || name === '') throw new TributaryError('VALIDATION_FAILED', 'A lock needs a name', { field: 'name' });
  if (typeof owner !== 'string' || owner === '') throw new TributaryError('VALIDATION_FAILED', 'A lock needs an owner', { field: 'owner' });
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new TributaryError('VALIDATION_FAILED', 'A lease needs a whole, positive ttlMs', { field: 'ttlMs' });
  }
}
