import { resolve as resolvePath, join } from 'node:path';
import { Value } from 'typebox/value';
import { TributaryError } from '../../domain/errors.ts';
import type { ProviderId } from '../../providers/provider.ts';
import { ROLE_NAMES } from '../roles/names.ts';
import type { RoleName } from '../roles/names.ts';
import { deepFreeze } from './freeze.ts';
import { CONFIG_KEYS, CONFIG_KEYS_BY_NAME, TributaryOptionsSchema } from './keys.ts';
import type { ConfigKey, LogLevel, MetricsAuth, OperatorChannelKind, TributaryOptions } from './keys.ts';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../../observability/index.ts';
import { DEFAULT_RATE_LIMIT_HISTORY } from '../../ratelimit/index.ts';
import { Secret } from './secret.ts';

/**
 * The validated, defaulted, frozen configuration. The composition root hands each part
 * only the slice it needs (`config.server` to the api role, `config.vault` to the vault).
 */
export interface ResolvedConfig {
  readonly server: { readonly port: number; readonly host: string };
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  /** Where the Store lives. `display` is safe to print (a URL's password is left out). */
  readonly store:
    | { readonly kind: 'sqlite'; readonly path: string; readonly display: string }
    | { readonly kind: 'postgres'; readonly url: Secret; readonly schema: string | null; readonly display: string };
  /** Cluster mode's Redis (queue, locks, rate-limit counters); null: all of them in the store and this process. */
  readonly redis: { readonly url: Secret; readonly prefix: string; readonly display: string } | null;
  /**
   * The local vault's master keys: `masterKey` (env) wins over the file. `createFile`:
   * whether a missing file may be generated, true only on a SQLite store (its processes
   * share the data directory); a PostgreSQL cluster's processes must all read the same
   * keys, so none of them makes its own.
   */
  readonly vault: { readonly masterKey: Secret | null; readonly masterKeyFile: string; readonly createFile: boolean };
  readonly auth: { readonly adminKey: Secret | null };
  readonly roles: readonly RoleName[];
  readonly log: { readonly level: LogLevel };
  readonly demo: boolean;
  readonly shutdownTimeoutMs: number;
  readonly connections: {
    readonly allowPrivateEgress: boolean;
    readonly publicUrl: string;
    readonly oauthClients: Readonly<Partial<Record<ProviderId, { readonly clientId: string; readonly clientSecret: Secret }>>>;
  };
  readonly tokenRefresher: { readonly intervalMs: number; readonly windowMs: number };
  /** `GET /metrics`: who may read it. */
  readonly metrics: { readonly auth: MetricsAuth };
  /** Operator alerts (where they go, thresholds, interval) and tracing (docs/observability.md). */
  readonly observability: {
    readonly operatorChannel: { readonly kind: OperatorChannelKind; readonly url: Secret } | null;
    readonly alerts: { readonly thresholds: AlertThresholds; readonly intervalMs: number };
    readonly tracing: { readonly otlpEndpoint: string | null };
  };
  /** The rate limiter's usage history: sampling interval and retention of the samples. */
  readonly rateLimitHistory: { readonly intervalMs: number; readonly retentionMs: number };
  /** How often expired rows are purged from the store (one process at a time). */
  readonly retention: { readonly purgeIntervalMs: number };
  /** Job lease of the workers' consumers (and of the per-integration lock); null: each role's default. */
  readonly workers: { readonly leaseMs: number | null };
  /** Leader lease of the singleton roles. */
  readonly leader: { readonly leaseMs: number };
  /** Azure mode's backends (docs/deploy-azure.md); each null: the embedded or cluster one. */
  readonly azure: {
    readonly cosmos: { readonly endpoint: string; readonly key: Secret; readonly databaseId: string } | null;
    readonly serviceBus: { readonly connectionString: Secret } | null;
    readonly keyVaultUrl: string | null;
  };
}

export interface ResolveContext {
  /** Base for a relative data directory. Default: the current directory. */
  cwd?: string;
  /**
   * Where each key's value came from (`TRIBUTARY_PORT`, `--port`, `port in ./tributary.json`),
   * so that an error names the thing the operator actually wrote. Default: the key's name.
   */
  labels?: Partial<Record<keyof TributaryOptions, string>>;
}

const DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  dataDir: './data',
  logLevel: 'info',
  demo: true,
  shutdownTimeoutMs: 10_000,
  allowPrivateEgress: false,
  tokenRefreshIntervalMs: 6 * 3_600_000,
  tokenRefreshWindowMs: 3_600_000,
  metricsAuth: 'none',
  redisPrefix: 'tributary',
  leaderLeaseMs: 15_000,
} as const satisfies TributaryOptions;

