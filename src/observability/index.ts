/**
 * Observability: Prometheus metrics. Features take a `Metrics` (default `NO_METRICS`)
 * and call its methods; they never import prom-client. The composition root builds one
 * `PrometheusMetrics` per process, hands it to the features as their `Metrics`, and the
 * API serves `scrape()` at `GET /metrics`.
 *
 *   const metrics = new PrometheusMetrics({ queues: queue, rateLimits: rateLimitAdmin });
 *   const meteredJobs = meteredQueue(queue, metrics, clock); // every consumer's jobs timed
 *   await timed(metrics, clock, { role: 'inbound-worker', fn: 'sync-inbound' }, () => run());
 *   metrics.webhookVerification({ provider: 'github', ok: false, reason: 'signature' });
 */
export { NO_METRICS } from './metrics.ts';
export type {
  ConflictEvent, DedupEvent, ErrorEvent, InvocationEvent, Metrics, Outcome, SyncRecordsEvent, TokenRefreshEvent,
  WebhookLatencyEvent, WebhookVerificationEvent, WorkerJobEvent,
} from './metrics.ts';
export { PrometheusMetrics } from './prometheus-metrics.ts';
export type { HttpRequestEvent, PrometheusMetricsOptions, QueueStatsSource, RateLimitStatusSource } from './prometheus-metrics.ts';
export { timed } from './timed.ts';
export { QUEUE_ROLES, meteredQueue } from './metered-queue.ts';
export { HTTP_BUCKETS_SECONDS, LATENCY_BUCKETS_SECONDS, RECORD_COUNT_BUCKETS, REFRESH_BUCKETS_SECONDS } from './buckets.ts';
export * from './alerts/index.ts';
export { MANUAL_SYNC_TRACING, jobIdAttributes, runTracedJob, tracedEnqueues, tracedQueue } from './traced-queue.ts';
export type { ProducerTracing } from './traced-queue.ts';
export { currentLogContext, currentRequestContext, runWithLogContext, runWithRequestContext } from './log-context.ts';
export type { LogContext, RequestContext } from './log-context.ts';
export { activeTraceIds, newTraceRootId, recordIntakeSpan, rootsTrace, spanContextOfCorrelation, startProducerSpan, startTracing, tracedFetch, tracingEnabled, withJobSpan } from './tracing.ts';
export type { ProducerSpan, TraceOrigin, Tracing, TracingOptions } from './tracing.ts';
