import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../domain/errors.ts';
import { classifyFailure } from '../job-failure.ts';
import { attemptOf, deadLetterFields, deadLetterOf, jobOf, toMessage } from './messages.ts';

/** What the broker hands back: the message as sent, plus the broker's own fields. */
function received(sent: ReturnType<typeof toMessage>, broker: Partial<ServiceBusReceivedMessage>): ServiceBusReceivedMessage {
  return { ...sent, deliveryCount: 1, sequenceNumber: undefined, enqueuedTimeUtc: new Date(0), ...broker } as unknown as ServiceBusReceivedMessage;
}

const valid = { priority: 'high' as const, delayMs: 0, maxAttempts: 3, idempotencyKey: 'reg_1:dlv_9', correlationId: 'evt_1' };

describe('Service Bus job messages', () => {
  it('uses the idempotency key as the message id, so duplicate detection drops a second enqueue', () => {
    const message = toMessage({ a: 1 }, { ...valid, jobId: 'job_1', enqueuedAt: 5 });
    expect(message.messageId).toBe('reg_1:dlv_9');
    expect(toMessage({}, { ...valid, idempotencyKey: null, jobId: 'job_2', enqueuedAt: 5 }).messageId).toBe('job_2');
    // Service Bus refuses null application properties: absent values are left out.
    expect(Object.values(toMessage({}, { ...valid, idempotencyKey: null, jobId: 'job_2', enqueuedAt: 5 }).applicationProperties!)).not.toContain(null);
  });

  it('reads back the job as enqueued, attempt counted from the delivery count', () => {
    const sent = toMessage({ a: 1 }, { ...valid, jobId: 'job_1', enqueuedAt: 5 });
    expect(jobOf('sync-inbound', received(sent, { deliveryCount: 2 }))).toEqual({
      id: 'job_1', queue: 'sync-inbound', payload: { a: 1 }, priority: 'high', attempt: 2, maxAttempts: 3, idempotencyKey: 'reg_1:dlv_9', correlationId: 'evt_1', enqueuedAt: 5,
    });
  });

  it('keeps the job id and counts earlier attempts on a scheduled retry, with a message id of its own', () => {
    const retry = toMessage({ a: 1 }, { ...valid, jobId: 'job_1', enqueuedAt: 5, priorAttempts: 2 });
    expect(retry.messageId).toBe('job_1:3');
    const job = jobOf('sync-inbound', received(retry, { deliveryCount: 1 }));
    expect(job).toMatchObject({ id: 'job_1', attempt: 3 });
  });

  it('does not count deliveries that a stopping consumer gave back', () => {
    const sent = toMessage({}, { ...valid, jobId: 'job_1', enqueuedAt: 5 });
    const message = received({ ...sent, applicationProperties: { ...sent.applicationProperties, released: 1 } }, { deliveryCount: 2 });
    expect(attemptOf(message)).toBe(1);
  });

  it('turns a dead-lettered message into the port dead letter, classified, without the stack', () => {
    const failure = classifyFailure(new TributaryError('PROVIDER_REJECTED', 'record 42 refused'));
    const sent = toMessage({ a: 1 }, { ...valid, jobId: 'job_1', enqueuedAt: 5 });
    const fields = deadLetterFields(failure, 3, 99);
    const { deadLetterReason, deadLetterErrorDescription, ...props } = fields;
    const dead = deadLetterOf('sync-outbound', received({ ...sent, applicationProperties: { ...sent.applicationProperties, ...props } }, { deliveryCount: 3, sequenceNumber: 17 as never, deadLetterReason, deadLetterErrorDescription }));
    expect(dead).toMatchObject({ id: '17', jobId: 'job_1', queue: 'sync-outbound', attempts: 3, category: 'permanent', errorCode: 'PROVIDER_REJECTED', errorMessage: 'record 42 refused', failedAt: 99, idempotencyKey: 'reg_1:dlv_9' });
  });

  it("reads a message Service Bus dead-lettered by itself (lock lapsed too often) as a transient JOB_FAILED", () => {
    const sent = toMessage({}, { ...valid, jobId: 'job_1', enqueuedAt: 5 });
    const dead = deadLetterOf('sync-inbound', received(sent, { deliveryCount: 20, sequenceNumber: 3 as never, deadLetterReason: 'MaxDeliveryCountExceeded' }));
    expect(dead).toMatchObject({ category: 'transient', errorCode: 'JOB_FAILED', attempts: 20 });
    expect(dead.errorMessage).toContain('MaxDeliveryCountExceeded');
  });
});
