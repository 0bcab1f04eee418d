import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { jobOf } from '../backends/servicebus/messages.ts';
import type { Job, QueueName } from '../ports/job-queue.ts';

/**
 * The Job a Service Bus trigger invocation stands for: the Functions host hands the body
 * and the message's broker fields as trigger metadata (deliveryCount, messageId,
 * applicationProperties, correlationId, ...), which is what ServiceBusJobQueue's
 * messages carry, so the same mapping applies (backends/servicebus/messages.ts).
 */
export function jobFromTrigger<P>(queue: QueueName, body: unknown, metadata: Record<string, unknown> | undefined): Job<P> {
  const meta = metadata ?? {};
  const message = {
    body,
    messageId: meta.messageId,
    correlationId: meta.correlationId,
    deliveryCount: Number(meta.deliveryCount) || 1,
    applicationProperties: (meta.applicationProperties as Record<string, string | number | boolean> | undefined) ?? {},
    enqueuedTimeUtc: typeof meta.enqueuedTimeUtc === 'string' ? new Date(meta.enqueuedTimeUtc) : undefined,
  } as unknown as ServiceBusReceivedMessage;
  return jobOf<P>(queue, message);
}
