import type { Clock } from '../ports/clock.ts';
import type {
  BudgetObservation,
  CounterState,
  CounterTake,
  RateLimitBackend,
  TakeResult,
} from '../ports/rate-limit-backend.ts';
import type { RateLimitEventSink, Timers } from './types.ts';
import { realTimers } from './types.ts';

export interface DegradingBackendOptions {
  /** The shared backend (Redis). */
  primary: RateLimitBackend;
  /** The in-process backend used while the primary is unreachable. */
  fallback: RateLimitBackend;
  /**
   * Share of every budget this process may use alone while degraded: budget / expected
   * processes, so that N processes falling back together stay within the budget. (0, 1].
   */
  share: number;
  /** How often to try the primary again while degraded. Default 1,000 ms. */
  probeIntervalMs?: number;
  clock: Clock;
  events: RateLimitEventSink;
  timers?: Timers;
}

/**
 * The reference's graceful degradation, as a backend: every operation goes to the
 * primary; the first failure switches to the fallback (limits scaled by `share`), emits
 * `ratelimit.backend_degraded`, and starts probing the primary with `ping`; the first
 * successful probe switches back and emits `ratelimit.backend_restored`. Counts taken
 * during the outage stay in the fallback (the shared budget does not see them); the
 * share is what keeps the processes together within the budget meanwhile.
 */
export class DegradingRateLimitBackend implements RateLimitBackend {
  readonly #primary: RateLimitBackend;
  readonly #fallback: RateLimitBackend;
  readonly #share: number;
  readonly #probeMs: number;
  readonly #clock: Clock;
  readonly #events: RateLimitEventSink;
  readonly #timers: Timers;
  #degraded = false;
  #probe: unknown = null;
  #closed = false;
  #lastOverrides: Record<string, string> = {};

  constructor(options: DegradingBackendOptions) {
    if (!(options.share > 0 && options.share <= 1)) throw new RangeError('share must be in (0, 1]');
    this.#primary = options.primary;
    this.#fallback = options.fallback;
    this.#share = options.share;
    this.#probeMs = options.probeIntervalMs ?? 1_000;
    this.#clock = options.clock;
    this.#events = options.events;
    this.#timers = options.timers ?? realTimers;
  }

  get name(): string {
    return this.#degraded ? `${this.#fallback.name} (fallback from ${this.#primary.name})` : this.#primary.name;
  }

  /** True while the fallback is in use. */
  get degraded(): boolean {
    return this.#degraded;
  }

  take(takes: readonly CounterTake[], leaseId: string, now: number): Promise<TakeResult> {
    return this.#run(
      (b) => b.take(takes, leaseId, now),
      (b) => b.take(takes.map((t) => this.#scaled(t)), leaseId, now),
    );
  }

  release(keys: readonly string[], leaseId: string): Promise<void> {
    // A lease lives where it was taken; releasing in both is harmless.
    return this.#run(
      async (b) => {
        await b.release(keys, leaseId);
        await this.#fallback.release(keys, leaseId);
      },
      (b) => b.release(keys, leaseId),
    );
  }

  settle(key: string): Promise<void> {
    return this.#run((b) => b.settle(key));
  }

  observe(key: string, observation: BudgetObservation, settle: boolean, now: number): Promise<void> {
    return this.#run(
      (b) => b.observe(key, observation, settle, now),
      (b) =>
        b.observe(key, { ...observation, limit: Math.floor(observation.limit * this.#share), used: Math.ceil(observation.used * this.#share) }, settle, now),
    );
  }

  block(key: string, until: number, now: number): Promise<void> {
    return this.#run((b) => b.block(key, until, now));
  }

  peek(key: string, limit: number, scale: number, windowMs: number, now: number): Promise<CounterState> {
    return this.#run(
      (b) => b.peek(key, limit, scale, windowMs, now),
      (b) => b.peek(key, limit, scale * this.#share, windowMs, now),
    );
  }

  peekConcurrency(key: string, limit: number, now: number): Promise<CounterState> {
    return this.#run(
      (b) => b.peekConcurrency(key, limit, now),
      (b) => b.peekConcurrency(key, Math.max(1, Math.floor(limit * this.#share)), now),
    );
  }

  async reset(keys: readonly string[]): Promise<void> {
    await this.#fallback.reset(keys);
    await this.#run((b) => b.reset(keys));
  }

  getMultiplier(connectionId: string): Promise<number | null> {
    return this.#run((b) => b.getMultiplier(connectionId));
  }

  setMultiplier(connectionId: string, value: number): Promise<void> {
    return this.#run((b) => b.setMultiplier(connectionId, value));
  }

  /** While degraded: the overrides last read from the primary (the fallback has none of its own). */
  getOverrides(): Promise<Record<string, string>> {
    return this.#run(
      async (b) => (this.#lastOverrides = await b.getOverrides()),
      async () => this.#lastOverrides,
    );
  }

  setOverride(scope: string, value: string | null): Promise<void> {
    return this.#run((b) => b.setOverride(scope, value));
  }

  register(key: string, meta: string): Promise<void> {
    return this.#run((b) => b.register(key, meta));
  }

  registry(): Promise<Record<string, string>> {
    return this.#run((b) => b.registry());
  }

  ping(): Promise<void> {
    return this.#run((b) => b.ping());
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#probe !== null) this.#timers.clearTimeout(this.#probe);
    this.#probe = null;
  }

  #scaled(take: CounterTake): CounterTake {
    if (take.kind === 'window') return { ...take, scale: take.scale * this.#share };
    return { ...take, limit: Math.max(1, Math.floor(take.limit * this.#share)) };
  }

  async #run<T>(operation: (backend: RateLimitBackend) => Promise<T>, degradedOperation: (backend: RateLimitBackend) => Promise<T> = operation): Promise<T> {
    if (!this.#degraded) {
      try {
        return await operation(this.#primary);
      } catch (error) {
        this.#degrade(error);
      }
    }
    return degradedOperation(this.#fallback);
  }

  #degrade(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.#emit({ type: 'ratelimit.backend_degraded', at: this.#clock.now(), backend: this.#primary.name, reason, share: this.#share });
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    if (this.#closed) return;
    this.#probe = this.#timers.setTimeout(() => {
      this.#probe = null;
      this.#primary.ping().then(
        () => {
          if (this.#closed) return;
          this.#degraded = false;
          this.#emit({ type: 'ratelimit.backend_restored', at: this.#clock.now(), backend: this.#primary.name });
        },
        () => this.#scheduleProbe(),
      );
    }, this.#probeMs);
  }

  #emit(event: Parameters<RateLimitEventSink>[0]): void {
    try {
      this.#events(event);
    } catch {
      // Alerts never fail a call.
    }
  }
}
