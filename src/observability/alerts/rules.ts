/**
 * The operator alerts (the reference's monitoring section), evaluated from two samples of
 * this process's counters taken an interval apart. Pure: no clock, no registry, no I/O.
 *
 * | alert | value | default threshold |
 * |---|---|---|
 * | `error_rate` | failed / all invocations in the interval | > 1 % (with at least `minSamples` invocations) |
 * | `sync_latency_p95` | p95 of `sync-inbound` job durations in the interval, seconds | > 5 s (at least `minSamples` jobs) |
 * | `queue_depth` | largest ready + delayed count of one queue, now | > 1,000 |
 * | `token_refresh_failure_rate` | failed / all refreshes in the interval | > 10 % (at least `minRefreshes` refreshes) |
 * | `webhook_signature_failures` | failed signature checks per minute over the interval | > 5 |
 */

export const ALERT_NAMES = ['error_rate', 'sync_latency_p95', 'queue_depth', 'token_refresh_failure_rate', 'webhook_signature_failures'] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export interface AlertThresholds {
  /** Fraction, 0.01 = 1 %. */
  readonly errorRate: number;
  readonly syncLatencyP95Seconds: number;
  readonly queueDepth: number;
  /** Fraction, 0.1 = 10 %. */
  readonly tokenRefreshFailureRate: number;
  readonly webhookSignatureFailuresPerMinute: number;
  /** Invocations (or sync jobs) an interval needs before a rate or a percentile means anything. */
  readonly minSamples: number;
  /** Refreshes an interval needs before their failure rate is judged. */
  readonly minRefreshes: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = Object.freeze({
  errorRate: 0.01,
  syncLatencyP95Seconds: 5,
  queueDepth: 1000,
  tokenRefreshFailureRate: 0.1,
  webhookSignatureFailuresPerMinute: 5,
  minSamples: 20,
  minRefreshes: 3,
});

/** Cumulative counters (since the process started) and current gauges, at one moment. */
export interface MetricsSample {
  /** Epoch ms. */
  readonly at: number;
  readonly invocations: { readonly total: number; readonly failed: number };
  /** Cumulative histogram of `sync-inbound` job durations: upper bounds (seconds, ascending, last +Inf) and counts <= each. */
  readonly syncDuration: { readonly buckets: readonly (readonly [number, number])[]; readonly count: number };
  /** Ready + delayed jobs per queue, now. */
  readonly queueDepth: Readonly<Record<string, number>>;
  readonly tokenRefreshes: { readonly total: number; readonly failed: number };
  readonly webhookSignatureFailures: number;
}

export interface AlertReading {
  readonly name: AlertName;
  /** null: not enough data in the interval to judge (the alert keeps its state). */
  readonly value: number | null;
  readonly threshold: number;
  readonly breached: boolean;
  /** What the value measures, for the message (`queue sync-inbound`). */
  readonly detail?: string;
}

/** The quantile `q` of a cumulative histogram, linearly interpolated inside its bucket (as PromQL's histogram_quantile). */
export function histogramQuantile(q: number, buckets: readonly (readonly [number, number])[]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // Above the last finite bucket PromQL answers that bucket's bound.
      if (!Number.isFinite(bound)) return lowerBound;
      if (count === lowerCount) return bound;
      return lowerBound + (bound - lowerBound) * ((rank - lowerCount) / (count - lowerCount));
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

function rate(failed: number, total: number, min: number): number | null {
  return total >= min && total > 0 ? failed / total : null;
}

/** Readings of every alert over the interval from `previous` to `current` (counter resets read as a fresh start). */
export function evaluateAlerts(previous: MetricsSample, current: MetricsSample, thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): AlertReading[] {
  const delta = (now: number, before: number): number => (now >= before ? now - before : now);
  // A process restart resets every counter together: judged on the totals, so a pair stays consistent.
  const pair = (now: { total: number; failed: number }, before: { total: number; failed: number }) =>
    now.total >= before.total ? { total: now.total - before.total, failed: Math.max(0, now.failed - before.failed) } : now;
  const { total: invocations, failed: failedInvocations } = pair(current.invocations, previous.invocations);
  const { total: refreshes, failed: failedRefreshes } = pair(current.tokenRefreshes, previous.tokenRefreshes);
  const minutes = Math.max(1, current.at - previous.at) / 60_000;
  const signatureFailures = delta(current.webhookSignatureFailures, previous.webhookSignatureFailures);

  const before = new Map(previous.syncDuration.buckets.map(([bound, count]) => [bound, count]));
  const syncBuckets = current.syncDuration.buckets.map(([bound, count]) => [bound, delta(count, before.get(bound) ?? 0)] as const);
  const syncJobs = delta(current.syncDuration.count, previous.syncDuration.count);
  const p95 = syncJobs >= thresholds.minSamples ? histogramQuantile(0.95, syncBuckets) : null;

  const deepest = Object.entries(current.queueDepth).sort((a, b) => b[1] - a[1])[0];

  const reading = (name: AlertName, value: number | null, threshold: number, detail?: string): AlertReading => ({
    name, value, threshold, breached: value !== null && value > threshold, ...(detail === undefined ? {} : { detail }),
  });
  return [
    reading('error_rate', rate(failedInvocations, invocations, thresholds.minSamples), thresholds.errorRate),
    reading('sync_latency_p95', p95, thresholds.syncLatencyP95Seconds),
    reading('queue_depth', deepest === undefined ? 0 : deepest[1], thresholds.queueDepth, deepest === undefined ? undefined : `queue ${deepest[0]}`),
    reading('token_refresh_failure_rate', rate(failedRefreshes, refreshes, thresholds.minRefreshes), thresholds.tokenRefreshFailureRate),
    reading('webhook_signature_failures', signatureFailures / minutes, thresholds.webhookSignatureFailuresPerMinute),
  ];
}

/** What the operator hears: an alert that started firing, or one that resolved. */
export interface AlertTransition {
  readonly name: AlertName;
  readonly state: 'firing' | 'resolved';
  readonly value: number;
  readonly threshold: number;
  readonly at: number;
  readonly detail?: string;
  /** Firing: breaches folded (not sent) since the last message about this alert. */
  readonly folded: number;
}

interface AlertState {
  firing: boolean;
  /** Whether the current breach was announced (a folded breach resolves silently). */
  announced: boolean;
  lastAnnouncedAt: number;
  folded: number;
}

/**
 * Turns readings into transitions: an alert fires once when it starts breaching and
 * resolves once when it stops; a breach that starts again within `foldWindowMs` of the
 * last announced one is folded (counted, not sent) and reported with the next
 * announcement, so a flapping alert cannot flood the operator channel. Readings
 * without data (`value` null) change nothing.
 */
export class AlertTracker {
  readonly #states = new Map<AlertName, AlertState>();
  readonly #foldWindowMs: number;

  constructor(foldWindowMs: number) {
    this.#foldWindowMs = foldWindowMs;
  }

  /** Applies one evaluation taken at `at`; returns what to send. */
  update(readings: readonly AlertReading[], at: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const r of readings) {
      if (r.value === null) continue;
      const state = this.#states.get(r.name) ?? { firing: false, announced: false, lastAnnouncedAt: Number.NEGATIVE_INFINITY, folded: 0 };
      this.#states.set(r.name, state);
      const base = { name: r.name, value: r.value, threshold: r.threshold, at, ...(r.detail === undefined ? {} : { detail: r.detail }) };
      if (r.breached && !state.firing) {
        state.firing = true;
        if (at - state.lastAnnouncedAt < this.#foldWindowMs) {
          state.folded += 1;
          state.announced = false;
        } else {
          out.push({ ...base, state: 'firing', folded: state.folded });
          state.folded = 0;
          state.announced = true;
          state.lastAnnouncedAt = at;
        }
      } else if (!r.breached && state.firing) {
        state.firing = false;
        if (state.announced) out.push({ ...base, state: 'resolved', folded: 0 });
        state.announced = false;
      }
    }
    return out;
  }

  /** Names of the alerts firing now. */
  firing(): AlertName[] {
    return [...this.#states].filter(([, s]) => s.firing).map(([name]) => name);
  }
}