/**
 * Validates user options, applies defaults (which live only here) and derives paths.
 * Throws `CONFIG_INVALID` whose message is one line naming the key (as the operator
 * wrote it), the problem and what is expected; secret values are never in it.
 */
export function resolveConfig(options: TributaryOptions, context: ResolveContext = {}): ResolvedConfig {
  validateOptions(options, context.labels ?? {});
  requireRedisForPostgres(options, context.labels ?? {});

  const dataDir = resolvePath(context.cwd ?? process.cwd(), options.dataDir ?? DEFAULTS.dataDir);
  const server = { port: options.port ?? DEFAULTS.port, host: options.host ?? DEFAULTS.host };
  const config: ResolvedConfig = {
    server,
    dataDir,
    store: options.databaseUrl === undefined
      ? { kind: 'sqlite', path: join(dataDir, 'tributary.db'), display: join(dataDir, 'tributary.db') }
      : { kind: 'postgres', url: new Secret(options.databaseUrl), schema: options.databaseSchema ?? null, display: withoutPassword(options.databaseUrl) + (options.databaseSchema === undefined ? '' : ` (schema ${options.databaseSchema})`) },
    redis: options.redisUrl === undefined
      ? null
      : { url: new Secret(options.redisUrl), prefix: options.redisPrefix ?? DEFAULTS.redisPrefix, display: withoutPassword(options.redisUrl) },
    vault: {
      masterKey: options.masterKey === undefined ? null : new Secret(options.masterKey),
      masterKeyFile: resolvePath(context.cwd ?? process.cwd(), options.masterKeyFile ?? join(dataDir, 'master.key')),
      // Processes on a SQLite store share its data directory, and so the file (created once, race-free).
      createFile: options.databaseUrl === undefined,
    },
    auth: { adminKey: options.adminKey === undefined ? null : new Secret(options.adminKey) },
    roles: options.roles === undefined ? [...ROLE_NAMES] : (options.roles as RoleName[]).slice(),
    log: { level: options.logLevel ?? DEFAULTS.logLevel },
    // The demo's sandbox lives in the process that starts it: one per process makes no sense in a cluster.
    demo: options.demo ?? (options.redisUrl === undefined ? DEFAULTS.demo : false),
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
    connections: {
      allowPrivateEgress: options.allowPrivateEgress ?? DEFAULTS.allowPrivateEgress,
      publicUrl: options.publicUrl ?? defaultPublicUrl(server),
      oauthClients: Object.fromEntries(
        Object.entries(options.oauthClients ?? {}).map(([provider, client]) => [provider, { clientId: client.clientId, clientSecret: new Secret(client.clientSecret) }]),
      ),
    },
    tokenRefresher: {
      intervalMs: options.tokenRefreshIntervalMs ?? DEFAULTS.tokenRefreshIntervalMs,
      windowMs: options.tokenRefreshWindowMs ?? DEFAULTS.tokenRefreshWindowMs,
    },
    metrics: { auth: options.metricsAuth ?? DEFAULTS.metricsAuth },
    observability: {
      operatorChannel: options.operatorWebhookUrl === undefined ? null : { kind: options.operatorChannelKind ?? 'slack_webhook', url: new Secret(options.operatorWebhookUrl) },
      alerts: { thresholds: { ...DEFAULT_ALERT_THRESHOLDS, ...(options.alertThresholds ?? {}) }, intervalMs: options.alertIntervalMs ?? 60_000 },
      tracing: { otlpEndpoint: options.otlpEndpoint ?? null },
    },
    rateLimitHistory: resolveRateLimitHistory(options, context.labels ?? {}),
    retention: { purgeIntervalMs: options.retentionPurgeIntervalMs ?? 3_600_000 },
    workers: { leaseMs: options.workerLeaseMs ?? null },
    leader: { leaseMs: options.leaderLeaseMs ?? DEFAULTS.leaderLeaseMs },
    azure: resolveAzure(options, context.labels ?? {}),
  };
  return deepFreeze(config);
}

/** Without TRIBUTARY_PUBLIC_URL: this machine at the configured port (a wildcard host is not an address to browse to). */
function defaultPublicUrl(server: { port: number; host: string }): string {
  const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}

/** A `CONFIG_INVALID` error whose message is the one line to print. */
export function configError(label: string, problem: string): TributaryError {
  return new TributaryError('CONFIG_INVALID', `Invalid configuration: ${label} ${problem}`, { field: label });
}

