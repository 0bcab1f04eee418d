import { CosmosClient, type Container, type Database } from '@azure/cosmos';
import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type {
  ApiKeyRepository,
  ConflictRepository,
  RateLimitHistoryRepository,
  DedupReviewRepository,
  LinkSweepRepository,
  MergeRepository,
  OutboxRepository,
  AuditRepository,
  ConnectionRepository,
  CredentialRepository,
  EntityRepository,
  EventSubscriptionRepository,
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
import { CONTAINER_NAMES, CONTAINERS, type ContainerName } from './containers.ts';
import { translateCosmosError } from './errors.ts';
import { recoverJournals } from './journal.ts';
import { migrateCosmos } from './migrate.ts';
import { purgeExpiredCosmos } from './purge.ts';
import { createCosmosRepositories } from './repositories.ts';
import { refuseInsideTransaction, runUnit, transactionRunner, type RetryPolicy, type UnitRunner } from './runner.ts';

export interface CosmosStoreOptions {
  /** The account endpoint (`https://<account>.documents.azure.com:443/`); ignored when `client` is given. */
  readonly endpoint?: string;
  /** The account key; without it (and without `client`) the store cannot connect. */
  readonly key?: string;
  /** A client the caller made and owns (managed identity, custom policy); `close` leaves it open. */
  readonly client?: CosmosClient;
  /** The database; created by `migrate` when absent. */
  readonly databaseId: string;
  /** Prepended to every container name: lets tests (or several installs) share one database. */
  readonly containerPrefix?: string;
  readonly clock: Clock;
  /** Runs of a unit that lost an optimistic-concurrency race before STORE_UNAVAILABLE (default 12). */
  readonly transactionRetries?: number;
  /** Jitter source in [0, 1) for the pause between those runs (default Math.random). */
  readonly random?: () => number;
}

/**
 * The Azure-mode Store on Cosmos DB (NoSQL API) through @azure/cosmos: the reference's
 * containers (containers.ts), every document partitioned by its tenant, the same
 * repository semantics and cursor format as the SQL stores.
 *
 * Every repository call is a unit of work (unit.ts): reads go to Cosmos DB, writes are
 * buffered and committed with ETag preconditions (commit.ts), as one transactional batch
 * when they fall in one partition of one container. `transaction(fn)` is one unit around
 * `fn`: its writes are invisible to others until the commit, and a unit that lost a race
 * to a concurrent writer is run again from the start (up to `transactionRetries` times,
 * then STORE_UNAVAILABLE, retryable), so no update is lost: optimistic concurrency in place
 * of PostgreSQL's SERIALIZABLE. Queries inside a transaction see its replacements and
 * deletions but not its creations (point reads see everything).
 *
 * Consistency: the account's default level applies; Session (the default) gives this
 * client read-your-writes, which is what the Store port needs from one process. Several
 * processes rely on the ETag checks, not on read freshness, for correctness.
 */
export class CosmosStore implements Store {
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
  readonly dedupReviews: DedupReviewRepository;
  readonly merges: MergeRepository;
  readonly linkSweep: LinkSweepRepository;
  readonly outbox: OutboxRepository;
  readonly conflicts: ConflictRepository;
  readonly rateLimitHistory: RateLimitHistoryRepository;
  readonly clock: Clock;
  readonly #client: CosmosClient;
  readonly #ownsClient: boolean;
  readonly #database: Database;
  readonly #prefix: string;
  readonly #containers = new Map<ContainerName, Container>();
  readonly #retry: RetryPolicy;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: CosmosStoreOptions) {
    this.clock = options.clock;
    this.#prefix = options.containerPrefix ?? '';
    this.#retry = { attempts: options.transactionRetries ?? 12, random: options.random ?? Math.random, now: () => options.clock.now() };
    if (options.client) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      if (!options.endpoint || !options.key) {
        throw new TributaryError('CONFIG_INVALID', 'CosmosStore needs an endpoint and a key, or a client', { field: options.endpoint ? 'key' : 'endpoint' });
      }
      // A plain-http endpoint is a local Cosmos DB-compatible server, whose advertised
      // locations are not real: endpoint discovery would send requests to them.
      const local = options.endpoint.startsWith('http://');
      this.#client = new CosmosClient({ endpoint: options.endpoint, key: options.key, connectionPolicy: { enableEndpointDiscovery: !local } });
      this.#ownsClient = true;
    }
    this.#database = this.#client.database(options.databaseId);
    const topLevel: UnitRunner = {
      run: async (work) => {
        refuseInsideTransaction(this, 'a top-level repository (use the tx repositories)');
        this.#refuseClosed();
        return this.#track(runUnit(this.#container, this.#retry, work));
      },
    };
    const repositories = createCosmosRepositories(topLevel, this.clock);
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
    this.dedupReviews = repositories.dedupReviews;
    this.merges = repositories.merges;
    this.linkSweep = repositories.linkSweep;
    this.outbox = repositories.outbox;
    this.conflicts = repositories.conflicts;
    this.rateLimitHistory = repositories.rateLimitHistory;
  }

  readonly #container = (name: ContainerName): Container => {
    let container = this.#containers.get(name);
    if (!container) {
      container = this.#database.container(`${this.#prefix}${name}`);
      this.#containers.set(name, container);
    }
    return container;
  };

  /** Creates the database and containers when absent and records the schema version (see migrate.ts). */
  migrate(): Promise<MigrationStatus> {
    refuseInsideTransaction(this, 'migrate');
    this.#refuseClosed();
    return this.#track(
      (async () => {
        const status = await migrateCosmos(this.#client, this.#database.id, this.#prefix, this.#container);
        // A process that died mid-commit left its journal: finish its unit before serving.
        await recoverJournals(this.#container, this.clock.now());
        return status;
      })(),
    );
  }

  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    try {
      refuseInsideTransaction(this, 'store.transaction (transactions do not nest)');
      this.#refuseClosed();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#track(runUnit(this.#container, this.#retry, (unit) => fn(createCosmosRepositories(transactionRunner(unit), this.clock)), { owner: this }));
  }

  purgeExpired(now: number): Promise<number> {
    refuseInsideTransaction(this, 'purgeExpired');
    this.#refuseClosed();
    const containers = CONTAINER_NAMES.filter((name) => CONTAINERS[name].ttl);
    return this.#track(
      (async () => {
        await recoverJournals(this.#container, this.clock.now());
        return purgeExpiredCosmos(containers.map((name) => this.#container(name)), now);
      })(),
    );
  }

  async ping(): Promise<void> {
    refuseInsideTransaction(this, 'ping');
    this.#refuseClosed();
    try {
      await this.#database.read();
    } catch (error) {
      const translated = translateCosmosError(error);
      throw translated.code === 'STORE_UNAVAILABLE' ? translated : new TributaryError('STORE_UNAVAILABLE', 'Cosmos DB store does not answer', { cause: error });
    }
  }

  /** Refuses new work, waits for calls in flight, then disposes of the client (when it owns it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    if (this.#ownsClient) this.#client.dispose();
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = (): void => {
      this.#inFlight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  #refuseClosed(): void {
    if (this.#closed) throw new TributaryError('STORE_UNAVAILABLE', 'The Cosmos DB store is closed');
  }
}
