import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TributaryError } from '../domain/errors.ts';
import type { QueueStats } from '../ports/job-queue.ts';
import type { RateLimitStatusEntry } from '../ratelimit/index.ts';
import { HTTP_BUCKETS_SECONDS, LATENCY_BUCKETS_SECONDS, RECORD_COUNT_BUCKETS, REFRESH_BUCKETS_SECONDS } from './buckets.ts';
import { count, labelValue, seconds } from './labels.ts';
import type {
  ConflictEvent, DedupEvent, ErrorEvent, InvocationEvent, Metrics, SyncRecordsEvent, TokenRefreshEvent,
  WebhookLatencyEvent, WebhookVerificationEvent, WorkerJobEvent,
} from './metrics.ts';
import { QueueGauges, RateLimitGauges } from './scrape-gauges.ts';

/** Where queue depth comes from on each scrape (a `JobQueue`). */
export interface QueueStatsSource {
  stats(): Promise<QueueStats[]>;
}

/** Where rate-limit usage comes from on each scrape (a `RateLimitAdmin`). */
export interface RateLimitStatusSource {
  status(): Promise<RateLimitStatusEntry[]>;
}

export interface PrometheusMetricsOptions {
  queues?: QueueStatsSource;
  rateLimits?: RateLimitStatusSource;
  /** prom-client's default Node and process metrics (memory, CPU, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
}

/** One HTTP request as the API's hook reports it. */
export interface HttpRequestEvent {
  readonly method: string;
  /** The route's pattern (`/v1/tenants/:tenantId`), never the raw URL; null when no route matched. */
  readonly route: string | null;
  readonly statusCode: number;
  readonly durationMs: number;
}

/**
 * The `Metrics` instruments on a prom-client registry of their own (never the global
 * one, so several platforms can live in one test process), plus the gauges read on each
 * scrape: queue depth and oldest-ready age per queue, rate-limit usage per provider.
 * A failing source does not fail the scrape: its gauges are left empty and
 * `tributary_metrics_collect_errors_total{source}` counts it.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  #queues: QueueGauges | null = null;
  #rateLimits: RateLimitGauges | null = null;
  readonly #collectErrors: Counter<'source'>;

  readonly #invocations: Counter<'role' | 'function' | 'outcome'>;
  readonly #invocationDuration: Histogram<'role' | 'function' | 'outcome'>;
  readonly #errors: Counter<'category' | 'code' | 'source'>;
  readonly #syncRecords: Counter<'provider' | 'direction' | 'result'>;
  readonly #syncRunRecords: Histogram<'provider' | 'direction'>;
  readonly #dedupCandidates: Counter<'entity_type'>;
  readonly #dedupMatches: Counter<'entity_type'>;
  readonly #conflictsDetected: Counter<'entity_type'>;
  readonly #conflictsResolved: Counter<'entity_type' | 'resolution'>;
  readonly #webhookVerifications: Counter<'provider' | 'result' | 'reason'>;
  readonly #workerDuration: Histogram<'queue' | 'outcome'>;
  readonly #workerWait: Histogram<'queue'>;
  readonly #webhookLatency: Histogram<'provider' | 'stage'>;
  readonly #refreshDuration: Histogram<'provider' | 'outcome'>;
  readonly #refreshFailures: Counter<'provider' | 'reason'>;
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      new Counter({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> =>
      new Histogram({ name, help, labelNames, buckets: [...buckets], registers });

    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.#collectErrors = counter('tributary_metrics_collect_errors_total', 'Scrape-time sources (queue, rate_limit) that failed to answer.', ['source']);
    this.watch(options);

    this.#invocations = counter('tributary_invocations_total', 'Units of work per role and function, by outcome (success/failure).', ['role', 'function', 'outcome']);
    this.#invocationDuration = histogram('tributary_invocation_duration_seconds', 'Duration of units of work per role and function.', ['role', 'function', 'outcome'], LATENCY_BUCKETS_SECONDS);
    this.#errors = counter('tributary_errors_total', 'Errors by catalog category and code, and where they were seen.', ['category', 'code', 'source']);
    this.#syncRecords = counter('tributary_sync_records_total', 'Records processed by sync runs, by result (ok/failed).', ['provider', 'direction', 'result']);
    this.#syncRunRecords = histogram('tributary_sync_run_records', 'Records processed per sync run.', ['provider', 'direction'], RECORD_COUNT_BUCKETS);
    this.#dedupCandidates = counter('tributary_dedup_candidates_total', 'Dedup candidates compared; match rate = matches / candidates.', ['entity_type']);
    this.#dedupMatches = counter('tributary_dedup_matches_total', 'Dedup candidates that matched.', ['entity_type']);
    this.#conflictsDetected = counter('tributary_conflicts_detected_total', 'Conflicts detected (both sides changed).', ['entity_type']);
    this.#conflictsResolved = counter('tributary_conflicts_resolved_total', 'Conflicts resolved, by how.', ['entity_type', 'resolution']);
    this.#webhookVerifications = counter('tributary_webhook_verifications_total', 'Inbound webhook signature checks, by result (success/failure) and failure reason.', ['provider', 'result', 'reason']);
    this.#workerDuration = histogram('tributary_worker_job_duration_seconds', 'Queue job handler time per queue (inbound, outbound, webhook, notification workers).', ['queue', 'outcome'], LATENCY_BUCKETS_SECONDS);
    this.#workerWait = histogram('tributary_worker_job_wait_seconds', 'Time from enqueue to a worker picking the job up (first attempts; includes any requested delay).', ['queue'], LATENCY_BUCKETS_SECONDS);
    this.#webhookLatency = histogram('tributary_webhook_latency_seconds', 'Webhook latency from receipt: intake (to the durable 2xx) or processing (to applied).', ['provider', 'stage'], LATENCY_BUCKETS_SECONDS);
    this.#refreshDuration = histogram('tributary_token_refresh_duration_seconds', 'Token refresh attempts, by outcome.', ['provider', 'outcome'], REFRESH_BUCKETS_SECONDS);
    this.#refreshFailures = counter('tributary_token_refresh_failures_total', 'Failed token refreshes, by reason (an error code).', ['provider', 'reason']);
    this.#httpRequests = counter('tributary_http_requests_total', 'HTTP requests served, by route pattern and status code.', ['method', 'route', 'status']);
    this.#httpDuration = histogram('tributary_http_request_duration_seconds', 'HTTP request duration, by route pattern and status code.', ['method', 'route', 'status'], HTTP_BUCKETS_SECONDS);
  }

  /**
   * Read these sources on every scrape from now on: for a composition root whose queue is
   * built after (and metered by) this instance. A source already watched cannot be
   * replaced (its gauges exist): INTERNAL.
   */
  watch(sources: { queues?: QueueStatsSource; rateLimits?: RateLimitStatusSource }): void {
    if ((sources.queues !== undefined && this.#queues !== null) || (sources.rateLimits !== undefined && this.#rateLimits !== null)) {
      throw new TributaryError('INTERNAL', 'PrometheusMetrics already watches a source of this kind');
    }
    if (sources.queues !== undefined) this.#queues = new QueueGauges(sources.queues, [this.registry]);
    if (sources.rateLimits !== undefined) this.#rateLimits = new RateLimitGauges(sources.rateLimits, [this.registry]);
  }

  /** The content type of `scrape()`'s text (Prometheus text exposition 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the scrape-time sources, then renders every metric as Prometheus text. */
  async scrape(): Promise<string> {
    await this.#refreshSources();
    return this.registry.metrics();
  }

  /** Reads the scrape-time sources, then every metric as values (the alert monitor's sample). */
  async values(): Promise<Awaited<ReturnType<Registry['getMetricsAsJSON']>>> {
    await this.#refreshSources();
    return this.registry.getMetricsAsJSON();
  }

  async #refreshSources(): Promise<void> {
    await Promise.all([
      this.#queues?.refresh().catch(() => this.#collectErrors.inc({ source: 'queue' })),
      this.#rateLimits?.refresh().catch(() => this.#collectErrors.inc({ source: 'rate_limit' })),
    ]);
  }

