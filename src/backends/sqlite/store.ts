import { AsyncLocalStorage } from 'node:async_hooks';
import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type {
  ApiKeyRepository,
  ConnectionRepository,
  CredentialRepository,
  OAuthStateRepository,
  TokenRefreshAuditRepository,
  EntityRepository,
  IntegrationRepository,
  SyncRunRepository,
  WebhookRepository,
  NotificationRepository,
  EventSubscriptionRepository,
  OutboxRepository,
  DedupReviewRepository,
  MergeRepository,
  LinkSweepRepository,
  ConflictRepository,
  RateLimitHistoryRepository,
  AuditRepository,
  MigrationStatus,
  Repositories,
  SecretRowRepository,
  Store,
  TenantRepository,
  TransactionOptions,
} from '../../ports/store.ts';
import type { SqliteHandle } from './database.ts';
import { migrate } from './migrate.ts';
import { SqliteApiKeyRepository } from './repositories/api-keys.ts';
import { SqliteAuditRepository } from './repositories/audit.ts';
import { SqliteSecretRowRepository } from './repositories/secrets.ts';
import { SqliteConnectionRepository } from './repositories/connections.ts';
import { SqliteCredentialRepository } from './repositories/credentials.ts';
import { SqliteOAuthStateRepository } from './repositories/oauth-states.ts';
import { SqliteTokenRefreshAuditRepository } from './repositories/token-refresh-audit.ts';
import { SqliteTenantRepository } from './repositories/tenants.ts';
import { SqliteEntityRepository } from './repositories/entities.ts';
import { SqliteIntegrationRepository } from './repositories/integrations.ts';
import { SqliteSyncRunRepository } from './repositories/runs.ts';
import { SqliteWebhookRepository } from './repositories/webhooks.ts';
import { SqliteNotificationRepository } from './repositories/notifications.ts';
import { SqliteOutboxRepository } from './repositories/outbox.ts';
import { SqliteEventSubscriptionRepository } from './repositories/event-subscriptions.ts';
import { SqliteDedupReviewRepository } from './repositories/dedup-reviews.ts';
import { SqliteMergeRepository } from './repositories/merges.ts';
import { SqliteLinkSweepRepository } from './repositories/link-sweep.ts';
import { SqliteConflictRepository } from './repositories/conflicts.ts';
import { SqliteRateLimitHistoryRepository } from './repositories/ratelimit-history.ts';
import { StatementCache, runTranslated, translateSqliteError, type SqlContext } from './store-sql.ts';
import { purgeExpiredRows } from './store-ttl.ts';
import { relaxCommits } from './off-loop-commit.ts';

export interface SqliteStoreOptions {
  readonly clock: Clock;
}

/**
 * Which handle the current async context holds a transaction on. A second `exclusive`
 * call from inside that transaction would wait for the transaction, which waits for
 * it: a deadlock. Knowing the context lets such calls fail at once instead.
 */
const transactionScope = new AsyncLocalStorage<TransactionScope>();

interface TransactionScope {
  readonly handle: SqliteHandle;
  /** False once the transaction ended: work that fn left behind (a timer) may then use the store. */
  open: boolean;
}

/**
 * True when the calling async context is inside a `SqliteStore.transaction` on this
 * handle. Other SQLite backends sharing the handle can use it to refuse work that would
 * wait on `exclusive` and so deadlock.
 */
export function inSqliteTransaction(handle: SqliteHandle): boolean {
  const scope = transactionScope.getStore();
  return scope !== undefined && scope.open && scope.handle === handle;
}

function createRepositories(sql: SqlContext): Repositories {
  return {
    tenants: new SqliteTenantRepository(sql),
    apiKeys: new SqliteApiKeyRepository(sql),
    audit: new SqliteAuditRepository(sql),
    secrets: new SqliteSecretRowRepository(sql),
    connections: new SqliteConnectionRepository(sql),
    credentials: new SqliteCredentialRepository(sql),
    tokenRefreshAudit: new SqliteTokenRefreshAuditRepository(sql),
    oauthStates: new SqliteOAuthStateRepository(sql),
    integrations: new SqliteIntegrationRepository(sql),
    entities: new SqliteEntityRepository(sql),
    runs: new SqliteSyncRunRepository(sql),
    webhooks: new SqliteWebhookRepository(sql),
    notifications: new SqliteNotificationRepository(sql),
    eventSubscriptions: new SqliteEventSubscriptionRepository(sql),
    dedupReviews: new SqliteDedupReviewRepository(sql),
    merges: new SqliteMergeRepository(sql),
    linkSweep: new SqliteLinkSweepRepository(sql),
    outbox: new SqliteOutboxRepository(sql),
    conflicts: new SqliteConflictRepository(sql),
    rateLimitHistory: new SqliteRateLimitHistoryRepository(sql),
  };
}

