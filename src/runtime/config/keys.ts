import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import type { ProviderId } from '../../providers/provider.ts';
import { ROLE_NAMES } from '../roles/names.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Who may read `GET /metrics`: anyone who reaches the port, or only admin keys. */
export const METRICS_AUTH_MODES = ['none', 'admin'] as const;
export type MetricsAuth = (typeof METRICS_AUTH_MODES)[number];

/** How a raw string (env var, CLI flag) becomes a typed value before validation. */
type StringParser = 'string' | 'integer' | 'boolean' | 'list' | 'json';

/**
 * One configuration key. The same key can come from the config file (`name`), an env
 * var (`env`) and a CLI flag (`flag`); later sources win: defaults < file < env < flags.
 */
export interface ConfigKey {
  /** The key's name in the JSON config file and in `TributaryOptions`. */
  readonly name: keyof TributaryOptions;
  readonly env: string;
  readonly flag: string | null;
  readonly schema: TSchema;
  readonly parse: StringParser;
  /** Completes "must be …" in error messages: what a valid value looks like. */
  readonly expected: string;
  /** Secret values are never printed, not even when invalid. */
  readonly secret: boolean;
  /** Shown in the README's configuration table. */
  readonly defaultText: string;
  readonly doc: string;
}

/**
 * User input, from any source, before defaults and derivation. Every field optional;
 * `resolveConfig()` turns it into a `ResolvedConfig`.
 */
export interface TributaryOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  roles?: readonly string[];
  adminKey?: string;
  masterKey?: string;
  logLevel?: LogLevel;
  demo?: boolean;
  shutdownTimeoutMs?: number;
  publicUrl?: string;
  allowPrivateEgress?: boolean;
  oauthClients?: Partial<Record<ProviderId, { clientId: string; clientSecret: string }>>;
  tokenRefreshIntervalMs?: number;
  tokenRefreshWindowMs?: number;
  databaseUrl?: string;
  databaseSchema?: string;
  redisUrl?: string;
  redisPrefix?: string;
  masterKeyFile?: string;
  workerLeaseMs?: number;
  leaderLeaseMs?: number;
  metricsAuth?: MetricsAuth;
  cosmosEndpoint?: string;
  cosmosKey?: string;
  cosmosDatabase?: string;
  serviceBusConnectionString?: string;
  keyVaultUrl?: string;
  operatorWebhookUrl?: string;
  operatorChannelKind?: OperatorChannelKind;
  alertThresholds?: Partial<Record<(typeof ALERT_THRESHOLD_NAMES)[number], number>>;
  alertIntervalMs?: number;
  rateLimitHistoryIntervalMs?: number;
  rateLimitHistoryRetentionMs?: number;
  retentionPurgeIntervalMs?: number;
  otlpEndpoint?: string;
}

/** The operator channel's kind: a Slack incoming webhook or a Teams Workflows webhook. */
export const OPERATOR_CHANNEL_KINDS = ['slack_webhook', 'teams_workflow'] as const;
export type OperatorChannelKind = (typeof OPERATOR_CHANNEL_KINDS)[number];
/** The thresholds `TRIBUTARY_ALERT_THRESHOLDS` may set (observability/alerts/rules.ts). */
export const ALERT_THRESHOLD_NAMES = ['errorRate', 'syncLatencyP95Seconds', 'queueDepth', 'tokenRefreshFailureRate', 'webhookSignatureFailuresPerMinute', 'minSamples', 'minRefreshes'] as const;

const roleList = ROLE_NAMES.join(', ');

/** The providers an operator can configure an OAuth client for. */
export const OAUTH_PROVIDERS = ['salesforce', 'notion', 'slack', 'github', 'google'] as const satisfies readonly ProviderId[];

