import type { Clock } from '../ports/clock.ts';
import type { RateLimitHistoryRepository, RateLimitSample } from '../ports/store.ts';
import type { RateLimitAdmin, RateLimitStatusEntry } from './admin.ts';

/** How often budgets are sampled and how long samples are kept (user input; see resolveRateLimitHistoryOptions). */
export interface RateLimitHistoryOptions {
  /** Time between samples, and the bucket a sample's time is rounded down to. Default 60 s. */
  readonly intervalMs?: number;
  /** How long a sample is kept before `purgeExpired` removes it. Default 7 days. */
  readonly retentionMs?: number;
}

export interface ResolvedRateLimitHistoryOptions {
  readonly intervalMs: number;
  readonly retentionMs: number;
}

export const DEFAULT_RATE_LIMIT_HISTORY: ResolvedRateLimitHistoryOptions = Object.freeze({ intervalMs: 60_000, retentionMs: 7 * 86_400_000 });

/** Defaults applied and checked: an interval from 1 s to 1 h, a retention of at least one interval. */
export function resolveRateLimitHistoryOptions(options: RateLimitHistoryOptions = {}): ResolvedRateLimitHistoryOptions {
  const intervalMs = options.intervalMs ?? DEFAULT_RATE_LIMIT_HISTORY.intervalMs;
  const retentionMs = options.retentionMs ?? DEFAULT_RATE_LIMIT_HISTORY.retentionMs;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1_000 || intervalMs > 3_600_000) throw new RangeError('intervalMs must be an integer from 1000 to 3600000');
  if (!Number.isSafeInteger(retentionMs) || retentionMs < intervalMs) throw new RangeError('retentionMs must be an integer of at least intervalMs');
  return Object.freeze({ intervalMs, retentionMs });
}

/** The start of the sampling interval holding `now` (epoch ms): every sampler of one interval stamps the same time. */
export function sampleTime(now: number, intervalMs: number): number {
  return Math.floor(now / intervalMs) * intervalMs;
}

/**
 * The samples worth storing from one status reading taken in the interval starting at
 * `at`. Idle budgets are skipped (the registry keeps every budget ever used, most of them
 * idle, and a stored zero per budget per minute would dwarf the useful rows), except for
 * the first idle reading after a busy one, so a chart shows usage falling back to zero.
 * `lastUsed`: each budget's `used` in the previous sample this sampler stored. Pure.
 */
export function samplesToStore(entries: readonly RateLimitStatusEntry[], at: number, retentionMs: number, lastUsed: ReadonlyMap<string, number>): RateLimitSample[] {
  const atIso = new Date(at).toISOString();
  const expiresAt = new Date(at + retentionMs).toISOString();
  return entries
    .filter((entry) => entry.used > 0 || (lastUsed.get(entry.key) ?? 0) > 0)
    .map((entry) => ({
      key: entry.key, at: atIso, level: entry.level, kind: entry.kind, rule: entry.rule, provider: entry.provider, tenantId: entry.tenantId,
      connectionId: entry.connectionId, used: entry.used, limit: entry.limit, windowMs: entry.windowMs, expiresAt,
    }));
}

export interface RateLimitHistorySamplerOptions extends RateLimitHistoryOptions {
  /** Where the budgets are read: the backend's registry, so any process sees every process's counters (cluster: Redis). */
  readonly admin: Pick<RateLimitAdmin, 'status'>;
  readonly history: RateLimitHistoryRepository;
  readonly clock: Clock;
}

/**
 * Reads every budget's usage and stores it as one sample per budget per interval (the
 * usage-over-time the rate-limits page charts). `sample()` is one pass; the runtime calls
 * it every `intervalMs` in one process at a time. Samples are keyed by (budget, interval
 * start), so a pass repeated within an interval, or by a second process during a leader
 * hand-over, stores nothing new.
 */
export class RateLimitHistorySampler {
  readonly options: ResolvedRateLimitHistoryOptions;
  readonly #admin: Pick<RateLimitAdmin, 'status'>;
  readonly #history: RateLimitHistoryRepository;
  readonly #clock: Clock;
  /** Each budget's `used` at its last stored sample (for the idle rule of samplesToStore). */
  #lastUsed = new Map<string, number>();

  constructor(options: RateLimitHistorySamplerOptions) {
    this.options = resolveRateLimitHistoryOptions(options);
    this.#admin = options.admin;
    this.#history = options.history;
    this.#clock = options.clock;
  }

  /** One pass: resolves with the samples newly stored. */
  async sample(): Promise<number> {
    const at = sampleTime(this.#clock.now(), this.options.intervalMs);
    const entries = await this.#admin.status();
    const samples = samplesToStore(entries, at, this.options.retentionMs, this.#lastUsed);
    const added = await this.#history.record(samples);
    // Only after the write: a failed pass leaves the idle rule as it was, so the next one retries the drop to zero.
    this.#lastUsed = new Map(samples.filter((s) => s.used > 0).map((s) => [s.key, s.used]));
    return added;
  }
}
