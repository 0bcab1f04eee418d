import { resolve as resolvePath, join } from 'node:path';
import { Value } from 'typebox/value';
import { TributaryError } from '../../domain/errors.ts';
import type { ProviderId } from '../../providers/provider.ts';
import { ROLE_NAMES } from '../roles/names.ts';
import type { RoleName } from '../roles/names.ts';
import { deepFreeze } from './freeze.ts';
import { CONFIG_KEYS, CONFIG_KEYS_BY_NAME, TributaryOptionsSchema } from './keys.ts';
import type { ConfigKey, LogLevel, MetricsAuth, TributaryOptions } from './keys.ts';
import { Secret } from './secret.ts';

/**
 * The validated, defaulted, frozen configuration. The composition root hands each part
 * only the slice it needs (`config.server` to the api role, `config.vault` to the vault).
 */
export interface ResolvedConfig {
  readonly server: { readonly port: number; readonly host: string };
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  readonly store: { readonly kind: 'sqlite'; readonly path: string };
  readonly vault: { readonly masterKey: Secret | null; readonly masterKeyFile: string };
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
} as const satisfies TributaryOptions;

/**
 * Validates user options, applies defaults (which live only here) and derives paths.
 * Throws `CONFIG_INVALID` whose message is one line naming the key (as the operator
 * wrote it), the problem and what is expected; secret values are never in it.
 */
export function resolveConfig(options: TributaryOptions, context: ResolveContext = {}): ResolvedConfig {
  validateOptions(options, context.labels ?? {});
  rejectClusterMode(options, context.labels ?? {});

  const dataDir = resolvePath(context.cwd ?? process.cwd(), options.dataDir ?? DEFAULTS.dataDir);
  const server = { port: options.port ?? DEFAULTS.port, host: options.host ?? DEFAULTS.host };
  const config: ResolvedConfig = {
    server,
    dataDir,
    store: { kind: 'sqlite', path: join(dataDir, 'tributary.db') },
    vault: {
      masterKey: options.masterKey === undefined ? null : new Secret(options.masterKey),
      masterKeyFile: join(dataDir, 'master.key'),
    },
    auth: { adminKey: options.adminKey === undefined ? null : new Secret(options.adminKey) },
    roles: options.roles === undefined ? [...ROLE_NAMES] : (options.roles as RoleName[]).slice(),
    log: { level: options.logLevel ?? DEFAULTS.logLevel },
    demo: options.demo ?? DEFAULTS.demo,
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

/** The cluster backends are not built yet: say so plainly instead of silently ignoring the setting. */
function rejectClusterMode(options: TributaryOptions, labels: ResolveContext['labels'] & object): void {
  for (const name of ['databaseUrl', 'redisUrl'] as const) {
    if (options[name] === undefined) continue;
    throw configError(
      labels[name] ?? name,
      'is set, but cluster mode (PostgreSQL and Redis) is not yet available (expected it unset; embedded mode keeps everything in the data directory)',
    );
  }
}
