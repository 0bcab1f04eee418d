import { existsSync, mkdirSync } from 'node:fs';
import { systemClock } from '../backends/memory/clock.ts';
import { PostgresStore } from '../backends/postgres/store.ts';
import { openSqlite } from '../backends/sqlite/database.ts';
import { SqliteStore } from '../backends/sqlite/store.ts';
import { LocalVault } from '../backends/vault/local-vault.ts';
import { loadOrCreateKeyring } from '../backends/vault/master-keyring.ts';
import type { Clock } from '../ports/clock.ts';
import type { MigrationStatus, Store } from '../ports/store.ts';
import { MANUAL_SYNC_TRACING, PrometheusMetrics, meteredQueue, startTracing, tracedEnqueues, tracedQueue } from '../observability/index.ts';
import { RateLimitAdmin, RateLimitHistorySampler, RateLimiter } from '../ratelimit/index.ts';
import { PROVIDERS, isProviderId } from '../providers/index.ts';
import { DedupReviewService, EntityService, HostWriteService, IntegrationService, MergeService, ConflictReviewService, ResolverRegistry } from '../sync/index.ts';
import { WebhookReceiver, WebhookRegistrations } from '../webhooks/index.ts';
import { TributaryError } from '../domain/errors.ts';
import { configError } from './config/index.ts';
import type { ResolvedConfig } from './config/index.ts';
import { buildConnectionServices } from './connections-wiring.ts';
import { buildNotifications } from './notifications-wiring.ts';
import { startOperatorAlerts } from './alerts-wiring.ts';
import { fromCredentialEvent, rateLimitSink, webhookStatusSink, type NotificationSink } from '../notifications/index.ts';
import { webhookRenewalSink, withConnectionStatusEvents, type HostEventSink } from '../notifications/index.ts';
import { createLogger } from './logging/logger.ts';
import type { RootLogger } from './logging/logger.ts';
import { openBackends } from './backends-wiring.ts';
import { azureSecrets, azureStore } from './azure-wiring.ts';
import { checkSharedKeyring } from './keyring-check.ts';
import { Readiness } from './readiness.ts';
import type { Services } from './services.ts';
import { ApiKeyService, AuditService, TenantService } from './tenancy/index.ts';

/**
 * The composition root: configuration -> backends -> services. The ONLY module (with
 * backends-wiring.ts, which picks them) that knows which backend implements each port
 * (STYLE.md 2): embedded mode (SQLite store, queue and locks on one connection, counters
 * in process) or cluster mode (PostgreSQL store; BullMQ queue, locks and counters on
 * Redis). The local vault serves both; in cluster mode its keys must be shared.
 */

export interface PlatformOptions {
  /** Default: a JSON logger on stdout at the configured level. */
  logger?: RootLogger;
  /** Default: the system clock. Tests pass a manual one. */
  clock?: Clock;
  /** Origins connections may reach whatever the egress policy says (the demo's sandbox). */
  egressAllowOrigins?: readonly string[];
  /**
   * Where providers and browsers reach this server, read when it is used (a webhook
   * registered, an OAuth redirect URI, a notification's link): `runPlatform` knows it
   * only once listening with `--port 0`. Default: the configured public URL.
   */
  publicUrl?: () => string;
  /** Conflict resolvers registered in code, by name (`{"strategy": "custom", "resolver": name}`). */
  resolvers?: ResolverRegistry;
}

export interface Platform {
  readonly services: Services;
  /** The migration run at start. */
  readonly migration: MigrationStatus;
  /**
   * Stops the rate limiter, waits for the webhook intake's last commit, stops every
   * queue consumer (each releases the leases it still holds), then closes the store.
   * Idempotent. Roles must be stopped first (they use the services).
   */
  close(): Promise<void>;
}

/**
 * Opens the backends, migrates the store, loads (or on first start creates) the master
 * keyring and builds the services. On failure, whatever was opened is closed again and
 * the error rethrown: CONFIG_INVALID / MASTER_KEY_INVALID for operator mistakes,
 * STORE_UNAVAILABLE / MIGRATION_FAILED for the database.
 */
