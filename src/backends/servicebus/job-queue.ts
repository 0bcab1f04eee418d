import { randomUUID } from 'node:crypto';
import {
  ServiceBusAdministrationClient,
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusSender,
} from '@azure/service-bus';
import { TributaryError } from '../../domain/errors.ts';
import {
  QUEUE_NAMES,
  type ConsumeOptions,
  type Consumer,
  type DeadLetter,
  type EnqueueOptions,
  type EnqueueResult,
  type JobHandler,
  type JobQueue,
  type QueueName,
  type QueueStats,
} from '../../ports/job-queue.ts';
import { nonNegativeInt, positiveInt, silentLogger } from '../job-options.ts';
import { checkEnqueueOptions, checkQueueName } from '../redis/job-queue-options.ts';
import { ServiceBusConsumer } from './consumer.ts';
import type { Resolved, ServiceBusJobQueueOptions } from './options.ts';
import { call } from './errors.ts';
import { deadLetterOf, propertiesOf, toMessage } from './messages.ts';

/** Dead letters examined at most by one listing (Service Bus peeks oldest first; the port lists newest first). */
const DEAD_LETTER_SCAN = 5000;

/**
 * The Azure-mode JobQueue on Azure Service Bus (@azure/service-bus), one Service Bus
 * queue per port queue (sync-inbound, sync-outbound, webhook-events, notifications, as
 * docs/deploy-azure.md creates them: duplicate detection on, max delivery count above
 * the jobs' maxAttempts, lock duration 1 min).
 *
 * - Delivery: peek-lock; the SDK renews the lock for up to `leaseMs` while the handler
 *   runs, after which the handler's signal aborts and the lock is left to lapse (another
 *   consumer then gets the message with attempt + 1).
 * - Delays: scheduled messages (`scheduledEnqueueTimeUtc`). Service Bus schedules by its
 *   own wall clock, not by `clock`.
 * - Retries: the failed message is completed and a copy scheduled at the backoff, with
 *   the attempt carried in its properties (Service Bus's abandon would redeliver at once).
 *   Copy first, complete second: a crash in between delivers the job twice, never zero
 *   times (at-least-once, as the port says).
 * - Dead letters: the message's dead-letter sub-queue, with our classification in its
 *   properties; replay sends a fresh copy and completes the dead letter.
 * - Idempotency keys: the key is the message id, so duplicate detection drops a second
 *   enqueue within the queue's detection window (up to 7 days), whatever the first job's
 *   state. Service Bus does not say it dropped one: `deduplicated` is always false.
 * - Priorities are carried but not enforced: Service Bus has no priority order (the
 *   scheduler enqueues high-priority work first).
 * - Stats: `running` is not exposed by Service Bus (locked messages count as active): 0.
 */
export class ServiceBusJobQueue implements JobQueue {
  readonly #options: Resolved;
  readonly #client: ServiceBusClient;
  readonly #admin: ServiceBusAdministrationClient;
  readonly #senders = new Map<QueueName, ServiceBusSender>();
  readonly #consumers = new Set<ServiceBusConsumer>();
  #closed = false;

