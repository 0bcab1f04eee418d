import type { Clock, RandomSource } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { CounterTake, RateLimitBackend } from '../ports/rate-limit-backend.ts';
import { type AdaptiveOptions, type CallOutcome, DEFAULT_ADAPTIVE, nextMultiplier } from './adaptive.ts';
import { RateLimitAlerts } from './alerts.ts';
import { type CounterMeta, type LevelLimits, type PlannedCounter, planCall } from './plan.ts';
import { DEFAULT_POLICIES } from './policies/index.ts';
import { targetRules } from './observe.ts';
import type { RateCall, RateLimitEventSink, RateLimitObservation, RateLimitPolicy, Timers, WaitPriority, WindowLimit } from './types.ts';
import { realTimers } from './types.ts';
import { rateLimited, type TakeAttempt, WaitingRoom } from './waiting.ts';

export interface RateLimiterOptions {
  backend: RateLimitBackend;
  clock: Clock;
  /** For lease ids. */
  random: RandomSource;
  /** Alerts go here (notifications subscribe). Default: dropped. */
  events?: RateLimitEventSink;
  timers?: Timers;
  /** Provider budgets by provider name. Default: DEFAULT_POLICIES. */
  policies?: Readonly<Record<string, RateLimitPolicy>>;
  /** Budgets above the providers' own, before overrides: all of Tributary, per provider, per tenant. */
  limits?: { global?: WindowLimit; providers?: Readonly<Record<string, WindowLimit>>; tenant?: WindowLimit };
  /** Waiters per connection before `acquire` fails at once. Default 1,000. */
  queueCapacity?: number;
  /** `acquire`'s timeout when the caller gives none. Default 30 s. */
  defaultTimeoutMs?: number;
  /** Alert thresholds as shares of a budget. Default [0.8, 0.95]. */
  thresholds?: readonly number[];
  adaptive?: Partial<AdaptiveOptions>;
  /** How often overrides and multipliers set by other processes are re-read. Default 5 s. */
  overridesRefreshMs?: number;
  /** Where failures of background settlements (`complete`) are logged. Default: dropped. */
  logger?: Logger;
}

export interface AcquireOptions {
  /** Default `scheduled`. */
  priority?: WaitPriority;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Room taken for one call. Pass it to `complete`, or to `observe` then `release` (all safe to repeat). */
export interface RatePermit {
  readonly call: RateCall;
  readonly leaseId: string;
  /** How long the call waited for room. */
  readonly waitedMs: number;
}

interface PermitState {
  readonly planned: readonly PlannedCounter[];
  readonly concurrencyKeys: readonly string[];
  readonly observedKeys: readonly string[];
  laneId: string;
  settled: boolean;
  released: boolean;
}

/**
 * A call's plan, kept per call shape (provider, tenant, connection, account, operation,
 * endpoint) while the connection's multiplier and the overrides stay the same. Shared by
 * every permit of that shape: never mutated.
 */
interface CachedPlan {
  readonly multiplier: number;
  readonly overridesVersion: number;
  readonly planned: readonly PlannedCounter[];
  readonly takes: readonly CounterTake[];
  readonly concurrencyKeys: readonly string[];
  readonly observedKeys: readonly string[];
}

/** Call shapes whose plans are kept; past it the cache starts over (bounded memory). */
const PLAN_CACHE_LIMIT = 10_000;

/**
 * The IntegrationRateLimiter: every provider call takes room from every level that
 * applies (global, provider, tenant, connection, operation, concurrency) atomically in
 * the backend, or waits in a bounded, prioritised queue per connection until it fits or
 * its timeout passes (then PROVIDER_RATE_LIMITED with `retryAfterMs`). Answers are fed
 * back with `observe`: the provider's remaining and reset replace our own count, refusals
 * block the budget they name and lower the connection's adaptive multiplier.
 * Waiting and priorities are per process; counts are wherever the backend keeps them.
 */
export class RateLimiter {
  readonly #backend: RateLimitBackend;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #policies: Readonly<Record<string, RateLimitPolicy>>;
  readonly #limits: NonNullable<RateLimiterOptions['limits']>;
  readonly #defaultTimeoutMs: number;
  readonly #adaptive: AdaptiveOptions;
  readonly #overridesRefreshMs: number;
  readonly #leasePrefix: string;
  readonly alerts: RateLimitAlerts;
  readonly #room: WaitingRoom<RatePermit>;
  readonly #permits = new WeakMap<RatePermit, PermitState>();
  readonly #multipliers = new Map<string, number>();
  readonly #registered = new Map<string, string>();
  /** Counter metas (of cached plans) registered in the current registry epoch. */
  readonly #registeredMetas = new WeakMap<CounterMeta, number>();
  #registryEpoch = 0;
  readonly #plans = new Map<string, CachedPlan>();
  /** Bumped whenever `#overrides` changes: cached plans of older versions are stale. */
  #overridesVersion = 0;
  readonly #logger: Logger | undefined;
  /** Background settlements (`complete`) not yet acknowledged by the backend. */
  #inFlight = 0;
  #onIdle: (() => void)[] = [];
  #overrides = new Map<string, WindowLimit>();
  #overridesAt = Number.NEGATIVE_INFINITY;
  #overridesLoading: Promise<void> | null = null;
  #overridesLoaded = false;
  #leaseSeq = 0;

