/**
 * The rate limiter (the reference's IntegrationRateLimiter): multi-level budgets per
 * provider, tenant and connection, provider-aware observations, an adaptive multiplier,
 * a prioritised waiting queue, alerts, and graceful degradation between backends.
 *
 * Every provider call:
 *
 *   const permit = await limiter.acquire(call, { priority: 'webhook', timeoutMs: 30_000 });
 *   let observation;
 *   try {
 *     const response = await fetch(...);
 *     observation = parseObservation(call.provider, response.status, response.headers, body);
 *   } finally {
 *     if (observation === undefined) await limiter.release(permit); // no answer: free the slot
 *   }
 *   await limiter.complete(permit, observation); // observe + release
 *
 * Provider adapters may supply their own `RateLimitPolicy` (see ./policies for the
 * defaults) and parsers; the composition root builds the limiter on a backend.
 */
export { RateLimiter, waitOf } from './limiter.ts';
export type { AcquireOptions, RatePermit, RateLimiterOptions } from './limiter.ts';
export { RateLimitAdmin } from './admin.ts';
export type { RateLimitOverride, RateLimitStatusEntry } from './admin.ts';
export { DEFAULT_RATE_LIMIT_HISTORY, RateLimitHistorySampler, resolveRateLimitHistoryOptions, sampleTime, samplesToStore } from './history.ts';
export type { RateLimitHistoryOptions, RateLimitHistorySamplerOptions, ResolvedRateLimitHistoryOptions } from './history.ts';
export { DegradingRateLimitBackend } from './degrading-backend.ts';
export type { DegradingBackendOptions } from './degrading-backend.ts';
export { RateLimitAlerts } from './alerts.ts';
export { DEFAULT_ADAPTIVE, nextMultiplier } from './adaptive.ts';
export type { AdaptiveOptions, CallOutcome } from './adaptive.ts';
export { planCall, ruleKey } from './plan.ts';
export type { CounterMeta, LevelLimits, PlannedCounter } from './plan.ts';
export { checkedLimit, formatScope, parseScope } from './scope.ts';
export type { RateLimitScope } from './scope.ts';
export { WaitQueue } from './wait-queue.ts';
export * from './parse/index.ts';
export * from './policies/index.ts';
export { RATE_LIMIT_LEVELS, realTimers } from './types.ts';
export type * from './types.ts';
export { ManualTimers, settle } from './manual-timers.ts';
export type { SettableClock } from './manual-timers.ts';