function validateOptions(options: TributaryOptions, labels: ResolveContext['labels'] & object): void {
  const first = Value.Errors(TributaryOptionsSchema, options)[0];
  if (first === undefined) return;
  const [name, index] = first.instancePath.split('/').slice(1);
  const key = name === undefined ? undefined : CONFIG_KEYS_BY_NAME.get(name);
  if (key === undefined) {
    const unknown = first.keyword === 'additionalProperties' ? String((first.params as { additionalProperties?: unknown }).additionalProperties) : name;
    throw configError(`"${unknown ?? '?'}"`, `is not a configuration key (expected one of: ${CONFIG_KEYS.map((k) => k.name).join(', ')})`);
  }
  const label = labels[key.name] ?? key.name;
  const value = options[key.name];
  throw configError(label, describeProblem(key, value, index));
}

function describeProblem(key: ConfigKey, value: unknown, index: string | undefined): string {
  if (key.secret) return `must be ${key.expected} (the value is secret and not shown)`;
  if (key.name === 'roles' && Array.isArray(value) && index !== undefined) {
    const item: unknown = value[Number(index)];
    if (typeof item === 'string' && !(ROLE_NAMES as readonly string[]).includes(item)) {
      return `names an unknown role ${show(item)} (expected ${key.expected})`;
    }
  }
  return `must be ${key.expected} (got ${show(value)})`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The store alone cannot be shared without Redis: PostgreSQL brings no queue or locks of
 * its own here (BullMQ and Redis locks do that job), so a database URL without a Redis
 * URL is refused rather than half a cluster started. Redis alone is fine: processes on
 * one machine share the SQLite file and the queue, locks and counters in Redis.
 */
function requireRedisForPostgres(options: TributaryOptions, labels: ResolveContext['labels'] & object): void {
  if (options.databaseUrl === undefined || options.redisUrl !== undefined) return;
  throw configError(
    labels.databaseUrl ?? 'databaseUrl',
    'is set but TRIBUTARY_REDIS_URL is not (expected both: cluster mode keeps the store in PostgreSQL and the job queue, locks and rate-limit counters in Redis)',
  );
}

/** A connection URL fit for logs and messages: the password replaced by `***`. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The usage history's interval and retention: a sample must outlive the interval it stands for. */
function resolveRateLimitHistory(options: TributaryOptions, labels: ResolveContext['labels'] & object): ResolvedConfig['rateLimitHistory'] {
  const intervalMs = options.rateLimitHistoryIntervalMs ?? DEFAULT_RATE_LIMIT_HISTORY.intervalMs;
  const retentionMs = options.rateLimitHistoryRetentionMs ?? DEFAULT_RATE_LIMIT_HISTORY.retentionMs;
  if (retentionMs < intervalMs) {
    const name = 'rateLimitHistoryRetentionMs';
    throw configError(labels[name] ?? name, `is shorter than the sampling interval (${intervalMs} ms; expected at least that)`);
  }
  return { intervalMs, retentionMs };
}

/**
 * Azure mode's backends. Cosmos DB and Service Bus bring no locks or rate-limit counters:
 * those stay on Redis (Azure Cache for Redis), so either needs TRIBUTARY_REDIS_URL, and
 * the Cosmos DB endpoint needs its key.
 */
function resolveAzure(options: TributaryOptions, labels: ResolveContext['labels'] & object): ResolvedConfig['azure'] {
  if ((options.cosmosEndpoint !== undefined || options.serviceBusConnectionString !== undefined) && options.redisUrl === undefined) {
    const name = options.cosmosEndpoint !== undefined ? 'cosmosEndpoint' : 'serviceBusConnectionString';
    throw configError(labels[name] ?? name, 'is set but TRIBUTARY_REDIS_URL is not (Azure mode keeps locks and rate-limit counters in Azure Cache for Redis)');
  }
  if (options.cosmosEndpoint !== undefined && options.cosmosKey === undefined) {
    throw configError(labels.cosmosEndpoint ?? 'cosmosEndpoint', 'is set but TRIBUTARY_COSMOS_KEY is not');
  }
  return {
    cosmos: options.cosmosEndpoint === undefined || options.cosmosKey === undefined
      ? null
      : { endpoint: options.cosmosEndpoint, key: new Secret(options.cosmosKey), databaseId: options.cosmosDatabase ?? 'tributary' },
    serviceBus: options.serviceBusConnectionString === undefined ? null : { connectionString: new Secret(options.serviceBusConnectionString) },
    keyVaultUrl: options.keyVaultUrl ?? null,
  };
}
