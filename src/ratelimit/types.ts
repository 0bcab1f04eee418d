/**
 * The rate limiter's vocabulary: calls, levels, provider policies, observations, events.
 * Everything here is data; the behaviour lives in the modules beside it.
 */

/** The providers Tributary ships; policies for others can be registered by name. */
export type ProviderName = 'github' | 'salesforce' | 'slack' | 'notion' | 'google';

/** What a call does, for operation-level budgets (GitHub points, search limits, write caps). */
export type OperationKind = 'read' | 'write' | 'search';

/** Who is waiting: webhook-driven work goes first, then people, then the schedule. */
export type WaitPriority = 'webhook' | 'manual' | 'scheduled';

/**
 * The levels a call passes. `connection` budgets belong to the provider account (a
 * GitHub token, a Salesforce org, a Slack workspace, a Notion connection or workspace,
 * a Google user or project); `operation` budgets to one kind of call on it.
 */
export type RateLimitLevel = 'global' | 'provider' | 'tenant' | 'connection' | 'operation';

export const RATE_LIMIT_LEVELS: readonly RateLimitLevel[] = ['global', 'provider', 'tenant', 'connection', 'operation'];

/** One outgoing provider call, as the limiter sees it. */
export interface RateCall {
  readonly provider: string;
  readonly tenantId: string;
  /** Tributary's connection id: one set of credentials of one tenant. */
  readonly connectionId: string;
  /**
   * The provider-side account several connections may share: Salesforce org, Slack team,
   * Notion workspace, Google Cloud project. Absent: the connection is its own account.
   */
  readonly account?: string;
  readonly operation: OperationKind;
  /** Provider method or endpoint: Slack `chat.postMessage`, GitHub `GET /repos/{owner}/{repo}/issues`. */
  readonly endpoint?: string;
}

/** Which counter a policy rule is kept per. */
export type RuleScope = 'connection' | 'account' | 'connection-endpoint' | 'account-endpoint';

/** A budget of `limit` uses per `windowMs` (sliding). */
export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** One budget of a provider's policy. */
export interface PolicyRule extends WindowLimit {
  /** Stable name, part of the counter key: `core`, `points`, `workspace`, `tier3`. */
  readonly name: string;
  readonly level: 'connection' | 'operation';
  readonly per: RuleScope;
  /** Only calls it matches count against it. Default: every call. */
  readonly appliesTo?: (call: RateCall) => boolean;
  /** Cost of a call (GitHub secondary points: reads 1, writes 5). Default 1. */
  readonly cost?: (call: RateCall) => number;
  /**
   * The provider reports this budget in its answers; observations whose `resource`
   * is one of these names adjust it (GitHub `core`/`search`, Salesforce `api-usage`).
   */
  readonly observes?: readonly string[];
  /** The provider's window rolls (Salesforce's 24 h): its count replaces ours. */
  readonly rolling?: boolean;
  /** A limited answer with this `scope` blocks this rule (Notion `workspace`, Google `project`). */
  readonly blockScopes?: readonly string[];
}

/** A cap on calls in flight at once (GitHub: 100 per identity). */
export interface ConcurrencyRule {
  readonly name: string;
  readonly per: 'connection' | 'account';
  readonly limit: number;
  /** A slot not released within this time frees itself (a crashed worker). */
  readonly leaseMs: number;
}

/**
 * A provider's limits as data. Defaults for the five providers are in ./policies; the
 * provider adapters (src/providers/<p>/rate-limits.ts) may supply their own.
 */
export interface RateLimitPolicy {
  readonly provider: string;
  readonly rules: readonly PolicyRule[];
  readonly concurrency: readonly ConcurrencyRule[];
  /** How long a limited answer without any time in it blocks (GitHub secondary: >= 60 s). */
  readonly defaultRetryAfterMs: number;
  /** How long a reported budget without a reset time stays authoritative (Salesforce). */
  readonly observationTtlMs: number;
}

/**
 * What one provider answer says about rate limits, from the pure parsers in ./parse.
 * Times: `resetsAt`/`retryAt` are epoch ms, `retryAfterMs` is relative to when the
 * answer arrived.
 */
export interface RateLimitObservation {
  readonly provider: string;
  readonly status: number;
  /** The provider refused this call for rate or quota reasons. */
  readonly limited: boolean;
  /** Which budget the figures or the refusal are about: `core`, `search`, `api-usage`, `secondary`, ... */
  readonly resource?: string;
  /** Which account level a refusal hit, when the provider says: `connection`, `workspace`, `user`, `project`. */
  readonly scope?: string;
  readonly limit?: number;
  readonly remaining?: number;
  readonly used?: number;
  readonly resetsAt?: number;
  readonly retryAfterMs?: number;
  readonly retryAt?: number;
  /** The provider's own words for it: `rate_limited`, `secondary_rate_limit`, `userRateLimitExceeded`, ... */
  readonly reason?: string;
  /** A 5xx or overload: not a rate refusal, but a reason to slow down. */
  readonly serverError: boolean;
}

interface EventBase {
  /** Epoch ms by the limiter's clock. */
  readonly at: number;
}

/** What the limiter tells notifications. */
export type RateLimitEvent =
  | (EventBase & {
      readonly type: 'ratelimit.threshold';
      readonly threshold: number;
      readonly level: RateLimitLevel;
      readonly key: string;
      readonly provider: string | null;
      readonly tenantId: string | null;
      readonly connectionId: string | null;
      readonly used: number;
      readonly limit: number;
      readonly resetsAt: number;
    })
  | (EventBase & {
      readonly type: 'ratelimit.provider_limited';
      readonly provider: string;
      readonly tenantId: string;
      readonly connectionId: string;
      readonly status: number;
      readonly reason: string | null;
      readonly retryAfterMs: number;
    })
  | (EventBase & { readonly type: 'ratelimit.backend_degraded'; readonly backend: string; readonly reason: string; readonly share: number })
  | (EventBase & { readonly type: 'ratelimit.backend_restored'; readonly backend: string });

/** Where events go; notifications subscribe. Must not throw (a throwing sink is ignored). */
export type RateLimitEventSink = (event: RateLimitEvent) => void;

/** Timers, injected so tests drive waiting without sleeping. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = Object.freeze({
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});