export async function buildPlatform(config: ResolvedConfig, options: PlatformOptions = {}): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log);
  const publicUrl = options.publicUrl ?? (() => config.connections.publicUrl);
  // Azure mode's store is Cosmos DB: no data directory (a Functions package is read-only).
  if (config.store.kind === 'sqlite' && config.azure.cosmos === null) createDataDir(config);
  // Notifications are built after the vault; until then (and if they never are) events go nowhere.
  let notify: NotificationSink = () => undefined;
  let publishHost: HostEventSink = () => undefined;
  const rateLimitEvents = rateLimitSink((event) => notify(event));
  const backends = await openBackends(config, {
    clock,
    logger,
    // Leaves half of the shutdown budget for the server and the store.
    stopGraceMs: Math.floor(config.shutdownTimeoutMs / 2),
    rateLimitEvents,
  });
  const { store, locks } = backends;
  // Off (and free) unless OTEL_EXPORTER_OTLP_ENDPOINT is set: docs/observability.md.
  const tracing = await startTracing({ otlpEndpoint: config.observability.tracing.otlpEndpoint });
  // Features get `metrics` as their `Metrics`; every consumer's jobs are timed into it.
  const metrics = new PrometheusMetrics();
  // Outermost: each job's log context (correlation id on every line) and its trace span.
  const queue = tracedQueue(meteredQueue(backends.queue, metrics, clock));
  // Counters in this process (embedded) or in Redis shared by every process (cluster).
  const rateLimiter = new RateLimiter({ backend: backends.rateLimits, clock, random: Math.random, events: rateLimitEvents });
  // Scrape-time gauges: the queue's stats and the limiter's counters.
  const rateLimits = new RateLimitAdmin(rateLimiter, clock);
  metrics.watch({ queues: queue, rateLimits });
  let webhookReceiver: WebhookReceiver | null = null;
  let alerts: { stop(): Promise<void> } | null = null;
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      try {
        await alerts?.stop();
        rateLimiter.close();
        // Deliveries already answered are durable; this waits for the last batch's commit.
        await webhookReceiver?.drain();
        await queue.close();
      } finally {
        await backends.close();
        await tracing.shutdown().catch(() => undefined);
      }
    })();
    return closed;
  };

  try {
    const migration = await store.migrate();
    if (migration.applied.length > 0) logger.info({ applied: migration.applied, version: migration.version }, 'store migrated');
    // Azure mode keeps secrets in Key Vault; otherwise the local vault, under the master keyring.
    const secrets = (await azureSecrets(config, clock)) ?? (await openLocalVault(config, store, clock, logger));
    const audit = new AuditService(store.audit, clock);
    const { credentials, connections } = buildConnectionServices(options.egressAllowOrigins === undefined ? config.connections : { ...config.connections, allowOrigins: options.egressAllowOrigins }, {
      // Every status a connection moves to reaches the host product's event subscriptions.
      store: withConnectionStatusEvents(store, (event) => publishHost(event), () => clock.now()),
      secrets,
      locks,
      clock,
      logger,
      rateLimiter,
      onCredentialEvent: (event) => notify(fromCredentialEvent(event)),
      metrics,
      publicUrl,
    });
    const notifications = buildNotifications(config.connections, { store, secrets, queue, clock, logger, connections, credentials, publicUrl }, config.observability.operatorChannel);
    alerts = startOperatorAlerts(config, { metrics, locks, clock, logger, notifications });
    notify = notifications.sink;
    publishHost = notifications.hostEvents.sink;
    const receiver = new WebhookReceiver({ store, queue, secrets, clock, onStatusChange: webhookStatusSink(notifications.sink, () => clock.now()), metrics });
    webhookReceiver = receiver;
    const webhookRegistrations = new WebhookRegistrations({
      store,
      secrets,
      clock,
      publicBaseUrl: publicUrl,
      contextFor: (connection, signal) => connections.providerContext(connection, { signal }),
      onChange: (registrationId) => receiver.invalidate(registrationId),
      onRenewalFailed: webhookRenewalSink(notifications.sink, () => clock.now()),
    });
    const services: Services = {
      clock,
      logger,
      store,
      queue,
      locks,
      secrets,
      audit,
      tenants: new TenantService(store, audit, clock),
      apiKeys: new ApiKeyService(store, audit, clock, { adminKey: config.auth.adminKey }),
      readiness: new Readiness({ store: () => store.ping(), queue: () => queue.stats() }),
      credentials,
      connections,
      rateLimiter,
      rateLimits,
      rateLimitHistory: new RateLimitHistorySampler({ admin: rateLimits, history: store.rateLimitHistory, clock, ...config.rateLimitHistory }),
      webhookReceiver,
      webhookRegistrations,
      // A manual run's enqueue roots its trace (`integration.sync` span, `manual_…` correlation id).
      integrations: new IntegrationService({ store, queue: tracedEnqueues(queue, MANUAL_SYNC_TRACING), clock, providerFor: (id) => (isProviderId(id) ? PROVIDERS[id] : undefined) }),
      entities: new EntityService({ store }),
      hostWrites: new HostWriteService({ store, queue, clock, logger: logger.child({ component: 'host-writes' }) }),
      conflicts: new ConflictReviewService({ store, clock }),
      resolvers: options.resolvers ?? new ResolverRegistry(),
      ...dedupServices(store, clock),
      notifications,
      metrics,
      metricsAuth: config.metrics.auth,
    };
    return { services, migration, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

export interface StoreOnly {
  readonly store: Store;
  readonly services: Pick<Services, 'apiKeys' | 'tenants' | 'audit'>;
  close(): Promise<void>;
}

/**
 * Just the store and the tenancy services, migrated: for CLI commands that touch no
 * queue and no secret (`migrate`, `admin-key create`). Creates no master key.
 */
export async function openStore(config: ResolvedConfig, options: { clock?: Clock } = {}): Promise<StoreOnly & { migration: MigrationStatus }> {
  const clock = options.clock ?? systemClock;
  // Azure mode's store is Cosmos DB: no data directory (a Functions package is read-only).
  if (config.store.kind === 'sqlite' && config.azure.cosmos === null) createDataDir(config);
  const store: Store = (await azureStore(config, clock)) ?? (config.store.kind === 'sqlite'
    ? new SqliteStore(openSqlite({ path: config.store.path }), { clock })
    : new PostgresStore({ connectionString: config.store.url.reveal(), clock, ...(config.store.schema === null ? {} : { schema: config.store.schema }) }));
  try {
    const migration = await store.migrate();
    const audit = new AuditService(store.audit, clock);
    return {
      store,
      migration,
      services: {
        audit,
        tenants: new TenantService(store, audit, clock),
        apiKeys: new ApiKeyService(store, audit, clock, { adminKey: config.auth.adminKey }),
      },
      close: () => store.close(),
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** Cluster mode never generates a master key: each process would make its own and none could read the others' secrets. */
function missingClusterKeyring(config: ResolvedConfig): TributaryError {
  return new TributaryError(
    'MASTER_KEY_INVALID',
    `Cluster mode needs the master keys every process shares: set TRIBUTARY_MASTER_KEY (openssl rand -base64 32, the same value in every process) or TRIBUTARY_MASTER_KEY_FILE to a key file every process reads; ${config.vault.masterKeyFile} does not exist`,
    { field: 'TRIBUTARY_MASTER_KEY' },
  );
}

/** The data directory holds the database and the master key: only its owner may enter it. An existing one is left as it is. */
function createDataDir(config: ResolvedConfig): void {
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw configError('the data directory', `${config.dataDir} cannot be created (${code}) (expected a writable directory: set --data or TRIBUTARY_DATA_DIR)`);
  }
}

/** The dedup review queue and merges share one MergeService (accept merges through it). */
function dedupServices(store: Store, clock: Clock): Pick<Services, 'dedupReviews' | 'merges'> {
  const merges = new MergeService({ store, clock });
  return { merges, dedupReviews: new DedupReviewService({ store, clock, merges }) };
}

/** The local vault under the master keyring (loaded, or generated on an embedded first start). */
async function openLocalVault(config: ResolvedConfig, store: Store, clock: Clock, logger: RootLogger): Promise<LocalVault> {
  if (!config.vault.createFile && config.vault.masterKey === null && !existsSync(config.vault.masterKeyFile)) throw missingClusterKeyring(config);
  const keyring = await loadOrCreateKeyring({
    file: config.vault.masterKeyFile,
    envValue: config.vault.masterKey?.reveal(),
    logger: logger.child({ component: 'vault' }),
    clock,
  });
  // Every process of a cluster must hold the same keys; a stray one is refused before it writes anything.
  if (!config.vault.createFile) await checkSharedKeyring({ store, keyring, clock });
  return new LocalVault({ store, keyring, clock, logger: logger.child({ component: 'vault' }) });
}
