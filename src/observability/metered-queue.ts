import { isTributaryError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Job, JobHandler, JobQueue, QueueName } from '../ports/job-queue.ts';
import type { Metrics, WorkerJobEvent } from './metrics.ts';

/** The role that consumes each queue, as the `role` label of its invocations. */
export const QUEUE_ROLES: Readonly<Record<QueueName, string>> = {
  'sync-inbound': 'inbound-worker',
  'sync-outbound': 'outbound-worker',
  'webhook-events': 'webhook-worker',
  notifications: 'notifier',
};

/** Categories the queue dead-letters at once (ports/job-queue.ts, JobHandler). */
const FINAL_CATEGORIES = new Set(['auth', 'permanent', 'bad_data']);

/**
 * The same queue, every consumer's handler measured: per job, `workerJob` (handler time,
 * outcome, and for a first attempt the wait from enqueue to pick-up, which includes any
 * requested delay), `invocation` (role from QUEUE_ROLES, function = the queue) and, when
 * it throws, `error` by code. The handler's result and error pass through unchanged;
 * everything but `consume` is the queue's own (methods bound to it, so backends with
 * private fields work). Times come from `clock`, which must be the queue's clock.
 */
export function meteredQueue<Q extends JobQueue>(queue: Q, metrics: Metrics, clock: Clock): Q {
  const consume: JobQueue['consume'] = (name, handler, options) => queue.consume(name, meteredHandler(name, handler, metrics, clock), options);
  return new Proxy(queue, {
    get(target, property) {
      if (property === 'consume') return consume;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function meteredHandler<P>(queue: QueueName, handler: JobHandler<P>, metrics: Metrics, clock: Clock): JobHandler<P> {
  return async (job, signal) => {
    const started = clock.now();
    const waitMs = job.attempt === 1 ? Math.max(0, started - job.enqueuedAt) : undefined;
    const record = (outcome: WorkerJobEvent['outcome']): number => {
      const durationMs = clock.now() - started;
      metrics.workerJob({ queue, outcome, durationMs, ...(waitMs === undefined ? {} : { waitMs }) });
      return durationMs;
    };
    try {
      await handler(job, signal);
    } catch (error) {
      // An aborted handler lost its lease or was stopped: the job goes back, nothing failed.
      if (signal.aborted) {
        record('aborted');
        throw error;
      }
      const durationMs = record(isFinal(error, job) ? 'dead_letter' : 'retry');
      metrics.invocation({ role: QUEUE_ROLES[queue], fn: queue, outcome: 'failure', durationMs });
      metrics.error(isTributaryError(error)
        ? { category: error.category, code: error.code, source: QUEUE_ROLES[queue] }
        : { category: 'transient', code: 'UNCLASSIFIED', source: QUEUE_ROLES[queue] });
      throw error;
    }
    const durationMs = record('success');
    metrics.invocation({ role: QUEUE_ROLES[queue], fn: queue, outcome: 'success', durationMs });
  };
}

function isFinal(error: unknown, job: Job<unknown>): boolean {
  return job.attempt >= job.maxAttempts || (isTributaryError(error) && FINAL_CATEGORIES.has(error.category));
}
