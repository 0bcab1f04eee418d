import type { Page, PageRequest } from './page.ts';

/**
 * Store repository of the rate limiter's usage history: one sample per budget (counter)
 * per sampling interval, kept until `expiresAt` and removed by `Store.purgeExpired`. See
 * store.ts for the Store contract.
 */

/** The levels a budget belongs to (the limiter's RateLimitLevel, repeated here: ports import no feature). */
export type RateLimitSampleLevel = 'global' | 'provider' | 'tenant' | 'connection' | 'operation';

/** One budget's usage at one sampling time. */
export interface RateLimitSample {
  /** The counter key (`connection:github:core:con_...`): the budget the sample measures. */
  readonly key: string;
  /** ISO time of the sampling interval's start: with `key`, the sample's identity. */
  readonly at: string;
  readonly level: RateLimitSampleLevel;
  readonly kind: 'window' | 'concurrency';
  /** The budget's rule: `core`, `tier3`, `in-flight`, `override`, `global`, ... */
  readonly rule: string;
  readonly provider: string | null;
  /** Null for global and provider budgets, which belong to no tenant (only admins see them). */
  readonly tenantId: string | null;
  readonly connectionId: string | null;
  readonly used: number;
  /** The effective budget then: configured x multiplier, or what the provider reported. */
  readonly limit: number;
  readonly windowMs: number;
  /** ISO time after which `purgeExpired` removes the sample. */
  readonly expiresAt: string;
}

export interface RateLimitHistoryFilter extends PageRequest {
  /** Only this tenant's samples; absent: every tenant's and the tenant-less (global, provider) ones. */
  readonly tenantId?: string;
  readonly connectionId?: string;
  readonly provider?: string;
  readonly level?: RateLimitSampleLevel;
  /** One budget, by counter key. */
  readonly key?: string;
  /** ISO time: samples at or after it. */
  readonly since?: string;
  /** ISO time: samples strictly before it. */
  readonly until?: string;
}

/**
 * Usage samples. `record` is idempotent per (key, at): a sample whose budget and time are
 * already stored is skipped, not overwritten, so two samplers of one interval (a leader
 * hand-over, a replayed tick) store one sample. Each sample is written on its own (no
 * all-or-nothing across a batch). `list` is oldest first, ordered by (at, key), filters
 * combined with AND; it is the one cross-tenant read here (no `tenantId`: all tenants),
 * for admin keys. Deliberately left out: updates and deletes other than by expiry.
 */
export interface RateLimitHistoryRepository {
  /** Stores the samples not yet stored; resolves with how many were new. */
  record(samples: readonly RateLimitSample[]): Promise<number>;
  list(filter?: RateLimitHistoryFilter): Promise<Page<RateLimitSample>>;
}
