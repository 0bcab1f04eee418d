import type { ErrorCategory } from './errors.ts';

/**
 * Retry timing for failed jobs: exponential backoff with full jitter, and the
 * provider's Retry-After for rate limits. Pure: the random source is passed in, so a
 * seeded or fixed source makes every schedule reproducible (STYLE.md 17).
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** No computed delay exceeds this (a rate limit's Retry-After may: it is honoured as given). */
  readonly maxMs: number;
}

/** A float in [0, 1). */
export type Random = () => number;

/**
 * Full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog): a uniform
 * delay in [0, min(maxMs, baseMs * 2^(attempt - 1))). Spreading retries over the whole
 * window keeps failed jobs from retrying in lockstep against a struggling dependency.
 * `attempt` is the attempt that just failed, 1 for the first.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: Random): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.floor(clamp01(random()) * ceiling);
}

/**
 * A rate limit's wait: never earlier than `retryAfterMs`, plus a small jitter (up to a
 * tenth of the wait, at most `baseMs`) so that jobs throttled together do not all
 * return at the same instant.
 */
export function rateLimitDelayMs(retryAfterMs: number, policy: BackoffPolicy, random: Random): number {
  const wait = Math.max(0, Math.ceil(retryAfterMs));
  return wait + Math.floor(clamp01(random()) * Math.min(policy.baseMs, wait / 10));
}

export interface FailedAttempt {
  readonly category: ErrorCategory;
  /** Set by whoever knew (the provider adapter, the limiter); read, never guessed. */
  readonly retryAfterMs?: number | undefined;
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export type RetryDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'dead-letter'; readonly reason: 'not-retryable' | 'attempts-exhausted' };

/**
 * What happens after a failed attempt. `auth`, `permanent` and `bad_data` go straight
 * to the dead letters (retrying cannot help); otherwise the job retries until it has
 * used `maxAttempts`, after `retryAfterMs` for a rate limit that gave one, else after
 * the jittered exponential backoff. Rate-limited attempts count like any other.
 */
export function decideRetry(failure: FailedAttempt, policy: BackoffPolicy, random: Random): RetryDecision {
  if (failure.category === 'auth' || failure.category === 'permanent' || failure.category === 'bad_data') {
    return { kind: 'dead-letter', reason: 'not-retryable' };
  }
  if (failure.attempt >= failure.maxAttempts) return { kind: 'dead-letter', reason: 'attempts-exhausted' };
  if (failure.category === 'rate_limit' && failure.retryAfterMs !== undefined && Number.isFinite(failure.retryAfterMs)) {
    return { kind: 'retry', delayMs: rateLimitDelayMs(failure.retryAfterMs, policy, random) };
  }
  return { kind: 'retry', delayMs: backoffDelayMs(failure.attempt, policy, random) };
}

function clamp01(value: number): number {
  if (!(value > 0)) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