  constructor(options: RateLimiterOptions) {
    this.#backend = options.backend;
    this.#clock = options.clock;
    this.#timers = options.timers ?? realTimers;
    this.#policies = options.policies ?? DEFAULT_POLICIES;
    this.#limits = options.limits ?? {};
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.#adaptive = { ...DEFAULT_ADAPTIVE, ...options.adaptive };
    this.#overridesRefreshMs = options.overridesRefreshMs ?? 5_000;
    this.#leasePrefix = Math.floor(options.random() * 2 ** 48).toString(36);
    this.#room = new WaitingRoom<RatePermit>(this.#clock, this.#timers, options.queueCapacity ?? 1_000);
    this.alerts = new RateLimitAlerts(options.events ?? (() => {}), options.thresholds);
    this.#logger = options.logger;
  }

  get backend(): RateLimitBackend {
    return this.#backend;
  }

  /** The budgets this limiter applies to a provider's calls (undefined: only global/provider/tenant levels). */
  policyFor(provider: string): RateLimitPolicy | undefined {
    return this.#policies[provider];
  }

  /**
   * Takes room for one call from every level, waiting (by priority, then arrival) while
   * there is none. Rejects with PROVIDER_RATE_LIMITED (`retryAfterMs` = when room is
   * expected) when the timeout passes first, when room is not expected before the
   * timeout, or when the connection's queue is full; with `signal.reason` when aborted.
   */
  async acquire(call: RateCall, options: AcquireOptions = {}): Promise<RatePermit> {
    const since = this.#clock.now();
    const deadline = since + (options.timeoutMs ?? this.#defaultTimeoutMs);
    options.signal?.throwIfAborted();
    if (this.#clock.now() - this.#overridesAt >= this.#overridesRefreshMs || !this.#multipliers.has(call.connectionId)) await this.#prepare(call);
    const laneId = `${call.provider}|${call.connectionId}`;
    if (this.#room.idle(laneId)) {
      const attempt = await this.#tryTake(call, since, laneId);
      if ('permit' in attempt) return attempt.permit;
      const retryAt = this.#clock.now() + attempt.retryAfterMs;
      this.#room.expectRoomAt(laneId, retryAt);
      if (retryAt > deadline) throw rateLimited(`No room for ${call.provider} before the timeout (blocked on ${attempt.blockedKey})`, attempt.retryAfterMs);
    }
    return this.#room.wait({
      laneId,
      keys: this.#plan(call).map((p) => p.meta.key),
      since,
      deadline,
      priority: options.priority ?? 'scheduled',
      signal: options.signal,
      what: `${call.provider} connection ${call.connectionId}`,
      take: () => this.#tryTake(call, since, laneId),
      giveBack: (permit) => this.release(permit),
    });
  }

  /** Frees the permit's concurrency slots and settles what was not observed. Idempotent. */
  async release(permit: RatePermit): Promise<void> {
    await this.#releaseNow(permit);
  }

  /**
   * Feeds a provider's answer back (parse it with ./parse first). Reported budgets replace
   * our count (remaining and reset win); a refusal blocks the budget it names until its
   * retry time, lowers the connection's multiplier and raises one alert; a server error
   * lowers the multiplier a little, a success raises it. Pass the permit when there is
   * one, so the call stops counting as in flight.
   */
  async observe(target: RatePermit | RateCall, observation: RateLimitObservation): Promise<void> {
    await this.#observeNow(target, observation);
  }

