import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import type { ErrorCategory } from '../../domain/errors.ts';
import type { DeadLetter, Job, JobPriority, QueueName } from '../../ports/job-queue.ts';
import type { ClassifiedFailure } from '../job-failure.ts';
import type { ValidEnqueue } from '../redis/job-queue-options.ts';

/**
 * How a job travels as a Service Bus message, and back: the payload is the JSON body;
 * the port's metadata rides in application properties (Service Bus keeps them through
 * abandon, dead-lettering and scheduling). Pure: no client, no clock.
 *
 * - `messageId` is the idempotency key when there is one, so the queue's duplicate
 *   detection drops a second enqueue within its window; otherwise the job id.
 * - `jobId` stays the same across retries: a retry is a new scheduled message
 *   (`messageId` `<jobId>:<attempt>`) carrying `priorAttempts`.
 * - `released` counts deliveries given back by `Consumer.stop`, which Service Bus counts
 *   in `deliveryCount` but the port does not count as attempts.
 */
export interface JobProperties {
  readonly jobId: string;
  readonly priority: JobPriority;
  readonly maxAttempts: number;
  readonly idempotencyKey: string | null;
  readonly enqueuedAt: number;
  readonly priorAttempts: number;
}

/** A Service Bus application property value: null is not one, so absent values are left out. */
type Properties = Record<string, string | number | boolean>;

function properties(values: Record<string, string | number | boolean | null>): Properties {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string | number | boolean] => entry[1] !== null));
}

export function toMessage(payload: unknown, job: ValidEnqueue & { jobId: string; enqueuedAt: number; priorAttempts?: number }): ServiceBusMessage {
  const priorAttempts = job.priorAttempts ?? 0;
  return {
    body: payload,
    contentType: 'application/json',
    messageId: priorAttempts > 0 ? `${job.jobId}:${priorAttempts + 1}` : (job.idempotencyKey ?? job.jobId),
    ...(job.correlationId === null ? {} : { correlationId: job.correlationId }),
    applicationProperties: properties({
      jobId: job.jobId,
      priority: job.priority,
      maxAttempts: job.maxAttempts,
      idempotencyKey: job.idempotencyKey,
      enqueuedAt: job.enqueuedAt,
      priorAttempts,
    }),
  };
}

export function propertiesOf(message: ServiceBusReceivedMessage): JobProperties {
  const p = message.applicationProperties ?? {};
  return {
    jobId: typeof p.jobId === 'string' ? p.jobId : String(message.messageId ?? message.sequenceNumber ?? ''),
    priority: p.priority === 'high' || p.priority === 'low' ? p.priority : 'normal',
    maxAttempts: Number(p.maxAttempts) || 1,
    idempotencyKey: typeof p.idempotencyKey === 'string' ? p.idempotencyKey : null,
    enqueuedAt: Number(p.enqueuedAt) || (message.enqueuedTimeUtc?.getTime() ?? 0),
    priorAttempts: Number(p.priorAttempts) || 0,
  };
}

/** The attempt this delivery is: earlier attempts (retries) plus Service Bus deliveries, less released ones. */
export function attemptOf(message: ServiceBusReceivedMessage): number {
  const released = Number(message.applicationProperties?.released) || 0;
  return propertiesOf(message).priorAttempts + Math.max(1, (message.deliveryCount ?? 1) - released);
}

export function jobOf<P>(queue: QueueName, message: ServiceBusReceivedMessage): Job<P> {
  const props = propertiesOf(message);
  return {
    id: props.jobId,
    queue,
    payload: message.body as P,
    priority: props.priority,
    attempt: attemptOf(message),
    maxAttempts: props.maxAttempts,
    idempotencyKey: props.idempotencyKey,
    correlationId: typeof message.correlationId === 'string' ? message.correlationId : null,
    enqueuedAt: props.enqueuedAt,
  };
}

/** What dead-lettering writes on the message: Service Bus's reason and description, plus our classification. */
export function deadLetterFields(failure: ClassifiedFailure, attempts: number, failedAt: number): { deadLetterReason: string; deadLetterErrorDescription: string; [key: string]: string | number } {
  return { deadLetterReason: failure.code, deadLetterErrorDescription: failure.message, category: failure.category, attempts, failedAt };
}

const CATEGORIES: readonly ErrorCategory[] = ['auth', 'rate_limit', 'transient', 'permanent', 'bad_data'];

/**
 * A message of the dead-letter sub-queue as the port's DeadLetter. Messages Service Bus
 * dead-lettered by itself (MaxDeliveryCountExceeded: the lease lapsed too often; or
 * expiry) have no classification of ours: they read as transient JOB_FAILED.
 */
export function deadLetterOf(queue: QueueName, message: ServiceBusReceivedMessage): DeadLetter {
  const props = propertiesOf(message);
  const p = message.applicationProperties ?? {};
  const category = CATEGORIES.find((c) => c === p.category) ?? 'transient';
  const ours = typeof p.category === 'string';
  return {
    id: String(message.sequenceNumber ?? ''),
    jobId: props.jobId,
    queue,
    payload: message.body,
    priority: props.priority,
    attempts: Number(p.attempts) || attemptOf(message),
    category,
    errorCode: ours ? (message.deadLetterReason ?? 'JOB_FAILED') : 'JOB_FAILED',
    errorMessage: ours ? (message.deadLetterErrorDescription ?? '') : `Service Bus dead-lettered the message (${message.deadLetterReason ?? 'no reason'})`,
    idempotencyKey: props.idempotencyKey,
    correlationId: typeof message.correlationId === 'string' ? message.correlationId : null,
    enqueuedAt: props.enqueuedAt,
    failedAt: Number(p.failedAt) || (message.enqueuedTimeUtc?.getTime() ?? 0),
  };
}
