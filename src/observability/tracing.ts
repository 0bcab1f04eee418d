/**
 * OpenTelemetry traces across a webhook -> queue -> worker -> provider call. Off unless
 * `startTracing` is given an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) or an exporter
 * (tests): then a NodeTracerProvider is registered globally (AsyncLocalStorage context,
 * W3C propagation) and the helpers below create spans. Off, every helper is one boolean
 * check and the work runs as it is: zero cost.
 *
 * Through the queue: a job carries its correlation id (port `EnqueueOptions.correlationId`,
 * kept by every backend, including the webhook intake's enqueue inside the store's own
 * transaction). A webhook delivery's correlation id is its event id (`evt_…`), and the
 * intake span's trace and span ids are DERIVED from it (a hash), so that the worker of
 * any process, given only the job, rebuilds the intake's span context and parents its
 * consumer span on it: one trace from the intake to the last provider call, with no
 * change to any queue backend. Runs started by the scheduler or by hand get the same
 * treatment: their enqueue gives the job a fresh correlation id (`sched_…`, `manual_…`,
 * see traced-queue.ts `tracedEnqueues`) and records a PRODUCER span whose ids derive
 * from it. Jobs correlated otherwise (an outbox row, a notification delivery) start
 * their own trace and carry the id as an attribute.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span, type SpanContext, TraceFlags } from '@opentelemetry/api';
import type { IdGenerator, SpanExporter } from '@opentelemetry/sdk-trace-node';

const TRACER = 'tributary';
/** Where a traced enqueue's job comes from (the scheduler, a run started by hand): the prefix of the correlation id it is given. */
export const TRACE_ORIGINS = ['sched', 'manual'] as const;
export type TraceOrigin = (typeof TRACE_ORIGINS)[number];
/** Correlation ids that root a trace of their own: webhook event ids and the ids `newTraceRootId` makes. */
const TRACE_ROOT_ID = new RegExp(`^(?:evt|${TRACE_ORIGINS.join('|')})_`);

let enabled = false;
/** Ids the span being started must take (an intake or producer span's derived ids); set and cleared around one synchronous startSpan. */
let forcedIds: { traceId: string; spanId: string } | null = null;

/** Random ids, except the one span `withForcedIds` asks for (startSpan calls the generator synchronously). */
class DerivableIds implements IdGenerator {
  readonly #random: IdGenerator;
  constructor(random: IdGenerator) {
    this.#random = random;
  }
  generateTraceId(): string {
    return forcedIds?.traceId ?? this.#random.generateTraceId();
  }
  generateSpanId(): string {
    return forcedIds?.spanId ?? this.#random.generateSpanId();
  }
}