  /**
   * `observe` and `release` together, what a caller does when the provider's answer is
   * in, without waiting for the backend: every backend operation is issued before this
   * returns, in order, so any later call of this limiter (a take, a peek) is applied after
   * them (memory applies them at once; on Redis they precede it on the one connection).
   * The acknowledgements are awaited in the background: a failure is logged (the
   * degrading backend has already fallen back by then), never thrown; `settled()` waits
   * for them. Never rejects.
   */
  complete(permit: RatePermit, observation: RateLimitObservation): Promise<void> {
    let settlement: Promise<unknown>;
    try {
      const observed = this.#observeNow(permit, observation);
      const released = this.#releaseNow(permit);
      settlement = observed === RESOLVED ? released : released === RESOLVED ? observed : Promise.all([observed, released]);
    } catch (error) {
      settlement = Promise.reject(error);
    }
    if (settlement !== RESOLVED) this.#track(settlement);
    return RESOLVED;
  }

  /** Resolves when every background settlement issued so far has been acknowledged (or logged as failed). */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return RESOLVED;
    return new Promise((resolve) => this.#onIdle.push(resolve));
  }

  /** The connection's current multiplier (1 until something lowered it). */
  async multiplier(connectionId: string): Promise<number> {
    const cached = this.#multipliers.get(connectionId);
    if (cached !== undefined) return cached;
    const stored = await this.#backend.getMultiplier(connectionId);
    const value = stored === null || !Number.isFinite(stored) ? this.#adaptive.max : stored;
    this.#multipliers.set(connectionId, value);
    return value;
  }

  /** Sets a connection's multiplier (reset puts it back to the maximum). */
  async setMultiplier(connectionId: string, value: number): Promise<void> {
    const bounded = Math.min(this.#adaptive.max, Math.max(this.#adaptive.min, value));
    this.#multipliers.set(connectionId, bounded);
    await this.#backend.setMultiplier(connectionId, bounded);
  }

  /** Calls waiting in this process whose counters include `key`. */
  waitingOn(key: string): number {
    return this.#room.waitingOn(key);
  }

  /** The configured overrides, as the backend holds them (refreshed now). */
  async overrides(): Promise<ReadonlyMap<string, WindowLimit>> {
    await this.#refreshOverrides(true);
    return this.#overrides;
  }

  /** Sets (or with null clears) the override of a scope (`global`, `provider:github`, ...). */
  async setOverride(scope: string, limit: WindowLimit | null): Promise<void> {
    await this.#backend.setOverride(scope, limit === null ? null : JSON.stringify(limit));
    if (limit === null) this.#overrides.delete(scope);
    else this.#overrides.set(scope, limit);
    this.#overridesVersion++;
  }

  /** Stops the waiting room's timers and rejects every waiter with SHUTTING_DOWN. */
  close(): void {
    this.#room.close();
  }

  async #prepare(call: RateCall): Promise<void> {
    await this.#refreshOverrides(false);
    if (!this.#multipliers.has(call.connectionId)) await this.multiplier(call.connectionId);
  }

  async #refreshOverrides(force: boolean): Promise<void> {
    const now = this.#clock.now();
    const stale = now - this.#overridesAt >= this.#overridesRefreshMs;
    if (!force && !stale) return;
    if (this.#overridesLoading === null) {
      this.#overridesAt = now;
      // Multipliers other processes changed are picked up at the same pace.
      if (stale && !force) this.#multipliers.clear();
      this.#overridesLoading = this.#backend.getOverrides().then(
        (raw) => {
          const next = new Map<string, WindowLimit>();
          for (const [scope, text] of Object.entries(raw)) {
            try {
              next.set(scope, JSON.parse(text) as WindowLimit);
            } catch {
              // A malformed override is ignored rather than stopping every call.
            }
          }
          this.#overrides = next;
          this.#overridesVersion++;
        },
        () => {},
      );
      this.#overridesLoading.finally(() => (this.#overridesLoading = null)).catch(() => {});
    }
    // The first load is awaited; later refreshes run in the background.
    if (force || !this.#overridesLoaded) {
      await this.#overridesLoading;
      this.#overridesLoaded = true;
    }
  }

