import type { EgressPolicy } from '../connections/index.ts';
import { TributaryError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Logger } from '../ports/logger.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';

/** The operator's channel (operator.ts): kind and URL (revealed from the configuration's secret). */
export interface OperatorChannel {
  readonly kind: 'slack_webhook' | 'teams_workflow';
  readonly url: string;
}

/**
 * How a `slack_app` channel reaches Slack: the Web API base (`https://slack.com/api`)
 * and a current bot token of the tenant's Slack connection. Wired by the runtime over
 * the credentials feature; throws (an auth or not-found TributaryError) when the
 * connection cannot post.
 */
export type SlackAppResolver = (tenantId: string, connectionId: string) => Promise<{ readonly apiBaseUrl: string; readonly accessToken: string }>;

/** Host resolution for the egress check (tests pass a fixed table; default: the system resolver). */
export type HostResolver = (host: string) => Promise<string[]>;

/** What the composition root passes in. Everything after `publicUrl` has a default. */
export interface NotificationOptions {
  store: Store;
  secrets: SecretStore;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /**
   * Where people open the admin UI: links are `<publicUrl>/#/integrations/<id>`. A function
   * is read at each delivery (with `--port 0` the port is known only once listening).
   */
  publicUrl: string | (() => string);
  /** The egress policy every tenant-supplied URL passes. */
  egress: EgressPolicy;
  resolveHost?: HostResolver;
  slackApp?: SlackAppResolver;
  /** Default fold window of new rules. Default 10 min. */
  defaultFoldWindowMs?: number;
  /** Consecutive failed deliveries before a channel shows `failing`. Default 3. */
  failingAfter?: number;
  /** Attempts of one delivery job before its dead letter. Default 8. */
  maxAttempts?: number;
  /** One HTTP delivery's timeout. Default 10 s. */
  deliveryTimeoutMs?: number;
  /** Wait after a 429 without Retry-After. Default 30 s. */
  defaultRetryAfterMs?: number;
  /** The fetch used for deliveries (default: the global one). */
  fetch?: typeof fetch;
  /** Where operator alerts go (operator.ts). Default none: alerts are logged only. */
  operatorChannel?: OperatorChannel | null;
}

export interface ResolvedNotificationOptions {
  readonly store: Store;
  readonly secrets: SecretStore;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The public URL as of now, without a trailing slash. */
  readonly publicUrl: () => string;
  readonly egress: EgressPolicy;
  readonly resolveHost: HostResolver | undefined;
  readonly slackApp: SlackAppResolver | undefined;
  readonly defaultFoldWindowMs: number;
  readonly failingAfter: number;
  readonly maxAttempts: number;
  readonly deliveryTimeoutMs: number;
  readonly defaultRetryAfterMs: number;
  readonly fetch: typeof fetch;
  readonly operatorChannel: OperatorChannel | null;
}

function publicUrlReader(publicUrl: string | (() => string)): () => string {
  if (typeof publicUrl === 'string') {
    const fixed = publicUrl.replace(/\/+$/, '');
    return () => fixed;
  }
  return () => publicUrl().replace(/\/+$/, '');
}

/** The one place the defaults live (STYLE.md 10). Throws CONFIG_INVALID on nonsense. */
export function resolveNotificationOptions(options: NotificationOptions): ResolvedNotificationOptions {
  const positive = (field: string, value: number): number => {
    if (!Number.isInteger(value) || value < 1) throw new TributaryError('CONFIG_INVALID', `notifications.${field} must be a positive integer`, { field });
    return value;
  };
  return Object.freeze({
    store: options.store,
    secrets: options.secrets,
    queue: options.queue,
    clock: options.clock,
    logger: options.logger,
    publicUrl: publicUrlReader(options.publicUrl),
    egress: options.egress,
    resolveHost: options.resolveHost,
    slackApp: options.slackApp,
    defaultFoldWindowMs: positive('defaultFoldWindowMs', options.defaultFoldWindowMs ?? 600_000),
    failingAfter: positive('failingAfter', options.failingAfter ?? 3),
    maxAttempts: positive('maxAttempts', options.maxAttempts ?? 8),
    deliveryTimeoutMs: positive('deliveryTimeoutMs', options.deliveryTimeoutMs ?? 10_000),
    defaultRetryAfterMs: positive('defaultRetryAfterMs', options.defaultRetryAfterMs ?? 30_000),
    fetch: options.fetch ?? globalThis.fetch,
    operatorChannel: options.operatorChannel ?? null,
  });
}
