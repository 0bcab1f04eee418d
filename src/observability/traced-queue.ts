import type { ConsumeOptions, JobHandler, JobQueue, QueueName } from '../ports/job-queue.ts';
import { runWithLogContext } from './log-context.ts';
import { withJobSpan } from './tracing.ts';

/**
 * The same queue, every consumer's handler run inside the job's log context (its
 * correlation id, job id and queue on every log line it writes) and, when tracing is on,
 * a CONSUMER span continuing the trace its correlation id names (tracing.ts). Everything
 * but `consume` is the queue's own.
 */
export function tracedQueue<Q extends JobQueue>(queue: Q): Q {
  const consume: JobQueue['consume'] = <P>(name: QueueName, handler: JobHandler<P>, options: ConsumeOptions) =>
    queue.consume<P>(name, (job, signal) => runWithLogContext(
      { ...(job.correlationId === null ? {} : { correlationId: job.correlationId }), jobId: job.id, queue: name },
      () => withJobSpan(job, () => handler(job, signal)),
    ), options);
  return new Proxy(queue, {
    get(target, property) {
      if (property === 'consume') return consume;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