  #levels(call: RateCall): LevelLimits {
    const o = this.#overrides;
    const pick = (value: WindowLimit | undefined): WindowLimit | undefined => value;
    return {
      global: pick(o.get('global') ?? this.#limits.global),
      provider: pick(o.get(`provider:${call.provider}`) ?? this.#limits.providers?.[call.provider]),
      tenant: pick(o.get(`tenant:${call.tenantId}`) ?? this.#limits.tenant),
      connection: pick(o.get(`connection:${call.connectionId}`)),
    };
  }

  #plan(call: RateCall): readonly PlannedCounter[] {
    return this.#cachedPlan(call).planned;
  }

  /**
   * The call's counters, from the cache when its shape was planned before with the same
   * multiplier and overrides. Policies' `appliesTo` and `cost` see only the call's fields,
   * so one shape always plans the same.
   */
  #cachedPlan(call: RateCall): CachedPlan {
    const multiplier = this.#multipliers.get(call.connectionId) ?? this.#adaptive.max;
    // \u0001 marks an absent field, so that '' and undefined stay apart.
    const shape = `${call.provider}\u0000${call.tenantId}\u0000${call.connectionId}\u0000${call.account ?? '\u0001'}\u0000${call.operation}\u0000${call.endpoint ?? '\u0001'}`;
    const cached = this.#plans.get(shape);
    if (cached !== undefined && cached.multiplier === multiplier && cached.overridesVersion === this.#overridesVersion) return cached;
    const planned = planCall(call, this.#policies[call.provider], this.#levels(call), multiplier);
    const concurrencyKeys: string[] = [];
    const observedKeys: string[] = [];
    for (const counter of planned) {
      if (counter.take.kind === 'concurrency') concurrencyKeys.push(counter.meta.key);
      else if (counter.take.observed) observedKeys.push(counter.meta.key);
    }
    const plan: CachedPlan = { multiplier, overridesVersion: this.#overridesVersion, planned, takes: planned.map((p) => p.take), concurrencyKeys, observedKeys };
    if (cached === undefined && this.#plans.size >= PLAN_CACHE_LIMIT) this.#plans.clear();
    this.#plans.set(shape, plan);
    return plan;
  }

  async #tryTake(call: RateCall, since: number, laneId: string): Promise<TakeAttempt<RatePermit>> {
    const plan = this.#cachedPlan(call);
    const { planned, concurrencyKeys, observedKeys } = plan;
    const leaseId = `${this.#leasePrefix}.${(this.#leaseSeq++).toString(36)}`;
    const now = this.#clock.now();
    const result = await this.#backend.take(plan.takes, leaseId, now);
    if (!result.ok) return { retryAfterMs: result.retryAfterMs, blockedKey: (planned[result.blocked] as PlannedCounter).meta.key };
    for (let i = 0; i < planned.length; i++) {
      const counter = planned[i] as PlannedCounter;
      this.#register(counter);
      const state = result.states[i];
      if (state !== undefined) this.alerts.afterTake(counter.meta, state, now);
    }
    const permit: RatePermit = Object.freeze({ call, leaseId, waitedMs: now - since });
    this.#permits.set(permit, { planned, concurrencyKeys, observedKeys, laneId, settled: observedKeys.length === 0, released: false });
    return { permit };
  }

  /** Records the counter in the backend's registry once per process, and again when its budget changes. */
  #register(counter: PlannedCounter): void {
    const meta = counter.meta;
    if (this.#registeredMetas.get(meta) === this.#registryEpoch) return;
    this.#registeredMetas.set(meta, this.#registryEpoch);
    const { key, limit, windowMs, tenantId } = meta;
    const signature = `${limit}/${windowMs}/${tenantId ?? ''}`;
    if (this.#registered.get(key) === signature) return;
    this.#registered.set(key, signature);
    this.#backend.register(key, JSON.stringify(meta)).catch(() => {
      // Tried again by the next call with this counter, cached plan or not.
      this.#registered.delete(key);
      this.#registryEpoch++;
    });
  }

  /** Issues the multiplier's change now when it is known (cached), else after reading it. */
  #adapt(connectionId: string, outcome: CallOutcome): Promise<void> {
    const cached = this.#multipliers.get(connectionId);
    if (cached === undefined) return this.multiplier(connectionId).then((current) => this.#adaptFrom(connectionId, current, outcome));
    return this.#adaptFrom(connectionId, cached, outcome);
  }

  #adaptFrom(connectionId: string, current: number, outcome: CallOutcome): Promise<void> {
    const next = nextMultiplier(current, outcome, this.#adaptive);
    return next === current ? RESOLVED : this.setMultiplier(connectionId, next);
  }

  /**
   * Issues the release's backend operations now (settles of unobserved counters, then the
   * concurrency slots) and returns their acknowledgement. The lane's waiters are woken
   * once the backend has answered (as before; also when it failed).
   */
  #releaseNow(permit: RatePermit): Promise<void> {
    const state = this.#permits.get(permit);
    if (state === undefined || state.released) return RESOLVED;
    state.released = true;
    const ops: Promise<void>[] = [];
    if (!state.settled) {
      state.settled = true;
      for (const key of state.observedKeys) ops.push(this.#backend.settle(key));
    }
    if (state.concurrencyKeys.length > 0) ops.push(this.#backend.release(state.concurrencyKeys, permit.leaseId));
    if (ops.length === 0) {
      this.#room.wake(state.laneId);
      return RESOLVED;
    }
    return allOf(ops).finally(() => this.#room.wake(state.laneId));
  }

  /**
   * `observe`'s work, every backend operation issued before it returns (in the order the
   * awaited version used: figures, blocks, settles, multiplier); returns their acknowledgement.
   */
  #observeNow(target: RatePermit | RateCall, observation: RateLimitObservation): Promise<void> {
    const permit = 'leaseId' in target ? target : null;
    const call = permit === null ? (target as RateCall) : permit.call;
    const state = permit === null ? undefined : this.#permits.get(permit);
    const settle = state !== undefined && !state.settled;
    if (state !== undefined) state.settled = true;
    const now = this.#clock.now();
    const policy = this.#policies[call.provider];
    const ops: Promise<void>[] = [];
    let touched: string[] | null = null;
    if (policy !== undefined) {
      const planned = state?.planned ?? this.#plan(call);
      const { figures, blocks } = targetRules(planned, observation);
      for (const counter of figures) {
        const limit = observation.limit as number;
        const used = observation.used ?? limit - (observation.remaining as number);
        const resetsAt = observation.resetsAt ?? now + policy.observationTtlMs;
        const rolling = counter.rule?.rolling ?? observation.resetsAt === undefined;
        ops.push(this.#backend.observe(counter.meta.key, { limit, used, resetsAt, rolling }, settle, now));
        (touched ??= []).push(counter.meta.key);
      }
      if (observation.limited) {
        const wait = waitOf(observation, now, policy.defaultRetryAfterMs);
        for (const counter of blocks) ops.push(this.#backend.block(counter.meta.key, now + wait, now));
        this.alerts.providerLimited({
          type: 'ratelimit.provider_limited', at: now, provider: call.provider, tenantId: call.tenantId, connectionId: call.connectionId,
          status: observation.status, reason: observation.reason ?? null, retryAfterMs: wait,
        });
      }
    }
    if (settle && state !== undefined) {
      for (const key of state.observedKeys) if (touched === null || !touched.includes(key)) ops.push(this.#backend.settle(key));
    }
    const outcome: CallOutcome = observation.limited ? 'limited' : observation.serverError ? 'error' : 'success';
    const adapted = this.#adapt(call.connectionId, outcome);
    if (adapted !== RESOLVED) ops.push(adapted);
    return allOf(ops);
  }

  /** Counts a background settlement until it is acknowledged; logs its failure. */
  #track(settlement: Promise<unknown>): void {
    this.#inFlight++;
    settlement.then(
      () => this.#untrack(),
      (error: unknown) => {
        this.#logger?.warn({ error: error instanceof Error ? error.message : String(error) }, 'rate limiter: a background settlement failed');
        this.#untrack();
      },
    );
  }

  #untrack(): void {
    if (--this.#inFlight > 0 || this.#onIdle.length === 0) return;
    const waiting = this.#onIdle;
    this.#onIdle = [];
    for (const resolve of waiting) resolve();
  }
}

/** A settled promise shared by the fast paths (no allocation when there is nothing to wait for). */
const RESOLVED: Promise<void> = Promise.resolve();

/** Waits for every operation; RESOLVED when there are none, the one itself when there is one. */
function allOf(ops: readonly Promise<void>[]): Promise<void> {
  if (ops.length === 0) return RESOLVED;
  if (ops.length === 1) return ops[0] as Promise<void>;
  return Promise.all(ops).then(() => undefined);
}

/** How long a refusal asks to wait: Retry-After, else the reset when nothing remains, else the policy's default. */
export function waitOf(observation: RateLimitObservation, now: number, fallbackMs: number): number {
  if (observation.retryAfterMs !== undefined) return Math.max(1, observation.retryAfterMs);
  if (observation.retryAt !== undefined && observation.retryAt > now) return observation.retryAt - now;
  if (observation.remaining === 0 && observation.resetsAt !== undefined && observation.resetsAt > now) return observation.resetsAt - now;
  return fallbackMs;
}