  invocation(event: InvocationEvent): void {
    const labels = { role: labelValue(event.role), function: labelValue(event.fn), outcome: event.outcome };
    this.#invocations.inc(labels);
    const s = seconds(event.durationMs);
    if (s !== null) this.#invocationDuration.observe(labels, s);
  }

  error(event: ErrorEvent): void {
    this.#errors.inc({ category: event.category, code: labelValue(event.code), source: labelValue(event.source) });
  }

  syncRecords(event: SyncRecordsEvent): void {
    const records = count(event.records);
    if (records === null) return;
    const failed = Math.min(records, count(event.failed) ?? 0);
    const base = { provider: labelValue(event.provider), direction: event.direction };
    if (records - failed > 0) this.#syncRecords.inc({ ...base, result: 'ok' }, records - failed);
    if (failed > 0) this.#syncRecords.inc({ ...base, result: 'failed' }, failed);
    this.#syncRunRecords.observe(base, records);
  }

  dedup(event: DedupEvent): void {
    const labels = { entity_type: labelValue(event.entityType) };
    const candidates = count(event.candidates);
    const matches = count(event.matches);
    if (candidates !== null) this.#dedupCandidates.inc(labels, candidates);
    if (matches !== null) this.#dedupMatches.inc(labels, matches);
  }

  conflicts(event: ConflictEvent): void {
    const entity = labelValue(event.entityType);
    const detected = count(event.detected);
    const resolved = count(event.resolved);
    if (detected !== null) this.#conflictsDetected.inc({ entity_type: entity }, detected);
    if (resolved !== null) this.#conflictsResolved.inc({ entity_type: entity, resolution: labelValue(event.resolution ?? 'rule') }, resolved);
  }

  webhookVerification(event: WebhookVerificationEvent): void {
    this.#webhookVerifications.inc({
      provider: labelValue(event.provider),
      result: event.ok ? 'success' : 'failure',
      reason: event.ok ? 'none' : labelValue(event.reason),
    });
  }

  workerJob(event: WorkerJobEvent): void {
    const s = seconds(event.durationMs);
    if (s !== null) this.#workerDuration.observe({ queue: event.queue, outcome: event.outcome }, s);
    const wait = event.waitMs === undefined ? null : seconds(event.waitMs);
    if (wait !== null) this.#workerWait.observe({ queue: event.queue }, wait);
  }

  webhookLatency(event: WebhookLatencyEvent): void {
    const s = seconds(event.durationMs);
    if (s !== null) this.#webhookLatency.observe({ provider: labelValue(event.provider), stage: event.stage }, s);
  }

  tokenRefresh(event: TokenRefreshEvent): void {
    const provider = labelValue(event.provider);
    const s = seconds(event.durationMs);
    if (s !== null) this.#refreshDuration.observe({ provider, outcome: event.outcome }, s);
    if (event.outcome === 'failure') this.#refreshFailures.inc({ provider, reason: labelValue(event.reason) });
  }

  /** For the API's response hook: one request served. */
  httpRequest(event: HttpRequestEvent): void {
    const labels = { method: labelValue(event.method), route: event.route ?? 'unmatched', status: String(event.statusCode) };
    this.#httpRequests.inc(labels);
    const s = seconds(event.durationMs);
    if (s !== null) this.#httpDuration.observe(labels, s);
  }
}
