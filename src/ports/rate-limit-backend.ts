/**
 * Where the rate limiter keeps its counters: in process (one process's budget) or in
 * Redis (one budget shared by every process). The limiter (src/ratelimit) decides which
 * counters a call needs; a backend only counts.
 *
 * Counting model, the same in every backend:
 * - A window counter is a conservative sliding window: the window is split into
 *   `RATE_WINDOW_BUCKETS` buckets, and every bucket that overlaps the last `windowMs` counts
 *   in full, so no interval of `windowMs` ever holds more than the limit (whatever the
 *   provider's own window alignment is). The effective limit is `floor(limit * scale)`.
 * - A counter may be *blocked* until a time (a 429's Retry-After): no take passes before.
 * - A counter may carry an *overlay*: what the provider last said about this budget
 *   (`limit`, how much is used, when it resets). While `now < overlay reset` the overlay
 *   decides instead of the sliding window: the provider's remaining and reset win over our
 *   own count. `pending` counts takes not yet observed, so an observation of the provider's
 *   count never forgets calls still in flight.
 * - A concurrency counter holds leases (id -> expiry); expired leases free themselves, so a
 *   crashed process cannot hold a slot forever.
 *
 * Atomicity: `take` checks every counter, then takes from all of them or none (one Lua
 * script in Redis, one synchronous step in memory). No refunds are ever needed.
 * Times are ms since the epoch by the caller's clock (`now`), so tests move time.
 * Errors: a backend that cannot be reached rejects with any error; the limiter's
 * degrading wrapper falls back. Deliberately left out: waiting (the limiter queues),
 * priorities, alerts.
 */

/** Buckets per sliding window. Larger is finer (less conservative) and costs more per take. */
export const RATE_WINDOW_BUCKETS = 20;

export interface WindowTake {
  readonly kind: 'window';
  readonly key: string;
  /** The configured budget per window, before `scale`. */
  readonly limit: number;
  /** Adaptive multiplier (and degraded share): effective limit = floor(limit * scale), overlay likewise. */
  readonly scale: number;
  readonly windowMs: number;
  readonly cost: number;
  /** The provider reports this budget: count the take as pending until observed. */
  readonly observed: boolean;
}

export interface ConcurrencyTake {
  readonly kind: 'concurrency';
  readonly key: string;
  readonly limit: number;
  /** A lease not released within this time frees itself. */
  readonly leaseMs: number;
}

export type CounterTake = WindowTake | ConcurrencyTake;

/** A counter as it stands: used against the effective limit, and when it next frees room. */
export interface CounterState {
  readonly used: number;
  readonly limit: number;
  /** Epoch ms: when the oldest counted use leaves the window (overlay: the provider's reset). */
  readonly resetsAt: number;
}

export type TakeResult =
  | { readonly ok: true; readonly states: readonly CounterState[] }
  | {
      readonly ok: false;
      /** Index into the takes of the first counter without room. */
      readonly blocked: number;
      /** How long until that counter has room for this take (a lower bound for others). */
      readonly retryAfterMs: number;
      readonly states: readonly CounterState[];
    };

/**
 * What a provider said about one budget (already parsed and resolved to absolute times).
 * The overlay's count becomes the provider's count plus the takes still pending; within
 * one fixed window the highest count the provider reported is kept (answers can arrive
 * out of order), so calls the provider never counted (a GitHub 304) do not pile up.
 */
export interface BudgetObservation {
  readonly limit: number;
  /** Calls the provider says are used in its window (limit - remaining). */
  readonly used: number;
  /** Epoch ms when the provider's window resets. */
  readonly resetsAt: number;
  /**
   * true: the provider's window rolls (Salesforce 24 h) or has no reset, so its count may
   * fall and replaces the last one; false: a fixed window, whose count only grows until
   * its reset.
   */
  readonly rolling: boolean;
}

export interface RateLimitBackend {
  /** Backend name for status and logs: `memory`, `redis`. */
  readonly name: string;
  /** Takes from every counter or from none, atomically. `leaseId` names concurrency leases. */
  take(takes: readonly CounterTake[], leaseId: string, now: number): Promise<TakeResult>;
  /** Releases a concurrency lease (no-op when already expired or released). */
  release(keys: readonly string[], leaseId: string): Promise<void>;
  /** One observed take was answered: pending - 1 (never below 0). */
  settle(key: string): Promise<void>;
  /** Sets the overlay from the provider's figures; `settle` as well when `settle` is true. */
  observe(key: string, observation: BudgetObservation, settle: boolean, now: number): Promise<void>;
  /** Closes the counter until `until` (a 429), whatever the counts say; a later block extends it. */
  block(key: string, until: number, now: number): Promise<void>;
  /** Current state of a window counter without taking. */
  peek(key: string, limit: number, scale: number, windowMs: number, now: number): Promise<CounterState>;
  /** Current count of a concurrency counter. */
  peekConcurrency(key: string, limit: number, now: number): Promise<CounterState>;
  /** Forgets counters (and their overlays). */
  reset(keys: readonly string[]): Promise<void>;
  /** The adaptive multiplier of a connection (the reference's `ratelimit_adaptive:{id}`), or null. */
  getMultiplier(connectionId: string): Promise<number | null>;
  setMultiplier(connectionId: string, value: number): Promise<void>;
  /** Named overrides (JSON text), shared by every process: `PUT /v1/rate-limits/:scope`. */
  getOverrides(): Promise<Record<string, string>>;
  setOverride(scope: string, value: string | null): Promise<void>;
  /** A registry of counters seen (key -> JSON metadata), so any process can report status. */
  register(key: string, meta: string): Promise<void>;
  registry(): Promise<Record<string, string>>;
  /** Resolves when the backend answers; rejects when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
