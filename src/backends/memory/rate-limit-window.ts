import type { CounterState } from '../../ports/rate-limit-backend.ts';
import { RATE_WINDOW_BUCKETS } from '../../ports/rate-limit-backend.ts';

/**
 * One window counter in memory, with the same arithmetic as the Redis script
 * (src/backends/redis/lua/take.lua): conservative bucketed sliding window plus the
 * provider overlay. Pure apart from mutating the counter it is given.
 */
export interface WindowCounter {
  /** bucket index -> uses. */
  buckets: Map<number, number>;
  /** The provider's figures: limit, our count (`used`), the highest count it reported (`reported`), reset. */
  overlay: { limit: number; used: number; reported: number; resetsAt: number } | null;
  /** Takes not yet observed. */
  pending: number;
  /** A refusal (429) closes the counter until then, whatever the counts say. */
  blockedUntil: number;
}

export function newWindowCounter(): WindowCounter {
  return { buckets: new Map(), overlay: null, pending: 0, blockedUntil: 0 };
}

export function bucketMsOf(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / RATE_WINDOW_BUCKETS));
}

/** Drops buckets that left the window; returns the count of the rest and the oldest live bucket. */
function liveBuckets(counter: WindowCounter, windowMs: number, now: number): { used: number; first: number | null } {
  const oldest = Math.floor((now - windowMs) / bucketMsOf(windowMs));
  let used = 0;
  let first: number | null = null;
  for (const [index, count] of counter.buckets) {
    if (index < oldest) counter.buckets.delete(index);
    else {
      used += count;
      if (first === null || index < first) first = index;
    }
  }
  return { used, first };
}

export interface WindowCheck {
  state: CounterState;
  /** 0 when `cost` fits now; otherwise ms until it does. */
  waitMs: number;
  overlayActive: boolean;
}

/** What a take of `cost` would find, without taking. */
export function checkWindow(counter: WindowCounter, limit: number, scale: number, windowMs: number, cost: number, now: number): WindowCheck {
  const overlay = counter.overlay;
  if (counter.blockedUntil > now) {
    const blockedLimit = Math.floor((overlay?.limit ?? limit) * scale);
    const state = { used: Math.max(blockedLimit, overlay?.used ?? 0), limit: blockedLimit, resetsAt: counter.blockedUntil };
    return { state, waitMs: cost > 0 ? counter.blockedUntil - now : 0, overlayActive: overlay !== null && overlay.resetsAt > now };
  }
  if (overlay !== null && overlay.resetsAt > now) {
    const effective = Math.floor(overlay.limit * scale);
    const fits = overlay.used + cost <= effective;
    return { state: { used: overlay.used, limit: effective, resetsAt: overlay.resetsAt }, waitMs: fits ? 0 : overlay.resetsAt - now, overlayActive: true };
  }
  if (overlay !== null) counter.overlay = null;
  const effective = Math.floor(limit * scale);
  const { used, first } = liveBuckets(counter, windowMs, now);
  const bucketMs = bucketMsOf(windowMs);
  const resetsAt = first === null ? now : (first + 1) * bucketMs + windowMs;
  if (used + cost <= effective) return { state: { used, limit: effective, resetsAt }, waitMs: 0, overlayActive: false };
  if (cost > effective) return { state: { used, limit: effective, resetsAt }, waitMs: windowMs, overlayActive: false };
  const need = used + cost - effective;
  let freed = 0;
  let waitMs = windowMs;
  const live = [...counter.buckets.entries()].sort((x, y) => x[0] - y[0]);
  for (const [index, count] of live) {
    freed += count;
    if (freed >= need) {
      waitMs = Math.max(1, (index + 1) * bucketMs + windowMs - now);
      break;
    }
  }
  return { state: { used, limit: effective, resetsAt }, waitMs, overlayActive: false };
}

/** Records a take that `checkWindow` allowed. */
export function applyWindow(counter: WindowCounter, windowMs: number, cost: number, observed: boolean, overlayActive: boolean, now: number): void {
  const index = Math.floor(now / bucketMsOf(windowMs));
  counter.buckets.set(index, (counter.buckets.get(index) ?? 0) + cost);
  if (observed) counter.pending += 1;
  if (overlayActive && counter.overlay !== null) counter.overlay.used += cost;
}
