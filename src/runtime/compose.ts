import { mkdirSync } from 'node:fs';
import { systemClock } from '../backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../backends/memory/rate-limit-backend.ts';
import { openSqlite } from '../backends/sqlite/database.ts';
import { SqliteJobQueue } from '../backends/sqlite/job-queue.ts';
import { SqliteLocks } from '../backends/sqlite/locks.ts';
import { SqliteStore } from '../backends/sqlite/store.ts';
import { LocalVault } from '../backends/vault/local-vault.ts';
import { loadOrCreateKeyring } from '../backends/vault/master-keyring.ts';
import type { Clock } from '../ports/clock.ts';
import type { MigrationStatus, Store } from '../ports/store.ts';
import { PrometheusMetrics, meteredQueue } from '../observability/index.ts';
import { RateLimitAdmin, RateLimiter } from '../ratelimit/index.ts';
import { PROVIDERS, isProviderId } from '../providers/index.ts';
import { EntityService, IntegrationService } from '../sync/index.ts';
import { WebhookReceiver, WebhookRegistrations } from '../webhooks/index.ts';
import { configError } from './config/index.ts';
import type { ResolvedConfig } from './config/index.ts';
import { buildConnectionServices } from './connections-wiring.ts';
import { buildNotifications } from './notifications-wiring.ts';
import { fromCredentialEvent, rateLimitSink, webhookStatusSink, type NotificationSink } from '../notifications/index.ts';
import { createLogger } from './logging/logger.ts';
import type { RootLogger } from './logging/logger.ts';
import { Readiness } from './readiness.ts';
import type { Services } from './services.ts';
import { ApiKeyService, AuditService, TenantService } from './tenancy/index.ts';

/**
 * The composition root: configuration -> backends -> services. The ONLY module that
 * knows which backend implements each port (STYLE.md 2); today that is always the
 * embedded mode (SQLite store, queue and locks on one connection, local vault,
 * rate-limit counters in process).
 */

export interface PlatformOptions {
  /** Default: a JSON logger on stdout at the configured level. */
  logger?: RootLogger;
  /** Default: the system clock. Tests pass a manual one. */
  clock?: Clock;
  /** Origins connections may reach whatever the egress policy says (the demo's sandbox). */
  egressAllowOrigins?: readonly string[];
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
  createDataDir(config);
  const handle = openSqlite({ path: config.store.path });
  const store = new SqliteStore(handle, { clock });
  // Features get `metrics` as their `Metrics`; every consumer's jobs are timed into it.
  const metrics = new PrometheusMetrics();
  const queue = meteredQueue(new SqliteJobQueue(handle, {
    clock,
    logger: logger.child({ component: 'queue' }),
    // Leaves half of the shutdown budget for the server and the store.
    stopGraceMs: Math.floor(config.shutdownTimeoutMs / 2),
  }), metrics, clock);
  // Embedded mode: counters in this process (cluster mode will share them in Redis).
  // Notifications are built after the vault; until then (and if they never are) events go nowhere.
  let notify: NotificationSink = () => undefined;
  const rateLimiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: Math.random, events: rateLimitSink((event) => notify(event)) });
  // Scrape-time gauges: the queue's stats and the limiter's counters.
  metrics.watch({ queues: queue, rateLimits: new RateLimitAdmin(rateLimiter, clock) });
  let webhookReceiver: WebhookReceiver | null = null;
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      try {
        rateLimiter.close();
        // Deliveries already answered are durable; this waits for the last batch's commit.
        await webhookReceiver?.drain();
        await queue.close();
      } finally {
        await store.close();
      }
    })();
    return closed;
  };

  try {
    const migration = await store.migrate();
    if (migration.applied.length > 0) logger.info({ applied: migration.applied, version: migration.version }, 'store migrated');
    const keyring = await loadOrCreateKeyring({
      file: config.vault.masterKeyFile,
      envValue: config.vault.masterKey?.reveal(),
      logger: logger.child({ component: 'vault' }),
      clock,
    });
    const secrets = new LocalVault({ store, keyring, clock, logger: logger.child({ component: 'vault' }) });
    const locks = new SqliteLocks(handle, { clock });
    const audit = new AuditService(store.audit, clock);
    const { credentials, connections } = buildConnectionServices(options.egressAllowOrigins === undefined ? config.connections : { ...config.connections, allowOrigins: options.egressAllowOrigins }, {
      store,
      secrets,
      locks,
      clock,
      logger,
      rateLimiter,
      onCredentialEvent: (event) => notify(fromCredentialEvent(event)),
    });
    const notifications = buildNotifications(config.connections, { store, secrets, queue, clock, logger, connections, credentials });
    notify = notifications.sink;
    const receiver = new WebhookReceiver({ store, queue, secrets, clock, onStatusChange: webhookStatusSink(notifications.sink, () => clock.now()) });
    webhookReceiver = receiver;
    const webhookRegistrations = new WebhookRegistrations({
      store,
      secrets,
      clock,
      publicBaseUrl: config.connections.publicUrl,
      contextFor: (connection, signal) => connections.providerContext(connection, { signal }),
      onChange: (registrationId) => receiver.invalidate(registrationId),
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
      rateLimits: new RateLimitAdmin(rateLimiter, clock),
      webhookReceiver,
      webhookRegistrations,
      integrations: new IntegrationService({ store, queue, clock, providerFor: (id) => (isProviderId(id) ? PROVIDERS[id] : undefined) }),
      entities: new EntityService({ store }),
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
  createDataDir(config);
  const store = new SqliteStore(openSqlite({ path: config.store.path }), { clock });
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

/** The data directory holds the database and the master key: only its owner may enter it. An existing one is left as it is. */
function createDataDir(config: ResolvedConfig): void {
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw configError('the data directory', `${config.dataDir} cannot be created (${code}) (expected a writable directory: set --data or TRIBUTARY_DATA_DIR)`);
  }
}