/**
 * The embedded Store: every container in one SQLite file, on the process's shared
 * connection (see SqliteHandle).
 *
 * Each top-level repository call is one unit of work run under `handle.exclusive`, so
 * it never interleaves with an open transaction. `transaction` holds `exclusive` for its
 * whole length and runs BEGIN IMMEDIATE, so it also excludes other processes' writers;
 * its repositories run directly on the connection. Calling `transaction` or a top-level
 * repository from inside a transaction fails at once with INTERNAL rather than
 * deadlocking; a `tx` repository used after its transaction ended fails the same way.
 */
export class SqliteStore implements Store {
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
  /** For the data-model repositories that stamp their own times (change feed, audits). */
  readonly clock: Clock;
  readonly #handle: SqliteHandle;
  readonly #statements: StatementCache;

  constructor(handle: SqliteHandle, options: SqliteStoreOptions) {
    this.#handle = handle;
    this.clock = options.clock;
    this.#statements = new StatementCache(handle.db);
    const topLevel: SqlContext = {
      statements: this.#statements,
      run: async (work) => {
        this.#refuseInsideTransaction('a top-level repository (use the tx repositories)');
        return handle.exclusive(() => runTranslated(work));
      },
    };
    const repositories = createRepositories(topLevel);
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

  /** Applies every pending migration file (all backends' tables share the file). */
  async migrate(): Promise<MigrationStatus> {
    this.#refuseInsideTransaction('migrate');
    return this.#handle.exclusive(() => runTranslated(() => migrate(this.#handle.db)));
  }

  async transaction<T>(fn: (tx: Repositories) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#refuseInsideTransaction('store.transaction (transactions do not nest)');
    const { result, durable } = await this.#handle.exclusive(async () => {
      const statements = this.#statements;
      // The COMMIT neither fsyncs nor checkpoints on the event loop (off-loop-commit.ts);
      // the caller still gets its result only once the commit is on disk, as under FULL.
      const relaxed = runTranslated(() => relaxCommits(statements, this.#handle.db));
      // Each foreign key of an inserted row is a lookup in its parent's index (five per
      // pulled contact); a caller that has seen the parents itself skips them (about 3 %
      // more records/s in bench:ingest, seven alternated pairs). SQLite takes
      // the setting only outside a transaction, so it goes off before BEGIN and back on
      // after the COMMIT or ROLLBACK, all inside `exclusive`: nothing else runs meanwhile.
      const unchecked = options.parentsChecked === true && runTranslated(() => statements.get<{ foreign_keys: number }>('PRAGMA foreign_keys').get()?.foreign_keys === 1);
      const scope: TransactionScope = { handle: this.#handle, open: true };
      try {
        if (unchecked) runTranslated(() => statements.get('PRAGMA foreign_keys = OFF').run());
        runTranslated(() => statements.get('BEGIN IMMEDIATE').run());
        const tx: SqlContext = {
          statements,
          run: async (work) => {
            if (!scope.open) throw new TributaryError('INTERNAL', 'A transaction repository was used after its transaction ended');
            return runTranslated(work);
          },
        };
        const result = await transactionScope.run(scope, () => fn(createRepositories(tx)));
        runTranslated(() => statements.get('COMMIT').run());
        return { result, durable: relaxed?.durable ?? null };
      } catch (error) {
        this.#rollbackQuietly();
        throw error;
      } finally {
        scope.open = false;
        if (unchecked && this.#handle.db.open) runTranslated(() => statements.get('PRAGMA foreign_keys = ON').run());
        if (relaxed !== null && this.#handle.db.open) runTranslated(relaxed.restore);
      }
    });
    if (durable !== null) {
      try {
        await durable();
      } catch (cause) {
        throw new TributaryError('STORE_UNAVAILABLE', 'SQLite could not make a commit durable', { cause });
      }
    }
    return result;
  }

  async purgeExpired(now: number): Promise<number> {
    this.#refuseInsideTransaction('purgeExpired');
    return purgeExpiredRows(this.#handle, this.#statements, new Date(now).toISOString());
  }

  async ping(): Promise<void> {
    this.#refuseInsideTransaction('ping');
    await this.#handle.exclusive(() => {
      try {
        this.#statements.get('SELECT 1').get();
      } catch (error) {
        const translated = translateSqliteError(error);
        if (translated.code === 'STORE_UNAVAILABLE') throw translated;
        throw new TributaryError('STORE_UNAVAILABLE', 'SQLite store does not answer', { cause: error });
      }
    });
  }

  /** Waits for work already queued on the handle, then closes the shared connection. */
  async close(): Promise<void> {
    await this.#handle.exclusive(() => this.#handle.close());
  }

  /** Rolls back if a transaction is still open; the caller rethrows the error that caused it. */
  #rollbackQuietly(): void {
    const db = this.#handle.db;
    if (!db.open || !db.inTransaction) return;
    try {
      this.#statements.get('ROLLBACK').run();
    } catch {
      // The connection is unusable; SQLite discards the open transaction with it.
    }
  }

  #refuseInsideTransaction(what: string): void {
    if (inSqliteTransaction(this.#handle)) {
      throw new TributaryError('INTERNAL', `Called ${what} inside a store transaction on the same connection: it would deadlock`);
    }
  }
}
