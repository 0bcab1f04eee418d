import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type {
  ApiKeyRepository,
  AuditRepository,
  ConnectionRepository,
  CredentialRepository,
  EntityRepository,
  EventSubscriptionRepository,
  OutboxRepository,
  DedupReviewRepository,
  MergeRepository,
  LinkSweepRepository,
  ConflictRepository,
  RateLimitHistoryRepository,
  IntegrationRepository,
  MigrationStatus,
  NotificationRepository,
  OAuthStateRepository,
  Repositories,
  SecretRowRepository,
  Store,
  SyncRunRepository,
  TenantRepository,
  TokenRefreshAuditRepository,
  WebhookRepository,
} from '../../ports/store.ts';
import { migratePg } from './migrate.ts';
import { createPgRepositories } from './repositories.ts';
import { purgeExpiredPg } from './purge.ts';
import { RETRYABLE_TRANSACTION_CODES, sqlStateOf, translatePgError, type PgContext, type PgResult, type PgRow } from './sql.ts';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`; ignored when `pool` is given. */
  readonly connectionString?: string;
  /**
   * A pool the caller made and owns (`close` then leaves it open). Its connections must
   * already use the right search_path; `schema` does not apply to it.
   */
  readonly pool?: pg.Pool;
  readonly clock: Clock;
  /**
   * The schema every table lives in (letters, digits, underscore). Set as the
   * connections' search_path; it must exist. Default: the server's search_path.
   */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
  /** How many times a transaction that hit a serialization failure or deadlock is run again (default 4). */
  readonly transactionRetries?: number;
}

/**
 * Which store the current async context holds a transaction on, so that calling the
 * top-level repositories or `transaction` from inside fails at once (as the port says)
 * instead of waiting on the transaction's own row locks.
 */
const transactionScope = new AsyncLocalStorage<TransactionScope>();

interface TransactionScope {
  readonly store: PostgresStore;
  /** False once the transaction ended: its repositories fail from then on. */
  open: boolean;
}

/** int8 (bigint, bigserial: change feed seqs, epoch ms) as a JS number; every value we store fits in 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Progress under contention (cluster mode: many processes committing pages at once).
 * Serializable transactions conflict more often than their data does: PostgreSQL's
 * predicate locks cover whole index pages (two runs whose keys share a page of
 * sync_runs_pkey clash), and widen to whole relations past max_pred_locks_per_relation.
 * Retried blindly, the same transactions can keep aborting each other. So a retry runs
 * in the schema's retry lane: it first takes a session-level advisory lock (before BEGIN,
 * hence before the transaction's snapshot, and released after COMMIT or ROLLBACK), so
 * retries run one at a time among themselves while first attempts go on beside them
 * unhindered. (An earlier design made late retries lock `schema_migrations` exclusively:
 * that waited for every transaction in flight and stopped every new one meanwhile, and
 * under a webhook burst a sixth of all transactions did it, serialising the cluster.)
 */
const RETRY_LANE_LOCK = "SELECT pg_advisory_lock(hashtext('tributary.retry-lane:' || current_schema()))";
const RETRY_LANE_UNLOCK = "SELECT pg_advisory_unlock(hashtext('tributary.retry-lane:' || current_schema()))";

/**
 * The cluster-mode Store on PostgreSQL, through a pg Pool: the same tables (migrations
 * with the same versions, PostgreSQL dialect), the same repository semantics and cursor
 * format as the embedded SQLite store.
 *
 * Top-level repository calls each take a pooled connection for one statement, so each is
 * atomic on its own; the few methods that need several statements (integrations.insert,
 * entities.applyBatch, webhooks.recordDeliveries and appendAudit, notifications'
 * recordOccurrence and addToDigest) run them in a short READ COMMITTED transaction of
 * their own (the anti-flood state also takes a per-key advisory lock). `transaction(fn)`
 * checks out a dedicated client and runs BEGIN ISOLATION LEVEL SERIALIZABLE ... COMMIT:
 * transactions behave as if run one after another, so a read-modify-write never loses an
 * update. When PostgreSQL aborts one of two clashing transactions (serialization failure
 * 40001, deadlock 40P01), `fn` is run again on a fresh transaction, up to
 * `transactionRetries` times with a short growing, jittered pause (about 1, 2, 4, 8 ms),
 * each retry in the retry lane (see RETRY_LANE_LOCK); after that the
 * failure surfaces as STORE_UNAVAILABLE (retryable). `fn` must therefore be safe to run
 * again, which the port's rules already demand (it awaits only the `tx` repositories). Any
 * other error rolls back and is rethrown as it was.
 *
 * A statement that fails inside a transaction aborts it in PostgreSQL (later statements
 * fail until ROLLBACK): catching a repository error inside `fn` and carrying on is not
 * supported; let it propagate. JSON columns are JSONB, which refuses the character
 * U+0000 inside strings (VALIDATION_FAILED); webhook and event payloads stay text.
 */
export class PostgresStore implements Store {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditRepository;
  readonly secrets: SecretRowRepository;
  readonly connections: ConnectionRepository;
  readonly credentials: CredentialRepository;
  readonly tokenRefreshAudit: TokenRefreshAuditRepository;
  readonly oauthStates: OAuthStateRepository;
  readonly integrations: IntegrationRepository;
  readonly entities: EntityRepository;
  readonly runs: SyncRunRepository;
  readonly webhooks: WebhookRepository;
  readonly notifications: NotificationRepository;
  readonly eventSubscriptions: EventSubscriptionRepository;
  readonly outbox: OutboxRepository;
  readonly dedupReviews: DedupReviewRepository;
  readonly merges: MergeRepository;
  readonly linkSweep: LinkSweepRepository;
  readonly conflicts: ConflictRepository;
  readonly rateLimitHistory: RateLimitHistoryRepository;
  /** For repositories that stamp their own times. */
  readonly clock: Clock;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #retries: number;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    this.clock = options.clock;
    this.#retries = options.transactionRetries ?? 4;
    if (options.pool) {
      if (options.schema !== undefined) {
        throw new TributaryError('CONFIG_INVALID', 'PostgresStore: set the search_path on the pool you pass; `schema` applies to connectionString only', { field: 'schema' });
      }
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else {
      if (options.connectionString === undefined) {
        throw new TributaryError('CONFIG_INVALID', 'PostgresStore needs a connectionString or a pool');
      }
      if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
        throw new TributaryError('CONFIG_INVALID', 'PostgreSQL schema names are letters, digits and underscores', { field: 'schema' });
      }
      this.#pool = new pg.Pool({
        connectionString: options.connectionString,
        max: options.maxConnections ?? 10,
        types,
        ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
      });
      this.#ownsPool = true;
    }
    // An idle client losing its connection must not crash the process; the next query fails instead.
    this.#pool.on('error', () => undefined);
    const topLevel: PgContext = {
      query: async <R extends PgRow>(text: string, params?: readonly unknown[]): Promise<PgResult<R>> => {
        this.#refuseInsideTransaction('a top-level repository (use the tx repositories)');
        this.#refuseClosed();
        try {
          const result = await this.#pool.query<R>(text, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.rowCount ?? 0 };
        } catch (error) {
          throw translatePgError(error);
        }
      },
      atomic: async <T>(work: (sql: PgContext) => Promise<T>): Promise<T> => {
        this.#refuseInsideTransaction('a top-level repository (use the tx repositories)');
        return this.#inTransaction('BEGIN', work);
      },
    };
    const repositories = createPgRepositories(topLevel);
    this.tenants = repositories.tenants;
    this.apiKeys = repositories.apiKeys;
    this.audit = repositories.audit;
    this.secrets = repositories.secrets;
    this.connections = repositories.connections;
    this.credentials = repositories.credentials;
    this.tokenRefreshAudit = repositories.tokenRefreshAudit;
    this.oauthStates = repositories.oauthStates;
    this.integrations = repositories.integrations;
    this.entities = repositories.entities;
    this.runs = repositories.runs;
    this.webhooks = repositories.webhooks;
    this.notifications = repositories.notifications;
    this.eventSubscriptions = repositories.eventSubscriptions;
    this.outbox = repositories.outbox;
    this.dedupReviews = repositories.dedupReviews;
    this.merges = repositories.merges;
    this.linkSweep = repositories.linkSweep;
    this.conflicts = repositories.conflicts;
    this.rateLimitHistory = repositories.rateLimitHistory;
  }

  /** Applies the pending PostgreSQL migrations under an advisory lock (see migrate.ts). */
  async migrate(): Promise<MigrationStatus> {
    this.#refuseInsideTransaction('migrate');
    const client = await this.#connect();
    try {
      return await migratePg(client);
    } catch (error) {
      // A connection lost mid-migration is STORE_UNAVAILABLE (retryable), not MIGRATION_FAILED.
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      const translated = translatePgError(cause);
      throw translated.code === 'STORE_UNAVAILABLE' ? translated : error;
    } finally {
      client.release();
    }
  }

  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    this.#refuseInsideTransaction('store.transaction (transactions do not nest)');
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.#transactionOnce(fn, attempt > 0);
      } catch (error) {
        if (attempt >= this.#retries || !RETRYABLE_TRANSACTION_CODES.has(sqlStateOf(error))) throw error;
        // Jitter, so that transactions that clashed do not start again in step.
        await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }

  #transactionOnce<T>(fn: (tx: Repositories) => Promise<T>, retry: boolean): Promise<T> {
    return this.#inTransaction('BEGIN ISOLATION LEVEL SERIALIZABLE', (tx) => fn(createPgRepositories(tx)), retry);
  }

  /**
   * Runs `work` on a dedicated client between `begin` and COMMIT, rolling back on any
   * throw. The async context is marked as inside this store's transaction meanwhile, and
   * the context handed to `work` fails once the transaction ended.
   */
  async #inTransaction<T>(begin: string, work: (tx: PgContext) => Promise<T>, inRetryLane = false): Promise<T> {
    const client = await this.#connect();
    if (inRetryLane) {
      try {
        await runTranslated(() => client.query(RETRY_LANE_LOCK));
      } catch (error) {
        client.release(true);
        throw error;
      }
    }
    const scope: TransactionScope = { store: this, open: true };
    let broken = false;
    const tx: PgContext = {
      query: async <R extends PgRow>(text: string, params?: readonly unknown[]): Promise<PgResult<R>> => {
        if (!scope.open) throw new TributaryError('INTERNAL', 'A transaction repository was used after its transaction ended');
        try {
          const result = await client.query<R>(text, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.rowCount ?? 0 };
        } catch (error) {
          throw translatePgError(error);
        }
      },
      atomic: (inner) => inner(tx),
    };
    try {
      await runTranslated(() => client.query(begin));
      const result = await transactionScope.run(scope, () => work(tx));
      scope.open = false;
      await runTranslated(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      // `error` is work's own (passed through as it is) or already translated.
      scope.open = false;
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone; PostgreSQL discards the transaction with it
      }
      throw error;
    } finally {
      // A connection that cannot unlock is dropped: PostgreSQL releases a session's locks with it.
      if (inRetryLane && !broken) broken = await client.query(RETRY_LANE_UNLOCK).then(() => false, () => true);
      client.release(broken);
    }
  }

  async purgeExpired(now: number): Promise<number> {
    this.#refuseInsideTransaction('purgeExpired');
    this.#refuseClosed();
    try {
      return await purgeExpiredPg(this.#pool, new Date(now).toISOString());
    } catch (error) {
      throw translatePgError(error);
    }
  }

  async ping(): Promise<void> {
    this.#refuseInsideTransaction('ping');
    this.#refuseClosed();
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      const translated = translatePgError(error);
      if (translated.code === 'STORE_UNAVAILABLE') throw translated;
      throw new TributaryError('STORE_UNAVAILABLE', 'PostgreSQL store does not answer', { cause: error });
    }
  }

  /** Refuses new work, then waits for checked-out clients to come back and ends the pool (when it owns it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  async #connect(): Promise<pg.PoolClient> {
    this.#refuseClosed();
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw translatePgError(error);
    }
  }

  #refuseClosed(): void {
    if (this.#closed) throw new TributaryError('STORE_UNAVAILABLE', 'The PostgreSQL store is closed');
  }

  #refuseInsideTransaction(what: string): void {
    const scope = transactionScope.getStore();
    if (scope !== undefined && scope.open && scope.store === this) {
      throw new TributaryError('INTERNAL', `Called ${what} inside a store transaction: transactions do not nest`);
    }
  }
}

/** Awaits a pg call and rethrows its failure translated. */
async function runTranslated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translatePgError(error);
  }
}
