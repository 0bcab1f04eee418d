/**
 * A `MetricsSample` read from this process's prom-client values (PrometheusMetrics.values):
 * the counters the alerts need, summed over their labels. Pure over the values.
 */
import type { MetricsSample } from './rules.ts';

/** The shape of prom-client's `getMetricsAsJSON()` entries that this reads. */
export interface MetricValues {
  readonly name: string;
  readonly values: readonly { readonly value: number; readonly labels: Readonly<Record<string, string | number | undefined>>; readonly metricName?: string }[];
}

export function sampleFrom(metrics: readonly MetricValues[], at: number): MetricsSample {
  const byName = new Map(metrics.map((m) => [m.name, m.values]));
  const sum = (name: string, match: (labels: Readonly<Record<string, string | number | undefined>>) => boolean = () => true, metricName?: string): number =>
    (byName.get(name) ?? []).filter((v) => (metricName === undefined || v.metricName === metricName) && match(v.labels)).reduce((total, v) => total + v.value, 0);

  const buckets = new Map<number, number>();
  for (const v of byName.get('tributary_worker_job_duration_seconds') ?? []) {
    if (v.metricName !== 'tributary_worker_job_duration_seconds_bucket' || v.labels['queue'] !== 'sync-inbound') continue;
    // Aborted attempts were not a run's latency (the job went back to the queue).
    if (v.labels['outcome'] === 'aborted') continue;
    const le = v.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels['le']);
    buckets.set(le, (buckets.get(le) ?? 0) + v.value);
  }
  const syncBuckets = [...buckets].sort((a, b) => a[0] - b[0]);

  const queueDepth: Record<string, number> = {};
  for (const v of byName.get('tributary_queue_depth') ?? []) queueDepth[String(v.labels['queue'])] = v.value;

  return {
    at,
    invocations: {
      total: sum('tributary_invocations_total'),
      failed: sum('tributary_invocations_total', (l) => l['outcome'] === 'failure'),
    },
    syncDuration: { buckets: syncBuckets, count: syncBuckets.at(-1)?.[1] ?? 0 },
    queueDepth,
    tokenRefreshes: {
      total: sum('tributary_token_refresh_duration_seconds', () => true, 'tributary_token_refresh_duration_seconds_count'),
      failed: sum('tributary_token_refresh_duration_seconds', (l) => l['outcome'] === 'failure', 'tributary_token_refresh_duration_seconds_count'),
    },
    webhookSignatureFailures: sum('tributary_webhook_verifications_total', (l) => l['result'] === 'failure'),
  };
}
