import type { Clock } from '../ports/clock.ts';
import type { CounterState } from '../ports/rate-limit-backend.ts';
import type { RateLimiter } from './limiter.ts';
import type { CounterMeta } from './plan.ts';
import { formatScope, type RateLimitScope } from './scope.ts';
import type { RateLimitLevel, WindowLimit } from './types.ts';

/** One counter as `GET /v1/rate-limits` shows it. */
export interface RateLimitStatusEntry {
  readonly key: string;
  readonly level: RateLimitLevel;
  readonly kind: 'window' | 'concurrency';
  readonly rule: string;
  readonly provider: string | null;
  readonly tenantId: string | null;
  readonly connectionId: string | null;
  /** Effective limit now: configured x multiplier, or what the provider reported. */
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** ISO time when the oldest counted use leaves the window (or the provider's reset). */
  readonly resetsAt: string;
  readonly windowMs: number;
  /** The connection's adaptive multiplier; null for counters of no single connection. */
  readonly multiplier: number | null;
  /** Calls waiting for this counter in this process. */
  readonly waiting: number;
}

export interface RateLimitOverride extends WindowLimit {
  readonly scope: string;
}

/**
 * What the routes need from the limiter: status per level and counter, overrides and
 * resets by scope, and who owns a scope (for tenant scoping). Status reads the backend's
 * registry, so any process (the api role) reports the counters every worker uses.
 */
export class RateLimitAdmin {
  readonly #limiter: RateLimiter;
  readonly #clock: Clock;

  constructor(limiter: RateLimiter, clock: Clock) {
    this.#limiter = limiter;
    this.#clock = clock;
  }

  /** The backend in use now (`redis`, `memory`, or the fallback while Redis is away). */
  get backendName(): string {
    return this.#limiter.backend.name;
  }

  /** Every counter, or only those of one tenant (its tenant, connection and operation counters). */
  async status(filter: { tenantId?: string } = {}): Promise<RateLimitStatusEntry[]> {
    const metas = (await this.#metas()).filter((m) => filter.tenantId === undefined || m.tenantId === filter.tenantId);
    const backend = this.#limiter.backend;
    const now = this.#clock.now();
    const entries = await Promise.all(
      metas.map(async (meta): Promise<RateLimitStatusEntry> => {
        const multiplier = meta.connectionId === null ? null : await this.#limiter.multiplier(meta.connectionId);
        const state: CounterState =
          meta.kind === 'concurrency'
            ? await backend.peekConcurrency(meta.key, meta.limit, now)
            : await backend.peek(meta.key, meta.limit, meta.adaptive && multiplier !== null ? multiplier : 1, meta.windowMs, now);
        return {
          key: meta.key, level: meta.level, kind: meta.kind, rule: meta.rule, provider: meta.provider, tenantId: meta.tenantId,
          connectionId: meta.connectionId, limit: state.limit, used: state.used, remaining: Math.max(0, state.limit - state.used),
          resetsAt: new Date(Math.max(state.resetsAt, now)).toISOString(), windowMs: meta.windowMs, multiplier,
          waiting: this.#limiter.waitingOn(meta.key),
        };
      }),
    );
    return entries.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.key.localeCompare(b.key));
  }

  /** Overrides in force; for a tenant, only those of its tenant and connections. */
  async overrides(filter: { tenantId?: string } = {}): Promise<RateLimitOverride[]> {
    const all = [...(await this.#limiter.overrides()).entries()].map(([scope, limit]) => ({ scope, limit: limit.limit, windowMs: limit.windowMs }));
    if (filter.tenantId === undefined) return all;
    const own = new Set((await this.#metas()).filter((m) => m.tenantId === filter.tenantId && m.connectionId !== null).map((m) => `connection:${m.connectionId}`));
    own.add(`tenant:${filter.tenantId}`);
    return all.filter((o) => own.has(o.scope));
  }

  /** Sets or (null) clears an override. Overrides add a cap; they never lift a provider's limit. */
  async configure(scope: RateLimitScope, limit: WindowLimit | null): Promise<void> {
    await this.#limiter.setOverride(formatScope(scope), limit);
  }

  /**
   * Forgets the counters under a scope (global: all) and, for a connection, puts its
   * multiplier back to full. Returns how many counters were reset.
   */
  async reset(scope: RateLimitScope): Promise<number> {
    const metas = (await this.#metas()).filter((m) => inScope(m, scope));
    await this.#limiter.backend.reset(metas.map((m) => m.key));
    const connections = new Set(metas.map((m) => m.connectionId).filter((id): id is string => id !== null));
    if (scope.kind === 'connection') connections.add(scope.connectionId);
    for (const id of connections) await this.#limiter.setMultiplier(id, 1);
    for (const meta of metas) this.#limiter.alerts.forget(meta.key);
    return metas.length;
  }

  /** The tenant a tenant or connection scope belongs to (null: unknown connection or a wider scope). */
  async ownerOf(scope: RateLimitScope): Promise<string | null> {
    if (scope.kind === 'tenant') return scope.tenantId;
    if (scope.kind !== 'connection') return null;
    const meta = (await this.#metas()).find((m) => m.connectionId === scope.connectionId && m.tenantId !== null);
    return meta?.tenantId ?? null;
  }

  async #metas(): Promise<CounterMeta[]> {
    const raw = await this.#limiter.backend.registry();
    const metas: CounterMeta[] = [];
    for (const text of Object.values(raw)) {
      try {
        metas.push(JSON.parse(text) as CounterMeta);
      } catch {
        // A damaged registry entry hides one counter from status, nothing more.
      }
    }
    return metas;
  }
}

const LEVEL_ORDER: Readonly<Record<RateLimitLevel, number>> = { global: 0, provider: 1, tenant: 2, connection: 3, operation: 4 };

function inScope(meta: CounterMeta, scope: RateLimitScope): boolean {
  switch (scope.kind) {
    case 'global':
      return true;
    case 'provider':
      return meta.provider === scope.provider;
    case 'tenant':
      return meta.tenantId === scope.tenantId;
    case 'connection':
      return meta.connectionId === scope.connectionId;
  }
}
