import type { Attributes } from '@opentelemetry/api';
import type { ConsumeOptions, EnqueueOptions, JobHandler, JobQueue, QueueName } from '../ports/job-queue.ts';
import { runWithLogContext } from './log-context.ts';
import { newTraceRootId, rootsTrace, startProducerSpan, withJobSpan, type ProducerSpan, type TraceOrigin } from './tracing.ts';

/**
 * The same queue, every consumer's handler run inside the job's log context (its
 * correlation id, job id and queue on every log line it writes) and, when tracing is on,
 * a CONSUMER span continuing the trace its correlation id names (tracing.ts). Everything
 * but `consume` is the queue's own.
 */
export function tracedQueue<Q extends JobQueue>(queue: Q): Q {
  const consume: JobQueue['consume'] = <P>(name: QueueName, handler: JobHandler<P>, options: ConsumeOptions) =>
    queue.consume<P>(name, (job, signal) => runTracedJob(job, () => handler(job, signal)), options);
  return overriding(queue, { consume });
}

/** Runs one job's work as a traced consumer does: in the job's log context and, when tracing is on, its CONSUMER span. */
export function runTracedJob<T>(job: { queue: QueueName; id: string; attempt: number; correlationId: string | null }, work: () => Promise<T>): Promise<T> {
  return runWithLogContext(
    { ...(job.correlationId === null ? {} : { correlationId: job.correlationId }), jobId: job.id, queue: job.queue },
    () => withJobSpan(job, work),
  );
}

export interface ProducerTracing {
  /** The PRODUCER span of each enqueue (`scheduler.enqueue`). */
  readonly span: string;
  /** The prefix of the correlation id each job gets (`sched_…`). */
  readonly origin: TraceOrigin;
  /** Span attributes from a job's payload: ids only, never record data. Default `jobIdAttributes`. */
  readonly attributes?: (payload: unknown) => Attributes;
}

/** A run started by hand (API, admin UI): an `integration.sync` span roots its trace; the job is correlated `manual_…`. */
export const MANUAL_SYNC_TRACING: ProducerTracing = Object.freeze({ span: 'integration.sync', origin: 'manual' });

/** The payload's `tenantId`, `integrationId` and `trigger` (sync jobs carry these), as span attributes. */
export function jobIdAttributes(payload: unknown): Attributes {
  if (payload === null || typeof payload !== 'object') return {};
  const { tenantId, integrationId, trigger } = payload as Record<string, unknown>;
  return {
    ...(typeof tenantId === 'string' ? { 'tributary.tenant_id': tenantId } : {}),
    ...(typeof integrationId === 'string' ? { 'tributary.integration_id': integrationId } : {}),
    ...(typeof trigger === 'string' ? { 'tributary.sync.trigger': trigger } : {}),
  };
}

/**
 * The queue as one producer (the scheduler, manual runs) enqueues on it: each job gets a
 * fresh correlation id of `producer.origin` (always, so that its log lines correlate the
 * same way with tracing on or off) and, when tracing is on, a PRODUCER span whose ids
 * derive from that id, so the job's worker continues that trace (tracing.ts). A job whose
 * correlation id already roots a trace (a webhook's event id) keeps it, untraced here.
 * Everything but `enqueue` and `enqueueMany` is the queue's own.
 */
export function tracedEnqueues<Q extends JobQueue>(queue: Q, producer: ProducerTracing): Q {
  const prepare = <P>(name: QueueName, payload: P, options: EnqueueOptions | undefined): { options: EnqueueOptions; span: ProducerSpan | null } => {
    if (rootsTrace(options?.correlationId)) return { options: options ?? {}, span: null };
    const correlationId = newTraceRootId(producer.origin);
    return {
      options: { ...options, correlationId },
      span: startProducerSpan(producer.span, { queue: name, correlationId, attributes: (producer.attributes ?? jobIdAttributes)(payload) }),
    };
  };
  const enqueue: JobQueue['enqueue'] = async <P>(name: QueueName, payload: P, options?: EnqueueOptions) => {
    const prepared = prepare(name, payload, options);
    try {
      const result = await queue.enqueue(name, payload, prepared.options);
      prepared.span?.end(result);
      return result;
    } catch (error) {
      prepared.span?.end({ error });
      throw error;
    }
  };
  const enqueueMany: JobQueue['enqueueMany'] = async <P>(name: QueueName, jobs: readonly { payload: P; options?: EnqueueOptions }[]) => {
    const prepared = jobs.map((job) => ({ payload: job.payload, ...prepare(name, job.payload, job.options) }));
    try {
      const results = await queue.enqueueMany(name, prepared.map((job) => ({ payload: job.payload, options: job.options })));
      prepared.forEach((job, i) => job.span?.end(results[i] ?? { error: new Error('no result for the job') }));
      return results;
    } catch (error) {
      for (const job of prepared) job.span?.end({ error });
      throw error;
    }
  };
  return overriding(queue, { enqueue, enqueueMany });
}

/** A proxy of `queue` answering `overrides` and binding the rest to the queue. */
function overriding<Q extends JobQueue>(queue: Q, overrides: Partial<JobQueue>): Q {
  return new Proxy(queue, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof JobQueue];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
