import { isServiceBusError, type ServiceBusReceivedMessage, type ServiceBusReceiver, type ServiceBusSender } from '@azure/service-bus';
import { decideRetry } from '../../domain/backoff.ts';
import { TributaryError } from '../../domain/errors.ts';
import type { Consumer, JobHandler, QueueName } from '../../ports/job-queue.ts';
import { classifyFailure } from '../job-failure.ts';
import type { Resolved } from './options.ts';
import { attemptOf, deadLetterFields, jobOf, propertiesOf, toMessage } from './messages.ts';

export interface ConsumerSettings extends Resolved {
  readonly concurrency: number;
  readonly onStop: (consumer: ServiceBusConsumer) => void;
}

/** One `consume` call: a Service Bus subscription with at most `concurrency` handlers at once. */
export class ServiceBusConsumer implements Consumer {
  readonly #queue: QueueName;
  readonly #receiver: ServiceBusReceiver;
  readonly #sender: ServiceBusSender;
  readonly #handler: JobHandler;
  readonly #settings: ConsumerSettings;
  readonly #running = new Map<ServiceBusReceivedMessage, { abort: AbortController; done: Promise<void> }>();
  readonly #subscription: { close(): Promise<void> };
  #stopping: Promise<void> | null = null;

  constructor(queue: QueueName, receiver: ServiceBusReceiver, sender: ServiceBusSender, handler: JobHandler, settings: ConsumerSettings) {
    this.#queue = queue;
    this.#receiver = receiver;
    this.#sender = sender;
    this.#handler = handler;
    this.#settings = settings;
    this.#subscription = receiver.subscribe(
      {
        processMessage: (message) => this.#process(message),
        processError: async (args) => {
          settings.logger.warn({ queue, source: args.errorSource, code: isServiceBusError(args.error) ? args.error.code : undefined }, 'Service Bus receive error');
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: settings.concurrency },
    );
  }

  stop(graceMs = this.#settings.stopGraceMs): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#subscription.close();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.all([...this.#running.values()].map((r) => r.done)), grace]);
      for (const [message, run] of this.#running) {
        run.abort.abort(new TributaryError('SHUTTING_DOWN', 'The consumer stopped'));
        // Given back without counting: `released` offsets the delivery count (see messages.ts).
        const released = (Number(message.applicationProperties?.released) || 0) + 1;
        await this.#receiver.abandonMessage(message, { released }).catch(() => undefined);
      }
      await this.#receiver.close();
      this.#settings.onStop(this);
    })();
    return this.#stopping;
  }

  async #process(message: ServiceBusReceivedMessage): Promise<void> {
    if (this.#stopping) return;
    const abort = new AbortController();
    // The lock is renewed for leaseMs; past it the lock lapses and someone else may hold the job.
    const lease = setTimeout(() => abort.abort(new TributaryError('LOCK_NOT_HELD', 'The message lock was not renewed past the lease')), this.#settings.leaseMs);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.#running.set(message, { abort, done });
    try {
      await this.#handler(jobOf(this.#queue, message), abort.signal);
      if (!abort.signal.aborted) await this.#receiver.completeMessage(message);
    } catch (error) {
      if (!abort.signal.aborted) await this.#fail(message, error);
    } finally {
      clearTimeout(lease);
      this.#running.delete(message);
      finish();
    }
  }

  async #fail(message: ServiceBusReceivedMessage, error: unknown): Promise<void> {
    const { clock, backoff, random, logger } = this.#settings;
    const failure = classifyFailure(error);
    const attempt = attemptOf(message);
    const props = propertiesOf(message);
    const decision = decideRetry({ category: failure.category, retryAfterMs: failure.retryAfterMs, attempt, maxAttempts: props.maxAttempts }, backoff, random);
    if (decision.kind === 'dead-letter') {
      await this.#receiver.deadLetterMessage(message, deadLetterFields(failure, attempt, clock.now()));
      return;
    }
    logger.info({ queue: this.#queue, jobId: props.jobId, attempt, delayMs: decision.delayMs, code: failure.code }, 'job failed, will retry');
    const retry = toMessage(message.body, {
      ...props,
      correlationId: typeof message.correlationId === 'string' ? message.correlationId : null,
      delayMs: decision.delayMs,
      priorAttempts: attempt,
    });
    await this.#sender.scheduleMessages(retry, new Date(Date.now() + decision.delayMs));
    await this.#receiver.completeMessage(message);
  }
}
