import type { CounterState } from '../ports/rate-limit-backend.ts';
import type { CounterMeta } from './plan.ts';
import type { RateLimitEvent, RateLimitEventSink } from './types.ts';

/**
 * Budget alerts: one `ratelimit.threshold` event when a counter first reaches each
 * threshold (default 80% and 95%) within a window, one `ratelimit.provider_limited` per
 * connection per refusal window. Repeats inside the same window are dropped. A sink that
 * throws is ignored: alerts never fail a call.
 */
export class RateLimitAlerts {
  readonly #thresholds: readonly number[];
  readonly #sink: RateLimitEventSink;
  /** `${key}|${threshold}` -> until when the alert is quiet. */
  readonly #quietUntil = new Map<string, number>();

  constructor(sink: RateLimitEventSink, thresholds: readonly number[] = [0.8, 0.95]) {
    this.#sink = sink;
    this.#thresholds = [...thresholds].sort((a, b) => a - b);
  }

  /** After a take: emits the thresholds this counter crossed and has not reported in this window. */
  afterTake(meta: CounterMeta, state: CounterState, now: number): void {
    if (state.limit <= 0) return;
    const ratio = state.used / state.limit;
    for (const threshold of this.#thresholds) {
      if (ratio < threshold) break;
      const id = `${meta.key}|${threshold}`;
      if ((this.#quietUntil.get(id) ?? 0) > now) continue;
      this.#quietUntil.set(id, Math.max(now + 1, meta.kind === 'window' ? now + meta.windowMs : state.resetsAt));
      this.emit({
        type: 'ratelimit.threshold', at: now, threshold, level: meta.level, key: meta.key, provider: meta.provider,
        tenantId: meta.tenantId, connectionId: meta.connectionId, used: state.used, limit: state.limit, resetsAt: state.resetsAt,
      });
    }
  }

  /** A provider refused a call: one event per connection until the refusal's wait is over. */
  providerLimited(event: Extract<RateLimitEvent, { type: 'ratelimit.provider_limited' }>): void {
    const id = `limited|${event.provider}|${event.connectionId}`;
    if ((this.#quietUntil.get(id) ?? 0) > event.at) return;
    this.#quietUntil.set(id, event.at + Math.max(1_000, event.retryAfterMs));
    this.emit(event);
  }

  /** Forgets the quiet periods of counters whose key starts with `prefix` (after a reset). */
  forget(prefix: string): void {
    for (const id of this.#quietUntil.keys()) if (id.startsWith(prefix)) this.#quietUntil.delete(id);
  }

  emit(event: RateLimitEvent): void {
    try {
      this.#sink(event);
    } catch {
      // The sink's failure is the sink's problem; limiting goes on.
    }
  }
}