  constructor(options: ServiceBusJobQueueOptions) {
    this.#options = Object.freeze({
      clock: options.clock,
      prefix: options.entityPrefix ?? '',
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
      maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? 5),
      leaseMs: positiveInt('leaseMs', options.leaseMs ?? 300_000),
      backoff: { baseMs: positiveInt('backoff.baseMs', options.backoff?.baseMs ?? 1000), maxMs: positiveInt('backoff.maxMs', options.backoff?.maxMs ?? 300_000) },
      stopGraceMs: nonNegativeInt('stopGraceMs', options.stopGraceMs ?? 10_000),
    });
    this.#client = new ServiceBusClient(options.connectionString);
    this.#admin = new ServiceBusAdministrationClient(options.connectionString);
  }

  /** Creates any missing queue with the settings the port relies on (needs Manage rights). */
  async ensureQueues(settings: { maxDeliveryCount?: number; duplicateDetectionWindow?: string } = {}): Promise<void> {
    for (const queue of QUEUE_NAMES) {
      const name = this.#entity(queue);
      if (await call(() => this.#admin.queueExists(name))) continue;
      await call(() =>
        this.#admin.createQueue(name, {
          requiresDuplicateDetection: true,
          duplicateDetectionHistoryTimeWindow: settings.duplicateDetectionWindow ?? 'PT1H',
          maxDeliveryCount: settings.maxDeliveryCount ?? 20,
          lockDuration: 'PT1M',
          deadLetteringOnMessageExpiration: true,
        }),
      );
    }
  }

  /** Deletes this queue's Service Bus queues (tests and teardown; needs Manage rights). */
  async deleteQueues(): Promise<void> {
    for (const queue of QUEUE_NAMES) {
      const name = this.#entity(queue);
      if (await call(() => this.#admin.queueExists(name))) await call(() => this.#admin.deleteQueue(name));
    }
  }

  async enqueue<P>(queue: QueueName, payload: P, options?: EnqueueOptions): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany(queue, [{ payload, ...(options === undefined ? {} : { options }) }]);
    return result!;
  }

  async enqueueMany<P>(queue: QueueName, jobs: readonly { payload: P; options?: EnqueueOptions }[]): Promise<EnqueueResult[]> {
    this.#refuseClosed();
    checkQueueName(queue);
    const now = this.#options.clock.now();
    const planned = jobs.map((job) => ({ job, valid: checkEnqueueOptions(job.options, this.#options.maxAttempts), jobId: `job_${randomUUID().replaceAll('-', '')}` }));
    const sender = this.#sender(queue);
    const immediate = planned.filter((p) => p.valid.delayMs === 0).map((p) => toMessage(p.job.payload, { ...p.valid, jobId: p.jobId, enqueuedAt: now }));
    // One send of a list is one atomic batch in Service Bus (up to its size limit).
    if (immediate.length > 0) await call(() => sender.sendMessages(immediate));
    for (const p of planned.filter((x) => x.valid.delayMs > 0)) {
      const message = toMessage(p.job.payload, { ...p.valid, jobId: p.jobId, enqueuedAt: now });
      await call(() => sender.scheduleMessages(message, new Date(Date.now() + p.valid.delayMs)));
    }
    return planned.map((p) => ({ id: p.jobId, deduplicated: false }));
  }

  consume<P>(queue: QueueName, handler: JobHandler<P>, options: ConsumeOptions): Consumer {
    this.#refuseClosed();
    checkQueueName(queue);
    const leaseMs = positiveInt('leaseMs', options.leaseMs ?? this.#options.leaseMs);
    // The SDK renews the message lock while the handler runs, for up to the lease.
    const receiver = this.#client.createReceiver(this.#entity(queue), { receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: leaseMs });
    const consumer = new ServiceBusConsumer(queue, receiver, this.#sender(queue), handler as JobHandler, {
      ...this.#options,
      concurrency: positiveInt('concurrency', options.concurrency),
      leaseMs,
      onStop: (c) => this.#consumers.delete(c),
    });
    this.#consumers.add(consumer);
    return consumer;
  }

  async stats(): Promise<QueueStats[]> {
    this.#refuseClosed();
    return Promise.all(
      QUEUE_NAMES.map(async (queue): Promise<QueueStats> => {
        const runtime = await call(() => this.#admin.getQueueRuntimeProperties(this.#entity(queue)));
        const receiver = this.#client.createReceiver(this.#entity(queue));
        try {
          const [oldest] = await call(() => receiver.peekMessages(1));
          const age = oldest?.enqueuedTimeUtc ? Math.max(0, Date.now() - oldest.enqueuedTimeUtc.getTime()) : 0;
          return { queue, ready: runtime.activeMessageCount, delayed: runtime.scheduledMessageCount, running: 0, deadLetters: runtime.deadLetterMessageCount, oldestReadyAgeMs: runtime.activeMessageCount > 0 ? age : 0 };
        } finally {
          await receiver.close();
        }
      }),
    );
  }

  async listDeadLetters(queue: QueueName, options: { limit?: number; before?: string } = {}): Promise<DeadLetter[]> {
    this.#refuseClosed();
    checkQueueName(queue);
    const limit = Math.min(500, options.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw new TributaryError('VALIDATION_FAILED', 'limit must be a positive integer', { field: 'limit' });
    const receiver = this.#client.createReceiver(this.#entity(queue), { subQueueType: 'deadLetter' });
    try {
      const all: ServiceBusReceivedMessage[] = [];
      while (all.length < DEAD_LETTER_SCAN) {
        const batch = await call(() => receiver.peekMessages(250));
        if (batch.length === 0) break;
        all.push(...batch);
      }
      const before = options.before === undefined ? null : BigInt(options.before);
      return all
        .map((m) => deadLetterOf(queue, m))
        .filter((d) => before === null || BigInt(d.id) < before)
        .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
        .slice(0, limit);
    } finally {
      await receiver.close();
    }
  }

  async replayDeadLetter(id: string): Promise<string> {
    return this.#takeDeadLetter(id, async (queue, message) => {
      const props = propertiesOf(message);
      const fresh = toMessage(message.body, { ...props, correlationId: typeof message.correlationId === 'string' ? message.correlationId : null, delayMs: 0, enqueuedAt: this.#options.clock.now() });
      await call(() => this.#sender(queue).sendMessages({ ...fresh, messageId: `${props.jobId}:replay:${id}` }));
      return props.jobId;
    });
  }

  async discardDeadLetter(id: string): Promise<void> {
    await this.#takeDeadLetter(id, async () => '');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((c) => c.stop(this.#options.stopGraceMs)));
    for (const sender of this.#senders.values()) await sender.close();
    await this.#client.close();
  }

  /** Finds a dead letter by sequence number in any queue, runs `use`, then completes it (removes it). */
  async #takeDeadLetter(id: string, use: (queue: QueueName, message: ServiceBusReceivedMessage) => Promise<string>): Promise<string> {
    this.#refuseClosed();
    if (!/^\d+$/.test(id)) throw new TributaryError('NOT_FOUND', 'No such dead letter', { details: { id } });
    for (const queue of QUEUE_NAMES) {
      const receiver = this.#client.createReceiver(this.#entity(queue), { subQueueType: 'deadLetter', receiveMode: 'peekLock' });
      try {
        const held: ServiceBusReceivedMessage[] = [];
        try {
          for (;;) {
            const batch = await call(() => receiver.receiveMessages(50, { maxWaitTimeInMs: 1000 }));
            if (batch.length === 0) break;
            const found = batch.find((m) => String(m.sequenceNumber) === id);
            held.push(...batch.filter((m) => m !== found));
            if (found) {
              const result = await use(queue, found);
              await call(() => receiver.completeMessage(found));
              return result;
            }
          }
        } finally {
          for (const message of held) await receiver.abandonMessage(message).catch(() => undefined);
        }
      } finally {
        await receiver.close();
      }
    }
    throw new TributaryError('NOT_FOUND', 'No such dead letter', { details: { id } });
  }

  #entity(queue: QueueName): string {
    return `${this.#options.prefix}${queue}`;
  }

  #sender(queue: QueueName): ServiceBusSender {
    let sender = this.#senders.get(queue);
    if (!sender) {
      sender = this.#client.createSender(this.#entity(queue));
      this.#senders.set(queue, sender);
    }
    return sender;
  }

  #refuseClosed(): void {
    if (this.#closed) throw new TributaryError('SHUTTING_DOWN', 'The Service Bus job queue is closed');
  }
}
export type { ServiceBusJobQueueOptions } from './options.ts';
