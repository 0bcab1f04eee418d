/**
 * Group commit for the intake (the pattern of the SQLite queue's CommitLoop): verified
 * deliveries of concurrent requests wait here and are written together in one store
 * commit (audit + event rows, and, where the backend keeps the queue in the same
 * database, the `webhook-events` jobs too: one fsync for all); otherwise one queue
 * commit follows. Rejections' audit rows go in a second commit beside it. Each request
 * is answered only when its batch's commits returned (durably). While a batch commits,
 * new deliveries pile up for the next one, so batches grow with load and latency stays
 * at about two commits.
 *
 * Failure: a store failure fails the whole batch (the sender retries; if the commit was
 * written but its fsync failed, the retry is a duplicate of it); a queue failure fails
 * every delivery whose event was stored but not enqueued. Those events stay `pending`
 * and are picked up when the sender retries (the retry is a duplicate, and a duplicate
 * of a pending event is enqueued again under the same idempotency key) or by the
 * worker's recovery sweep, whichever comes first. Rejected deliveries' audit rows ride
 * along with the next batch; nobody waits for them.
 */
import { TributaryError } from '../domain/errors.ts';
import type { WebhookDelivery } from '../domain/webhook.ts';
import type { Clock } from '../ports/clock.ts';
import type { EnqueueOptions, JobQueue } from '../ports/job-queue.ts';
import type { Store, WebhookIntakeOutcome, WebhookIntakeRecord } from '../ports/store.ts';

/** The job each stored event becomes on `webhook-events`. */
export interface WebhookEventJob {
  readonly eventId: string;
  readonly tenantId: string;
  readonly registrationId: string;
}

export const WEBHOOK_EVENTS_QUEUE = 'webhook-events';

/**
 * The idempotency key of an event's job: one live job per event (so per delivery: a
 * duplicate delivery names the earlier event). Keyed by the time-ordered event id, not
 * the sender's random delivery id, so the queue's key index grows at its end.
 */
export function webhookJobKey(registrationId: string, eventId: string): string {
  return `${registrationId}:${eventId}`;
}

export type AuditRow = WebhookDelivery & { readonly claimedDeliveryId: string | null };

export interface IntakeBatcherOptions {
  readonly store: Store;
  readonly queue: JobQueue;
  /** Largest batch per commit. Default 512. */
  readonly maxBatch?: number;
  /** Rejection audit rows held while the store is failing; beyond it they are dropped (counted). Default 10,000. */
  readonly maxPendingAudit?: number;
  /** Attempts of an event's job before it is dead-lettered. Default 10. */
  readonly maxAttempts?: number;
  readonly clock: Clock;
}

interface Waiting {
  readonly record: WebhookIntakeRecord;
  readonly resolve: (outcome: WebhookIntakeOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export class IntakeBatcher {
  readonly #store: Store;
  readonly #queue: JobQueue;
  readonly #maxBatch: number;
  readonly #maxPendingAudit: number;
  readonly #maxAttempts: number;
  readonly #clock: Clock;
  #waiting: Waiting[] = [];
  #audit: AuditRow[] = [];
  #running = false;
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** Rejection audit rows dropped because too many were waiting. */
  droppedAudit = 0;

  constructor(options: IntakeBatcherOptions) {
    this.#store = options.store;
    this.#queue = options.queue;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#maxPendingAudit = options.maxPendingAudit ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 10;
    this.#clock = options.clock;
  }

  /** Resolves once the record (and its job, when stored) is durable; rejects STORE_/QUEUE_UNAVAILABLE. */
  submit(record: WebhookIntakeRecord): Promise<WebhookIntakeOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ record, resolve, reject });
      this.#schedule();
    });
  }

  /** Queues an audit row for a rejected delivery; written with the next batch. */
  audit(row: AuditRow): void {
    if (this.#audit.length >= this.#maxPendingAudit) {
      this.droppedAudit += 1;
      return;
    }
    this.#audit.push(row);
    this.#schedule();
  }

  /** Resolves when nothing waits and no batch is committing. */
  drain(): Promise<void> {
    if (!this.#running && !this.#scheduled && this.#waiting.length === 0 && this.#audit.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#waiting.length > 0 || this.#audit.length > 0) {
        const batch = this.#waiting.splice(0, this.#maxBatch);
        const audit = this.#audit.splice(0, this.#maxBatch * 4);
        await this.#commit(batch, audit);
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #commit(batch: Waiting[], audit: AuditRow[]): Promise<void> {
    // Two atomic calls, not one store transaction: each is durable when it resolves, and
    // the SQLite backend makes it so off the event loop (backends/sqlite/off-loop-commit.ts).
    const enqueue = { queue: WEBHOOK_EVENTS_QUEUE, maxAttempts: this.#maxAttempts, now: this.#clock.now() } as const;
    const [stored, audited] = await Promise.allSettled([
      batch.length > 0 ? this.#store.webhooks.recordDeliveries(batch.map((w) => w.record), enqueue) : Promise.resolve([]),
      audit.length > 0 ? this.#store.webhooks.appendAudit(audit) : Promise.resolve(),
    ]);
    if (audited.status === 'rejected') {
      // Audit rows of rejections are best effort: keep them for the next batch while there is room.
      if (this.#audit.length + audit.length <= this.#maxPendingAudit) this.#audit.unshift(...audit);
      else this.droppedAudit += audit.length;
    }
    if (stored.status === 'rejected') {
      const error = unavailable('STORE_UNAVAILABLE', 'The webhook store could not commit', stored.reason);
      for (const w of batch) w.reject(error);
      return;
    }
    const outcomes = stored.value;
    const jobs: { payload: WebhookEventJob; options: EnqueueOptions }[] = [];
    const jobOwners: number[] = [];
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      const r = w.record;
      if (outcome?.enqueued) return;
      const eventId = outcome?.stored ? r.eventId : outcome && !outcome.stored && outcome.eventStatus === 'pending' ? outcome.eventId : null;
      if (eventId === null || eventId === undefined) return;
      jobs.push({
        payload: { eventId, tenantId: r.tenantId, registrationId: r.registrationId },
        options: { idempotencyKey: webhookJobKey(r.registrationId, eventId), correlationId: eventId, maxAttempts: this.#maxAttempts },
      });
      jobOwners.push(i);
    });
    if (jobs.length > 0) {
      try {
        await this.#queue.enqueueMany(WEBHOOK_EVENTS_QUEUE, jobs);
      } catch (cause) {
        const error = unavailable('QUEUE_UNAVAILABLE', 'The webhook event could not be enqueued', cause);
        const failed = new Set(jobOwners);
        batch.forEach((w, i) => (failed.has(i) ? w.reject(error) : w.resolve(outcomes[i] ?? { stored: true, enqueued: false })));
        return;
      }
    }
    batch.forEach((w, i) => w.resolve(outcomes[i] ?? { stored: true, enqueued: true }));
  }
}

function unavailable(code: 'STORE_UNAVAILABLE' | 'QUEUE_UNAVAILABLE', message: string, cause: unknown): TributaryError {
  if (cause instanceof TributaryError && cause.code === code) return cause;
  return new TributaryError(code, message, { cause });
}