export interface TracingOptions {
  /** OTLP/HTTP collector base URL (`/v1/traces` is appended); null: no OTLP export. */
  readonly otlpEndpoint: string | null;
  /** Tests: spans go here, synchronously. */
  readonly exporter?: SpanExporter;
  readonly serviceName?: string;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Flushes and unregisters. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Registers the tracer provider when an endpoint or exporter is given; otherwise tracing
 * stays off. The SDK and the OTLP exporter are loaded only then: with tracing off (the
 * default) a process never holds them (about 15 MB of RSS at start-up).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (options.otlpEndpoint === null && options.exporter === undefined) return { enabled: false, shutdown: async () => undefined };
  const [{ BatchSpanProcessor, NodeTracerProvider, RandomIdGenerator, SimpleSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const processors = [];
  if (options.exporter !== undefined) processors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint !== null) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` })));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'tributary' }),
    idGenerator: new DerivableIds(new RandomIdGenerator()),
    spanProcessors: processors,
  });
  provider.register();
  enabled = true;
  let stopped: Promise<void> | null = null;
  return {
    enabled: true,
    shutdown() {
      stopped ??= (async () => {
        enabled = false;
        await provider.shutdown();
        trace.disable();
        context.disable();
        propagation.disable();
      })();
      return stopped;
    },
  };
}

export function tracingEnabled(): boolean {
  return enabled;
}

function derivedIds(correlationId: string): { traceId: string; spanId: string } {
  const hash = createHash('sha256').update(`tributary-trace:${correlationId}`).digest('hex');
  return { traceId: hash.slice(0, 32), spanId: hash.slice(32, 48) };
}

/** A fresh correlation id (`sched_<32 hex>`) whose job's worker continues the trace of the span that enqueued it. */
export function newTraceRootId(origin: TraceOrigin): string {
  return `${origin}_${randomUUID().replaceAll('-', '')}`;
}

/** Whether a job correlated by this id continues a trace begun before it was enqueued. */
export function rootsTrace(correlationId: string | null | undefined): boolean {
  return typeof correlationId === 'string' && TRACE_ROOT_ID.test(correlationId);
}

/** The span context a job's worker continues: the intake or enqueue span its correlation id names, or none. */
export function spanContextOfCorrelation(correlationId: string | null): SpanContext | null {
  if (correlationId === null || !rootsTrace(correlationId)) return null;
  const ids = derivedIds(correlationId);
  return { traceId: ids.traceId, spanId: ids.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

/**
 * The intake span of a webhook delivery, recorded once the intake answered (only then is
 * the event id known): it starts at `startedAt` and its ids derive from the event id.
 * Deliveries without an event (rejected, handshakes) get a random trace.
 */
export function recordIntakeSpan(input: { startedAt: number; registrationId: string; outcome: string; eventId?: string | null; status: number }): void {
  if (!enabled) return;
  const tracer = trace.getTracer(TRACER);
  const attributes = { 'http.route': '/webhooks/:registrationId/events', 'http.response.status_code': input.status, 'tributary.webhook.registration_id': input.registrationId, 'tributary.webhook.outcome': input.outcome };
  let span: Span;
  if (input.eventId) {
    forcedIds = derivedIds(input.eventId);
    try {
      span = tracer.startSpan('webhook.intake', { kind: SpanKind.SERVER, root: true, startTime: input.startedAt, attributes: { ...attributes, 'tributary.correlation_id': input.eventId } });
    } finally {
      forcedIds = null;
    }
  } else {
    span = tracer.startSpan('webhook.intake', { kind: SpanKind.SERVER, root: true, startTime: input.startedAt, attributes });
  }
  if (input.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** A started PRODUCER span: `end` records the enqueue's answer. */
export interface ProducerSpan {
  end(result: { id: string; deduplicated: boolean } | { error: unknown }): void;
}

/**
 * Starts the PRODUCER span of one enqueue, the root of a new trace whose ids derive from
 * `correlationId` (a `newTraceRootId`), so that the job's worker parents its consumer
 * span on it from the job alone. Null when tracing is off.
 */
export function startProducerSpan(name: string, input: { queue: string; correlationId: string; attributes?: Attributes }): ProducerSpan | null {
  if (!enabled) return null;
  forcedIds = derivedIds(input.correlationId);
  let span: Span;
  try {
    span = trace.getTracer(TRACER).startSpan(name, {
      kind: SpanKind.PRODUCER,
      root: true,
      attributes: {
        'messaging.system': 'tributary',
        'messaging.destination.name': input.queue,
        'messaging.operation.type': 'send',
        'tributary.correlation_id': input.correlationId,
        ...(input.attributes ?? {}),
      },
    });
  } finally {
    forcedIds = null;
  }
  return {
    end(result) {
      if ('error' in result) {
        span.recordException(result.error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (result.error as { code?: string }).code ?? (result.error as Error).name });
      } else {
        // Deduplicated: the job already waiting carries an older correlation id (its own trace).
        span.setAttributes({ 'messaging.message.id': result.id, 'tributary.job.deduplicated': result.deduplicated });
      }
      span.end();
    },
  };
}

async function inSpan<T>(span: Span, parent: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { code?: string }).code ?? (error as Error).name });
    throw error;
  } finally {
    span.end();
  }
}

/** Runs a queue job's handler inside a CONSUMER span, parented on the intake or enqueue span its correlation id names, if any. */
export function withJobSpan<T>(job: { queue: string; id: string; attempt: number; correlationId: string | null }, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  const remote = spanContextOfCorrelation(job.correlationId);
  const parent = remote === null ? context.active() : trace.setSpanContext(context.active(), remote);
  const span = trace.getTracer(TRACER).startSpan(`${job.queue} process`, {
    kind: SpanKind.CONSUMER,
    ...(remote === null ? { root: true } : {}),
    attributes: {
      'messaging.system': 'tributary',
      'messaging.destination.name': job.queue,
      'messaging.operation.type': 'process',
      'messaging.message.id': job.id,
      'tributary.job.attempt': job.attempt,
      ...(job.correlationId === null ? {} : { 'tributary.correlation_id': job.correlationId }),
    },
  }, parent);
  return inSpan(span, parent, fn);
}

/** A fetch whose calls are CLIENT spans of the active trace (provider calls); the fetch itself when tracing is off. */
export function tracedFetch(fetchImpl: typeof fetch, provider: string): typeof fetch {
  return (input, init) => {
    if (!enabled) return fetchImpl(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET');
    const parent = context.active();
    // Path only: query strings of provider calls can carry filters with personal data.
    const span = trace.getTracer(TRACER).startSpan(`${method} ${provider}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': method, 'server.address': url.hostname, 'url.path': url.pathname, 'tributary.provider': provider },
    }, parent);
    return inSpan(span, parent, async () => {
      const response = await fetchImpl(input, init);
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    });
  };
}

/** `trace_id` and `span_id` of the active span, for log lines; empty when off or outside a span. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  if (!enabled) return {};
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
