import { describe, expect, it } from 'vitest';
import { TributaryError } from '../domain/errors.ts';
import type { QueueStats } from '../ports/job-queue.ts';
import type { RateLimitStatusEntry } from '../ratelimit/index.ts';
import { NO_METRICS, PrometheusMetrics, timed } from './index.ts';

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const manualClock = () => {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

function queueStats(queue: QueueStats['queue'], ready: number, oldestReadyAgeMs: number): QueueStats {
  return { queue, ready, delayed: 2, running: 1, deadLetters: 3, oldestReadyAgeMs };
}

function counter(provider: string | null, used: number, limit: number, extra: Partial<RateLimitStatusEntry> = {}): RateLimitStatusEntry {
  return {
    key: `k:${provider}:${used}`, level: 'connection', kind: 'window', rule: 'r', provider, tenantId: 'ten_1', connectionId: 'con_1',
    limit, used, remaining: limit - used, resetsAt: '2026-01-01T00:00:00.000Z', windowMs: 1000, multiplier: 1, waiting: 0, ...extra,
  };
}

describe('PrometheusMetrics instruments', () => {
  it('counts invocations by outcome and observes their duration in seconds', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.invocation({ role: 'inbound-worker', fn: 'sync-inbound', outcome: 'success', durationMs: 1_500 });
    metrics.invocation({ role: 'inbound-worker', fn: 'sync-inbound', outcome: 'failure', durationMs: 20 });
    const text = await metrics.scrape();
    const labels = { role: 'inbound-worker', function: 'sync-inbound' };
    expect(sample(text, 'tributary_invocations_total', { ...labels, outcome: 'success' })).toBe(1);
    expect(sample(text, 'tributary_invocations_total', { ...labels, outcome: 'failure' })).toBe(1);
    expect(sample(text, 'tributary_invocation_duration_seconds_sum', { ...labels, outcome: 'success' })).toBe(1.5);
    expect(sample(text, 'tributary_invocation_duration_seconds_bucket', { ...labels, outcome: 'success', le: '1' })).toBe(0);
    expect(sample(text, 'tributary_invocation_duration_seconds_bucket', { ...labels, outcome: 'success', le: '2' })).toBe(1);
  });

  it('records the data-flow instruments: records, dedup, conflicts, webhook verification', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.syncRecords({ provider: 'salesforce', direction: 'inbound', records: 120, failed: 20 });
    metrics.dedup({ entityType: 'person', candidates: 10, matches: 4 });
    metrics.conflicts({ entityType: 'person', detected: 3 });
    metrics.conflicts({ entityType: 'person', resolved: 2, resolution: 'manual' });
    metrics.webhookVerification({ provider: 'github', ok: true });
    metrics.webhookVerification({ provider: 'github', ok: false, reason: 'signature' });
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_sync_records_total', { provider: 'salesforce', direction: 'inbound', result: 'ok' })).toBe(100);
    expect(sample(text, 'tributary_sync_records_total', { provider: 'salesforce', direction: 'inbound', result: 'failed' })).toBe(20);
    expect(sample(text, 'tributary_sync_run_records_count', { provider: 'salesforce' })).toBe(1);
    expect(sample(text, 'tributary_dedup_candidates_total', { entity_type: 'person' })).toBe(10);
    expect(sample(text, 'tributary_dedup_matches_total', { entity_type: 'person' })).toBe(4);
    expect(sample(text, 'tributary_conflicts_detected_total', { entity_type: 'person' })).toBe(3);
    expect(sample(text, 'tributary_conflicts_resolved_total', { entity_type: 'person', resolution: 'manual' })).toBe(2);
    expect(sample(text, 'tributary_webhook_verifications_total', { provider: 'github', result: 'success', reason: 'none' })).toBe(1);
    expect(sample(text, 'tributary_webhook_verifications_total', { provider: 'github', result: 'failure', reason: 'signature' })).toBe(1);
  });

  it('records latencies and token refreshes, and ignores values that are not numbers', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.workerJob({ queue: 'sync-inbound', outcome: 'success', durationMs: 300, waitMs: 50 });
    metrics.workerJob({ queue: 'sync-inbound', outcome: 'success', durationMs: Number.NaN });
    metrics.webhookLatency({ provider: 'slack', stage: 'intake', durationMs: 4 });
    metrics.tokenRefresh({ provider: 'google', outcome: 'success', durationMs: 200 });
    metrics.tokenRefresh({ provider: 'google', outcome: 'failure', durationMs: 90, reason: 'AUTH_REVOKED' });
    metrics.syncRecords({ provider: 'notion', direction: 'outbound', records: Number.POSITIVE_INFINITY });
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_worker_job_duration_seconds_count', { queue: 'sync-inbound', outcome: 'success' })).toBe(1);
    expect(sample(text, 'tributary_worker_job_wait_seconds_sum', { queue: 'sync-inbound' })).toBe(0.05);
    expect(sample(text, 'tributary_webhook_latency_seconds_bucket', { provider: 'slack', stage: 'intake', le: '0.005' })).toBe(1);
    expect(sample(text, 'tributary_token_refresh_duration_seconds_count', { provider: 'google', outcome: 'failure' })).toBe(1);
    expect(sample(text, 'tributary_token_refresh_failures_total', { provider: 'google', reason: 'AUTH_REVOKED' })).toBe(1);
    expect(sample(text, 'tributary_sync_run_records_count', { provider: 'notion' })).toBeUndefined();
  });

  it('cuts long label values and names empty ones unknown', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.error({ category: 'permanent', code: 'X'.repeat(500), source: '  ' });
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_errors_total', { category: 'permanent', code: 'X'.repeat(64), source: 'unknown' })).toBe(1);
  });

  it('includes the default process metrics unless turned off', async () => {
    const withDefaults = await new PrometheusMetrics().scrape();
    expect(sample(withDefaults, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(withDefaults, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(await new PrometheusMetrics({ defaultMetrics: false }).scrape()).not.toContain('process_resident_memory_bytes');
  });
});

describe('PrometheusMetrics scrape-time gauges', () => {
  it('reports each queue by state, its depth (ready + delayed) and oldest ready age', async () => {
    let stats = [queueStats('sync-inbound', 7, 2_500), queueStats('notifications', 0, 0)];
    const metrics = new PrometheusMetrics({ defaultMetrics: false, queues: { stats: async () => stats } });
    let text = await metrics.scrape();
    expect(sample(text, 'tributary_queue_jobs', { queue: 'sync-inbound', state: 'ready' })).toBe(7);
    expect(sample(text, 'tributary_queue_jobs', { queue: 'sync-inbound', state: 'dead_letter' })).toBe(3);
    expect(sample(text, 'tributary_queue_depth', { queue: 'sync-inbound' })).toBe(9);
    expect(sample(text, 'tributary_queue_oldest_ready_age_seconds', { queue: 'sync-inbound' })).toBe(2.5);
    stats = [queueStats('notifications', 1, 10)];
    text = await metrics.scrape();
    expect(sample(text, 'tributary_queue_depth', { queue: 'sync-inbound' })).toBeUndefined();
    expect(sample(text, 'tributary_queue_depth', { queue: 'notifications' })).toBe(3);
  });

  it('sums rate-limit usage per provider and level and reports the fullest counter', async () => {
    const status = [
      counter('github', 30, 100), counter('github', 90, 100, { waiting: 2 }), counter('github', 4, 10, { kind: 'concurrency' }),
      counter(null, 5, 1000, { level: 'global' }),
    ];
    const metrics = new PrometheusMetrics({ defaultMetrics: false, rateLimits: { status: async () => status } });
    const text = await metrics.scrape();
    const window = { provider: 'github', level: 'connection', kind: 'window' };
    expect(sample(text, 'tributary_rate_limit_used', window)).toBe(120);
    expect(sample(text, 'tributary_rate_limit_limit', window)).toBe(200);
    expect(sample(text, 'tributary_rate_limit_utilization_ratio', window)).toBe(0.9);
    expect(sample(text, 'tributary_rate_limit_waiting', { provider: 'github', level: 'connection', kind: 'window' })).toBe(2);
    expect(sample(text, 'tributary_rate_limit_used', { provider: 'github', level: 'connection', kind: 'concurrency' })).toBe(4);
    expect(sample(text, 'tributary_rate_limit_used', { provider: 'all', level: 'global' })).toBe(5);
  });

  it('still answers when a source fails, counting the failure and dropping its stale series', async () => {
    let fail = false;
    const metrics = new PrometheusMetrics({
      defaultMetrics: false,
      queues: { stats: async () => { if (fail) throw new Error('database is locked'); return [queueStats('sync-inbound', 1, 0)]; } },
    });
    expect(sample(await metrics.scrape(), 'tributary_queue_depth', { queue: 'sync-inbound' })).toBe(3);
    fail = true;
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_queue_depth', { queue: 'sync-inbound' })).toBeUndefined();
    expect(sample(text, 'tributary_metrics_collect_errors_total', { source: 'queue' })).toBe(1);
  });
});

describe('timed', () => {
  it('records a success with its duration on the injected clock and returns the result', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const clock = manualClock();
    const result = await timed(metrics, clock, { role: 'scheduler', fn: 'tick' }, async () => {
      clock.advance(250);
      return 42;
    });
    expect(result).toBe(42);
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_invocation_duration_seconds_sum', { role: 'scheduler', function: 'tick', outcome: 'success' })).toBe(0.25);
  });

  it('records a failure and its error code, then rethrows the same error', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const clock = manualClock();
    const thrown = new TributaryError('STORE_UNAVAILABLE', 'busy');
    await expect(timed(metrics, clock, { role: 'token-refresher', fn: 'pass' }, () => Promise.reject(thrown))).rejects.toBe(thrown);
    await expect(timed(metrics, clock, { role: 'token-refresher', fn: 'pass' }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_invocations_total', { role: 'token-refresher', outcome: 'failure' })).toBe(2);
    expect(sample(text, 'tributary_errors_total', { category: 'transient', code: 'STORE_UNAVAILABLE', source: 'token-refresher' })).toBe(1);
    expect(sample(text, 'tributary_errors_total', { category: 'transient', code: 'UNCLASSIFIED', source: 'token-refresher' })).toBe(1);
  });

  it('works with NO_METRICS, which records nothing', async () => {
    expect(await timed(NO_METRICS, manualClock(), { role: 'r', fn: 'f' }, async () => 'ok')).toBe('ok');
  });
});
