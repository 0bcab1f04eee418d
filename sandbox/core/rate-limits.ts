import type { LimitDecision, LimitRule, ProviderName, RateLimits, SandboxClock } from './types.ts';
import { PROVIDER_NAMES } from './types.ts';

/** One counter's state, as `GET /_sandbox/limits` shows it. */
export interface LimitUsage {
  key: string;
  limit: number;
  used: number;
  remaining: number;
  windowMs: number;
  resetAt: number;
  mode: 'fixed' | 'sliding';
}

export interface SandboxRateLimits extends RateLimits {
  usage(): LimitUsage[];
  overrides(): { keyPrefix: string; limit: number }[];
  /** Forgets counters, overrides and rejections. */
  reset(): void;
}

interface Counter {
  mode: 'fixed' | 'sliding';
  windowMs: number;
  limit: number;
  /** Fixed window: start and used. */
  windowStart: number;
  used: number;
  /** Sliding window: (time, cost) entries inside the window, oldest first. */
  log: { at: number; cost: number }[];
  logHead: number;
  logSum: number;
}

/**
 * Counters for every provider's limits. A rule's real limit is multiplied by the scale
 * (at least 1); an override set for a key prefix (longest prefix wins) replaces it.
 * Fixed windows start at a counter's first call and reset `windowMs` later (GitHub's
 * hourly window, Slack's minute); `sliding` rules count the calls of the last `windowMs`
 * (Salesforce's rolling 24 h).
 */
export function createRateLimits(clock: SandboxClock, scale: () => number): SandboxRateLimits {
  const counters = new Map<string, Counter>();
  const overrideMap = new Map<string, number>();
  const rejected = new Map<ProviderName, number>();

  const effectiveLimit = (rule: LimitRule): number => {
    let best: string | null = null;
    for (const prefix of overrideMap.keys()) {
      if (rule.key.startsWith(prefix) && (best === null || prefix.length > best.length)) best = prefix;
    }
    if (best !== null) return overrideMap.get(best) as number;
    return Math.max(1, Math.floor(rule.limit * scale()));
  };

  const counterFor = (rule: LimitRule, now: number): Counter => {
    let c = counters.get(rule.key);
    if (!c) {
      c = { mode: rule.sliding ? 'sliding' : 'fixed', windowMs: rule.windowMs, limit: 0, windowStart: now, used: 0, log: [], logHead: 0, logSum: 0 };
      counters.set(rule.key, c);
    }
    c.limit = effectiveLimit(rule);
    c.windowMs = rule.windowMs;
    if (c.mode === 'fixed') {
      if (now >= c.windowStart + c.windowMs) {
        c.windowStart = now;
        c.used = 0;
      }
    } else {
      const from = now - c.windowMs;
      while (c.logHead < c.log.length && (c.log[c.logHead] as { at: number }).at <= from) {
        c.logSum -= (c.log[c.logHead] as { cost: number }).cost;
        c.logHead++;
      }
      if (c.logHead > 1024 && c.logHead * 2 > c.log.length) {
        c.log = c.log.slice(c.logHead);
        c.logHead = 0;
      }
    }
    return c;
  };

  const decision = (c: Counter, allowed: boolean, now: number): LimitDecision => {
    const used = c.mode === 'fixed' ? c.used : c.logSum;
    const resetAt = c.mode === 'fixed' ? c.windowStart + c.windowMs : c.logHead < c.log.length ? (c.log[c.logHead] as { at: number }).at + c.windowMs : now;
    return {
      allowed,
      limit: c.limit,
      used,
      remaining: Math.max(0, c.limit - used),
      resetAt,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  };

  return {
    take(rule) {
      const now = clock.now();
      const c = counterFor(rule, now);
      const cost = rule.cost ?? 1;
      const used = c.mode === 'fixed' ? c.used : c.logSum;
      if (used + cost > c.limit) return decision(c, false, now);
      if (c.mode === 'fixed') c.used += cost;
      else {
        c.log.push({ at: now, cost });
        c.logSum += cost;
      }
      return decision(c, true, now);
    },
    peek(rule) {
      const now = clock.now();
      const c = counterFor(rule, now);
      const used = c.mode === 'fixed' ? c.used : c.logSum;
      return decision(c, used + (rule.cost ?? 1) <= c.limit, now);
    },
    recordRejection(provider) {
      rejected.set(provider, (rejected.get(provider) ?? 0) + 1);
    },
    rejections(provider) {
      if (provider) return rejected.get(provider) ?? 0;
      return PROVIDER_NAMES.reduce((sum, p) => sum + (rejected.get(p) ?? 0), 0);
    },
    override(keyPrefix, limit) {
      if (limit === null) overrideMap.delete(keyPrefix);
      else overrideMap.set(keyPrefix, Math.max(0, Math.floor(limit)));
    },
    usage() {
      const now = clock.now();
      return [...counters.entries()].map(([key, c]) => {
        const d = decision(c, true, now);
        return { key, limit: c.limit, used: d.used, remaining: d.remaining, windowMs: c.windowMs, resetAt: d.resetAt, mode: c.mode };
      });
    },
    overrides: () => [...overrideMap.entries()].map(([keyPrefix, limit]) => ({ keyPrefix, limit })),
    reset() {
      counters.clear();
      overrideMap.clear();
      rejected.clear();
    },
  };
}