const OAuthClient = Type.Object(
  { clientId: Type.String({ minLength: 1, maxLength: 512 }), clientSecret: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);

const DAY_MS = 86_400_000;

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'port',
    env: 'TRIBUTARY_PORT',
    flag: '--port',
    schema: Type.Integer({ minimum: 0, maximum: 65535 }),
    parse: 'integer',
    expected: 'an integer from 0 to 65535',
    secret: false,
    defaultText: '3000',
    doc: 'HTTP port of the api role; 0 picks a free port (the real one is printed).',
  },
  {
    name: 'host',
    env: 'TRIBUTARY_HOST',
    flag: '--host',
    schema: Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/]+$' }),
    parse: 'string',
    expected: 'a host name or IP address to listen on',
    secret: false,
    defaultText: '127.0.0.1',
    doc: 'Interface to listen on; use 0.0.0.0 in a container.',
  },
  {
    name: 'dataDir',
    env: 'TRIBUTARY_DATA_DIR',
    flag: '--data',
    schema: Type.String({ minLength: 1 }),
    parse: 'string',
    expected: 'a directory path',
    secret: false,
    defaultText: './data',
    doc: 'Where tributary.db and master.key live (created if missing; relative to the current directory).',
  },
  {
    name: 'roles',
    env: 'TRIBUTARY_ROLES',
    flag: '--roles',
    schema: Type.Array(Type.Union(ROLE_NAMES.map((role) => Type.Literal(role))), { minItems: 1, uniqueItems: true }),
    parse: 'list',
    expected: `a comma-separated list of one or more distinct roles: ${roleList}`,
    secret: false,
    defaultText: 'all roles',
    doc: 'Process roles to run in this process.',
  },
  {
    name: 'adminKey',
    env: 'TRIBUTARY_ADMIN_KEY',
    flag: null,
    schema: Type.String({ minLength: 16, maxLength: 512, pattern: '^\\S+$' }),
    parse: 'string',
    expected: 'at least 16 characters without spaces',
    secret: true,
    defaultText: 'none',
    doc: 'An operator key accepted as `Authorization: Bearer …` for admin routes. Or use `tributary admin-key create`.',
  },
  {
    name: 'masterKey',
    env: 'TRIBUTARY_MASTER_KEY',
    flag: null,
    schema: Type.String({ minLength: 1, maxLength: 4096 }),
    parse: 'string',
    expected: 'base64 of 32 random bytes (openssl rand -base64 32), or <version>:<base64> entries separated by commas',
    secret: true,
    defaultText: 'generated',
    doc: 'The local vault master key(s). Unset: one is generated on first start into `master.key` in the data directory (mode 0600).',
  },
  {
    name: 'logLevel',
    env: 'TRIBUTARY_LOG_LEVEL',
    flag: '--log-level',
    schema: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level))),
    parse: 'string',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    secret: false,
    defaultText: 'info',
    doc: 'JSON log level (logs go to stdout).',
  },
  {
    name: 'demo',
    env: 'TRIBUTARY_DEMO',
    flag: '--no-demo',
    schema: Type.Boolean(),
    parse: 'boolean',
    expected: 'true or false',
    secret: false,
    defaultText: 'true',
    doc: 'Start the demo with the platform: the sandbox in-process, a "Demo company" tenant connected to all five providers, syncing on a schedule.',
  },
  {
    name: 'shutdownTimeoutMs',
    env: 'TRIBUTARY_SHUTDOWN_TIMEOUT_MS',
    flag: null,
    schema: Type.Integer({ minimum: 100, maximum: 10_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 100 to 10000',
    secret: false,
    defaultText: '10000',
    doc: 'On SIGTERM/SIGINT, how long a graceful shutdown may take before the process exits with code 1.',
  },
  {
    name: 'publicUrl',
    env: 'TRIBUTARY_PUBLIC_URL',
    flag: '--public-url',
    schema: Type.String({ pattern: '^https?://[^\\s/]+(/\\S*)?$', maxLength: 2048 }),
    parse: 'string',
    expected: 'an http:// or https:// URL',
    secret: false,
    defaultText: 'http://HOST:PORT',
    doc: 'Where browsers reach this server; OAuth redirects come back to `<publicUrl>/v1/oauth/callback`.',
  },
  {
    name: 'allowPrivateEgress',
    env: 'TRIBUTARY_ALLOW_PRIVATE_EGRESS',
    flag: null,
    schema: Type.Boolean(),
    parse: 'boolean',
    expected: 'true or false',
    secret: false,
    defaultText: 'false',
    doc: 'Let connections reach loopback, private and link-local addresses (the sandbox, tests, the demo). Keep it off in production.',
  },
  {
    name: 'oauthClients',
    env: 'TRIBUTARY_OAUTH_CLIENTS',
    flag: null,
    schema: Type.Object(Object.fromEntries(OAUTH_PROVIDERS.map((provider) => [provider, Type.Optional(OAuthClient)])), { additionalProperties: false }),
    parse: 'json',
    expected: `a JSON object mapping providers (${OAUTH_PROVIDERS.join(', ')}) to {"clientId", "clientSecret"}`,
    secret: true,
    defaultText: 'none',
    doc: 'Your OAuth app of each provider, as JSON: `{"github": {"clientId": "…", "clientSecret": "…"}}`.',
  },
  {
    name: 'tokenRefreshIntervalMs',
    env: 'TRIBUTARY_TOKEN_REFRESH_INTERVAL_MS',
    flag: null,
    schema: Type.Integer({ minimum: 1_000, maximum: 7 * DAY_MS }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 1000 to 604800000 (7 days)',
    secret: false,
    defaultText: '21600000 (6 h)',
    doc: 'How often the token-refresher role looks for credentials about to expire.',
  },
  {
    name: 'tokenRefreshWindowMs',
    env: 'TRIBUTARY_TOKEN_REFRESH_WINDOW_MS',
    flag: null,
    schema: Type.Integer({ minimum: 1_000, maximum: 7 * DAY_MS }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 1000 to 604800000 (7 days)',
    secret: false,
    defaultText: '3600000 (60 min)',
    doc: 'A refresher pass refreshes the credentials that expire within this window.',
  },
  {
    name: 'databaseUrl',
    env: 'TRIBUTARY_DATABASE_URL',
    flag: null,
    schema: Type.String({ pattern: '^postgres(ql)?://\\S+$' }),
    parse: 'string',
    expected: 'a postgres:// URL',
    secret: true,
    defaultText: 'unset',
    doc: 'Cluster mode: the Store on this PostgreSQL database instead of SQLite (needs TRIBUTARY_REDIS_URL too; the password is never logged).',
  },
  {
    name: 'databaseSchema',
    env: 'TRIBUTARY_DATABASE_SCHEMA',
    flag: null,
    schema: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' }),
    parse: 'string',
    expected: 'a PostgreSQL schema name (letters, digits, underscores)',
    secret: false,
    defaultText: "the server's search_path",
    doc: 'Cluster mode: the schema that holds the tables (it must exist); several deployments can share one database.',
  },
  {
    name: 'redisUrl',
    env: 'TRIBUTARY_REDIS_URL',
    flag: null,
    schema: Type.String({ pattern: '^rediss?://\\S+$' }),
    parse: 'string',
    expected: 'a redis:// or rediss:// URL',
    secret: true,
    defaultText: 'unset',
    doc: 'Cluster mode: the job queue (BullMQ), locks and rate-limit counters on this Redis (the password is never logged).',
  },
  {
    name: 'redisPrefix',
    env: 'TRIBUTARY_REDIS_PREFIX',
    flag: null,
    schema: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    parse: 'string',
    expected: 'letters, digits, _ or - (1 to 64)',
    secret: false,
    defaultText: 'tributary',
    doc: 'Cluster mode: the prefix of every Redis key; processes of one deployment share it, other deployments on the same Redis use another.',
  },
  {
    name: 'masterKeyFile',
    env: 'TRIBUTARY_MASTER_KEY_FILE',
    flag: null,
    schema: Type.String({ minLength: 1 }),
    parse: 'string',
    expected: 'a file path',
    secret: false,
    defaultText: '<data dir>/master.key',
    doc: 'The local vault key file (when TRIBUTARY_MASTER_KEY is unset). With TRIBUTARY_DATABASE_URL it is never created: every process must read the same keys.',
  },
  {
    name: 'workerLeaseMs',
    env: 'TRIBUTARY_WORKER_LEASE_MS',
    flag: null,
    schema: Type.Integer({ minimum: 1_000, maximum: 600_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 1000 to 600000',
    secret: false,
    defaultText: '120000 pulls, 60000 webhook events',
    doc: "Workers' job leases (renewed while they run): a worker that dies gives its jobs and integrations back within about twice this.",
  },
  {
    name: 'leaderLeaseMs',
    env: 'TRIBUTARY_LEADER_LEASE_MS',
    flag: null,
    schema: Type.Integer({ minimum: 1_000, maximum: 600_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 1000 to 600000',
    secret: false,
    defaultText: '15000',
    doc: 'Leader lease of the singleton roles (scheduler, token-refresher), renewed every third of it: another process takes over within this after the leader dies.',
  },
  {
    name: 'operatorWebhookUrl',
    env: 'TRIBUTARY_OPERATOR_WEBHOOK_URL',
    flag: null,
    schema: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    parse: 'string',
    expected: 'an http(s) URL',
    secret: true,
    defaultText: 'none',
    doc: 'The operator channel: a Slack incoming-webhook or Teams Workflows URL where operator alerts go. Unset: alerts are logged only.',
  },
  {
    name: 'operatorChannelKind',
    env: 'TRIBUTARY_OPERATOR_CHANNEL_KIND',
    flag: null,
    schema: Type.Union(OPERATOR_CHANNEL_KINDS.map((kind) => Type.Literal(kind))),
    parse: 'string',
    expected: `one of ${OPERATOR_CHANNEL_KINDS.join(', ')}`,
    secret: false,
    defaultText: 'slack_webhook',
    doc: 'What the operator channel URL is: `slack_webhook` or `teams_workflow`.',
  },
  {
    name: 'alertThresholds',
    env: 'TRIBUTARY_ALERT_THRESHOLDS',
    flag: null,
    schema: Type.Object(Object.fromEntries(ALERT_THRESHOLD_NAMES.map((name) => [name, Type.Optional(Type.Number({ minimum: 0 }))])), { additionalProperties: false }),
    parse: 'json',
    expected: `a JSON object of non-negative numbers (${ALERT_THRESHOLD_NAMES.join(', ')})`,
    secret: false,
    defaultText: 'see docs/observability.md',
    doc: 'Operator alert thresholds, as JSON; absent ones keep their default: `{"errorRate": 0.01, "syncLatencyP95Seconds": 5, "queueDepth": 1000, "tokenRefreshFailureRate": 0.1, "webhookSignatureFailuresPerMinute": 5}`.',
  },
  {
    name: 'alertIntervalMs',
    env: 'TRIBUTARY_ALERT_INTERVAL_MS',
    flag: null,
    schema: Type.Integer({ minimum: 1_000, maximum: 3_600_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 1000 to 3600000',
    secret: false,
    defaultText: '60000',
    doc: 'How often each process evaluates the operator alerts over its own metrics.',
  },
  {
    name: 'rateLimitHistoryIntervalMs',
    env: 'TRIBUTARY_RATE_LIMIT_HISTORY_INTERVAL_MS',
    flag: null,
    schema: Type.Integer({ minimum: 1_000, maximum: 3_600_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 1000 to 3600000',
    secret: false,
    defaultText: '60000',
    doc: "How often the scheduler role's leader stores each busy rate-limit budget's usage (the rate-limits page's usage over time).",
  },
  {
    name: 'rateLimitHistoryRetentionMs',
    env: 'TRIBUTARY_RATE_LIMIT_HISTORY_RETENTION_MS',
    flag: null,
    schema: Type.Integer({ minimum: 60_000, maximum: 366 * 86_400_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 60000 to 31622400000',
    secret: false,
    defaultText: '604800000 (7 days)',
    doc: 'How long rate-limit usage samples are kept before the TTL purge removes them.',
  },
  {
    name: 'retentionPurgeIntervalMs',
    env: 'TRIBUTARY_RETENTION_PURGE_INTERVAL_MS',
    flag: null,
    schema: Type.Integer({ minimum: 10_000, maximum: 86_400_000 }),
    parse: 'integer',
    expected: 'an integer number of milliseconds from 10000 to 86400000',
    secret: false,
    defaultText: '3600000 (1 hour)',
    doc: "How often the scheduler role's leader deletes rows past their retention (sync results and runs, token refresh and webhook delivery audits, credential access entries, processed intake events, rate-limit samples).",
  },
  {
    name: 'otlpEndpoint',
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    flag: null,
    schema: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    parse: 'string',
    expected: 'an http(s) URL',
    secret: false,
    defaultText: 'unset (tracing off)',
    doc: 'OpenTelemetry traces, exported with OTLP/HTTP to this collector (`/v1/traces` is appended). Unset: no tracing, no cost.',
  },
  {
    name: 'metricsAuth',
    env: 'TRIBUTARY_METRICS_AUTH',
    flag: null,
    schema: Type.Union(METRICS_AUTH_MODES.map((mode) => Type.Literal(mode))),
    parse: 'string',
    expected: `one of ${METRICS_AUTH_MODES.join(', ')}`,
    secret: false,
    defaultText: 'none',
    doc: 'Who may scrape `GET /metrics`: `none` (no key: keep the port private) or `admin` (an admin key as `Authorization: Bearer …`).',
  },
  {
    name: 'cosmosEndpoint',
    env: 'TRIBUTARY_COSMOS_ENDPOINT',
    flag: null,
    schema: Type.String({ pattern: '^https?://\\S+$' }),
    parse: 'string',
    expected: 'an https:// Cosmos DB account endpoint',
    secret: false,
    defaultText: 'unset',
    doc: 'Azure mode: the Store on this Cosmos DB account (needs TRIBUTARY_COSMOS_KEY and TRIBUTARY_REDIS_URL; see docs/deploy-azure.md).',
  },
  {
    name: 'cosmosKey',
    env: 'TRIBUTARY_COSMOS_KEY',
    flag: null,
    schema: Type.String({ minLength: 1 }),
    parse: 'string',
    expected: 'the Cosmos DB account key',
    secret: true,
    defaultText: 'unset',
    doc: 'Azure mode: the Cosmos DB account key (never logged).',
  },
  {
    name: 'cosmosDatabase',
    env: 'TRIBUTARY_COSMOS_DATABASE',
    flag: null,
    schema: Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$' }),
    parse: 'string',
    expected: 'a database id (letters, digits, _ or -)',
    secret: false,
    defaultText: 'tributary',
    doc: 'Azure mode: the Cosmos DB database that holds the containers (created when absent).',
  },
  {
    name: 'serviceBusConnectionString',
    env: 'TRIBUTARY_SERVICEBUS_CONNECTION_STRING',
    flag: null,
    schema: Type.String({ pattern: '^Endpoint=sb://\\S+$' }),
    parse: 'string',
    expected: 'a Service Bus connection string (Endpoint=sb://...)',
    secret: true,
    defaultText: 'unset',
    doc: 'Azure mode: the job queue on this Service Bus namespace instead of BullMQ (needs TRIBUTARY_REDIS_URL for locks and counters; never logged).',
  },
  {
    name: 'keyVaultUrl',
    env: 'TRIBUTARY_KEYVAULT_URL',
    flag: null,
    schema: Type.String({ pattern: '^https://\\S+$' }),
    parse: 'string',
    expected: 'an https:// Key Vault URL',
    secret: false,
    defaultText: 'unset',
    doc: 'Azure mode: secrets in this Key Vault (managed identity in Azure, DefaultAzureCredential locally) instead of the local vault.',
  },
];

export const CONFIG_KEYS_BY_NAME: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((key) => [key.name, key]));

/** The JSON Schema of `TributaryOptions` (and so of the config file). */
export const TributaryOptionsSchema = Type.Object(
  Object.fromEntries(CONFIG_KEYS.map((key) => [key.name, Type.Optional(key.schema)])),
  { additionalProperties: false },
);

/** The env var that names the config file, and its flag. Not a key inside the file. */
export const CONFIG_FILE_ENV = 'TRIBUTARY_CONFIG';
export const CONFIG_FILE_FLAG = '--config';
