import type {
  BudgetObservation,
  CounterState,
  CounterTake,
  RateLimitBackend,
  TakeResult,
} from '../../ports/rate-limit-backend.ts';
import { applyWindow, checkWindow, newWindowCounter, type WindowCounter } from './rate-limit-window.ts';

/** Same-window tolerance for a fixed window's reset as two observations report it (s rounding). */
const SAME_RESET_MS = 1_500;

/**
 * Counters in this process only: the embedded mode's backend and the fallback when Redis
 * cannot be reached. Every operation is synchronous inside, so `take` is atomic across
 * counters. Contract: ports/rate-limit-backend.ts.
 */
export class MemoryRateLimitBackend implements RateLimitBackend {
  readonly name = 'memory';
  readonly #windows = new Map<string, WindowCounter>();
  /** key -> lease id -> expiry. */
  readonly #leases = new Map<string, Map<string, number>>();
  readonly #multipliers = new Map<string, number>();
  readonly #overrides = new Map<string, string>();
  readonly #registry = new Map<string, string>();

  async take(takes: readonly CounterTake[], leaseId: string, now: number): Promise<TakeResult> {
    return this.takeSync(takes, leaseId, now);
  }

  /** `take` without the promise, for the limiter's overhead benchmark and the fallback. */
  takeSync(takes: readonly CounterTake[], leaseId: string, now: number): TakeResult {
    const states: CounterState[] = [];
    const overlayActive: boolean[] = [];
    let blocked = -1;
    let retryAfterMs = 0;
    for (const [i, take] of takes.entries()) {
      if (take.kind === 'window') {
        const check = checkWindow(this.#window(take.key), take.limit, take.scale, take.windowMs, take.cost, now);
        states.push(check.state);
        overlayActive.push(check.overlayActive);
        if (check.waitMs > 0 && blocked < 0) {
          blocked = i;
          retryAfterMs = check.waitMs;
        }
      } else {
        const state = this.#concurrency(take.key, take.limit, now);
        states.push(state);
        overlayActive.push(false);
        if (state.used + 1 > state.limit && blocked < 0) {
          blocked = i;
          retryAfterMs = Math.max(1, Math.min(100, state.resetsAt - now));
        }
      }
    }
    if (blocked >= 0) return { ok: false, blocked, retryAfterMs, states };
    const after: CounterState[] = [];
    for (const [i, take] of takes.entries()) {
      const state = states[i] as CounterState;
      if (take.kind === 'window') {
        applyWindow(this.#window(take.key), take.windowMs, take.cost, take.observed, overlayActive[i] === true, now);
        after.push({ ...state, used: state.used + take.cost });
      } else {
        let leases = this.#leases.get(take.key);
        if (leases === undefined) this.#leases.set(take.key, (leases = new Map()));
        leases.set(leaseId, now + take.leaseMs);
        after.push({ ...state, used: state.used + 1 });
      }
    }
    return { ok: true, states: after };
  }

  async release(keys: readonly string[], leaseId: string): Promise<void> {
    for (const key of keys) this.#leases.get(key)?.delete(leaseId);
  }

  async settle(key: string): Promise<void> {
    const counter = this.#windows.get(key);
    if (counter !== undefined) counter.pending = Math.max(0, counter.pending - 1);
  }

  async observe(key: string, observation: BudgetObservation, settle: boolean, now: number): Promise<void> {
    const counter = this.#window(key);
    if (settle) counter.pending = Math.max(0, counter.pending - 1);
    const current = counter.overlay;
    const sameWindow =
      !observation.rolling && current !== null && current.resetsAt > now && Math.abs(current.resetsAt - observation.resetsAt) <= SAME_RESET_MS;
    // Within one fixed window the provider's count only grows: an answer overtaken by a
    // later one cannot lower it. Calls still in flight (pending) come on top.
    const reported = sameWindow ? Math.max(current.reported, observation.used) : observation.used;
    counter.overlay = { limit: observation.limit, used: reported + counter.pending, reported, resetsAt: observation.resetsAt };
  }

  async block(key: string, until: number): Promise<void> {
    const counter = this.#window(key);
    counter.blockedUntil = Math.max(counter.blockedUntil, until);
  }

  async peek(key: string, limit: number, scale: number, windowMs: number, now: number): Promise<CounterState> {
    return checkWindow(this.#window(key), limit, scale, windowMs, 0, now).state;
  }

  async peekConcurrency(key: string, limit: number, now: number): Promise<CounterState> {
    return this.#concurrency(key, limit, now);
  }

  async reset(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.#windows.delete(key);
      this.#leases.delete(key);
    }
  }

  async getMultiplier(connectionId: string): Promise<number | null> {
    return this.#multipliers.get(connectionId) ?? null;
  }

  async setMultiplier(connectionId: string, value: number): Promise<void> {
    this.#multipliers.set(connectionId, value);
  }

  async getOverrides(): Promise<Record<string, string>> {
    return Object.fromEntries(this.#overrides);
  }

  async setOverride(scope: string, value: string | null): Promise<void> {
    if (value === null) this.#overrides.delete(scope);
    else this.#overrides.set(scope, value);
  }

  async register(key: string, meta: string): Promise<void> {
    this.#registry.set(key, meta);
  }

  async registry(): Promise<Record<string, string>> {
    return Object.fromEntries(this.#registry);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  #window(key: string): WindowCounter {
    let counter = this.#windows.get(key);
    if (counter === undefined) this.#windows.set(key, (counter = newWindowCounter()));
    return counter;
  }

  #concurrency(key: string, limit: number, now: number): CounterState {
    const leases = this.#leases.get(key);
    let used = 0;
    let soonest = Number.POSITIVE_INFINITY;
    if (leases !== undefined) {
      for (const [id, expiresAt] of leases) {
        if (expiresAt <= now) leases.delete(id);
        else {
          used += 1;
          soonest = Math.min(soonest, expiresAt);
        }
      }
    }
    return { used, limit, resetsAt: Number.isFinite(soonest) ? soonest : now };
  }
}
