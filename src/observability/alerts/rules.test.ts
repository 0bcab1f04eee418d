import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../prometheus-metrics.ts';
import { AlertTracker, DEFAULT_ALERT_THRESHOLDS, evaluateAlerts, histogramQuantile, type MetricsSample } from './rules.ts';
import { sampleFrom } from './sample.ts';

const INF = Number.POSITIVE_INFINITY;

function sample(at: number, over: Partial<MetricsSample> = {}): MetricsSample {
  return {
    at,
    invocations: { total: 0, failed: 0 },
    syncDuration: { buckets: [[1, 0], [5, 0], [10, 0], [INF, 0]], count: 0 },
    queueDepth: {},
    tokenRefreshes: { total: 0, failed: 0 },
    webhookSignatureFailures: 0,
    ...over,
  };
}

const byName = (readings: ReturnType<typeof evaluateAlerts>) => Object.fromEntries(readings.map((r) => [r.name, r]));

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank, as PromQL does', () => {
    // 100 observations: 50 under 1 s, 40 in (1, 5], 10 in (5, 10].
    const buckets = [[1, 50], [5, 90], [10, 100], [INF, 100]] as const;
    expect(histogramQuantile(0.5, buckets)).toBe(1);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(7.5, 6);
    expect(histogramQuantile(0.95, [[1, 0], [INF, 0]])).toBeNull();
    // Beyond the last finite bound: that bound.
    expect(histogramQuantile(0.99, [[1, 1], [INF, 10]])).toBe(1);
  });
});

describe('evaluateAlerts', () => {
  it('judges each alert over the interval between two samples, with the default thresholds', () => {
    const before = sample(0, { invocations: { total: 1000, failed: 5 }, tokenRefreshes: { total: 10, failed: 0 }, webhookSignatureFailures: 3 });
    const after = sample(60_000, {
      invocations: { total: 1100, failed: 7 },
      syncDuration: { buckets: [[1, 0], [5, 10], [10, 30], [INF, 30]], count: 30 },
      queueDepth: { 'sync-inbound': 1200, notifications: 3 },
      tokenRefreshes: { total: 20, failed: 2 },
      webhookSignatureFailures: 10,
    });
    const r = byName(evaluateAlerts(before, after));
    expect(r.error_rate).toMatchObject({ value: 0.02, breached: true, threshold: 0.01 });
    expect(r.sync_latency_p95!.value).toBeCloseTo(9.625, 6);
    expect(r.sync_latency_p95!.breached).toBe(true);
    expect(r.queue_depth).toMatchObject({ value: 1200, breached: true, detail: 'queue sync-inbound' });
    expect(r.token_refresh_failure_rate).toMatchObject({ value: 0.2, breached: true });
    expect(r.webhook_signature_failures).toMatchObject({ value: 7, breached: true });
  });

  it('stays quiet at or under the thresholds, and judges no rate from too few samples', () => {
    const before = sample(0);
    const calm = byName(evaluateAlerts(before, sample(60_000, { invocations: { total: 100, failed: 1 }, queueDepth: { 'sync-inbound': 1000 }, webhookSignatureFailures: 5 })));
    expect(Object.values(calm).filter((r) => r.breached)).toEqual([]);
    const few = byName(evaluateAlerts(before, sample(60_000, { invocations: { total: 3, failed: 3 }, tokenRefreshes: { total: 1, failed: 1 } })));
    expect(few.error_rate!.value).toBeNull();
    expect(few.token_refresh_failure_rate!.value).toBeNull();
    expect(few.sync_latency_p95!.value).toBeNull();
  });

  it('takes configured thresholds and reads a counter reset (a restart) as a fresh start', () => {
    const thresholds = { ...DEFAULT_ALERT_THRESHOLDS, errorRate: 0.5, queueDepth: 10 };
    const r = byName(evaluateAlerts(sample(0, { invocations: { total: 5000, failed: 10 } }), sample(60_000, { invocations: { total: 40, failed: 30 }, queueDepth: { notifications: 11 } }), thresholds));
    expect(r.error_rate).toMatchObject({ value: 0.75, breached: true, threshold: 0.5 });
    expect(r.queue_depth).toMatchObject({ value: 11, breached: true, threshold: 10 });
  });
});

describe('AlertTracker', () => {
  const reading = (breached: boolean, value = breached ? 0.05 : 0) => [{ name: 'error_rate' as const, value, threshold: 0.01, breached }];

  it('fires once per breach and resolves once, folds a breach that comes back within the window', () => {
    const tracker = new AlertTracker(600_000);
    expect(tracker.update(reading(true), 0)).toMatchObject([{ name: 'error_rate', state: 'firing', folded: 0 }]);
    expect(tracker.update(reading(true), 60_000)).toEqual([]);
    expect(tracker.firing()).toEqual(['error_rate']);
    expect(tracker.update(reading(false), 120_000)).toMatchObject([{ state: 'resolved' }]);
    // Flapping inside the fold window: neither the new breach nor its end is sent...
    expect(tracker.update(reading(true), 180_000)).toEqual([]);
    expect(tracker.update(reading(false), 240_000)).toEqual([]);
    // ...and the next breach after the window says how many were folded.
    expect(tracker.update(reading(true), 700_000)).toMatchObject([{ state: 'firing', folded: 1, at: 700_000 }]);
    // No data keeps the state.
    expect(tracker.update([{ name: 'error_rate', value: null, threshold: 0.01, breached: false }], 760_000)).toEqual([]);
    expect(tracker.firing()).toEqual(['error_rate']);
  });
});

describe('sampleFrom', () => {
  it('reads the alerts\' counters from the Prometheus registry of the metrics the platform records', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.invocation({ role: 'inbound-worker', fn: 'sync-inbound', outcome: 'success', durationMs: 10 });
    metrics.invocation({ role: 'inbound-worker', fn: 'sync-inbound', outcome: 'failure', durationMs: 10 });
    metrics.workerJob({ queue: 'sync-inbound', outcome: 'success', durationMs: 6000 });
    metrics.workerJob({ queue: 'webhook-events', outcome: 'success', durationMs: 100 });
    metrics.tokenRefresh({ provider: 'google', outcome: 'failure', durationMs: 50, reason: 'PROVIDER_UNAVAILABLE' });
    metrics.tokenRefresh({ provider: 'google', outcome: 'success', durationMs: 50 });
    metrics.webhookVerification({ provider: 'github', ok: false, reason: 'signature' });
    metrics.webhookVerification({ provider: 'github', ok: true });
    const s = sampleFrom(await metrics.values(), 5);
    expect(s).toMatchObject({ at: 5, invocations: { total: 2, failed: 1 }, tokenRefreshes: { total: 2, failed: 1 }, webhookSignatureFailures: 1 });
    expect(s.syncDuration.count).toBe(1);
    expect(histogramQuantile(0.95, s.syncDuration.buckets)).toBeGreaterThan(5);
  });
});
