/**
 * Replay of a stored webhook delivery: its verified event goes back to `pending` and its
 * `webhook-events` job is enqueued again, under the same idempotency key as at intake (so
 * a job still live for the event absorbs the replay). Processing is idempotent (worker.ts:
 * upserts keyed by record, runs named after the event), so a replay re-applies the event
 * without duplicating anything. The event row must still be kept (7 days once processed).
 */
import { TributaryError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor } from '../domain/tenancy.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Store } from '../ports/store.ts';
import { WEBHOOK_EVENTS_QUEUE, webhookJobKey, type WebhookEventJob } from './intake-batcher.ts';

export interface WebhookReplayContext {
  readonly actor: Actor;
  readonly requestId: string | null;
}

export interface WebhookReplayDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly clock: Clock;
}

export interface WebhookReplayResult {
  /** The delivery (audit row) replayed. */
  readonly id: string;
  readonly eventId: string;
  readonly jobId: string;
  /** True when a job for this event was still live and absorbed the replay. */
  readonly deduplicated: boolean;
}

export class WebhookDeliveryReplay {
  readonly #deps: WebhookReplayDeps;

  constructor(deps: WebhookReplayDeps) {
    this.#deps = deps;
  }

  async replay(context: WebhookReplayContext, tenantId: string, registrationId: string, deliveryId: string): Promise<WebhookReplayResult> {
    const { store, queue, clock } = this.#deps;
    const registration = await store.webhooks.get(tenantId, registrationId);
    if (registration === null) throw new TributaryError('NOT_FOUND', `No webhook registration ${registrationId}`, { field: 'params.id' });
    const delivery = await store.webhooks.deliveryEvent(tenantId, registrationId, deliveryId);
    if (delivery === null) throw new TributaryError('NOT_FOUND', `No delivery ${deliveryId} for this registration`, { field: 'params.deliveryId' });
    if (delivery.eventId === null) {
      throw new TributaryError('CONFLICT', 'This delivery stored no event (rejected, a duplicate or a handshake): replay the accepted one', { field: 'params.deliveryId' });
    }
    const eventId = delivery.eventId;
    await store.transaction(async (tx) => {
      // Back to pending: the handler skips processed events, and the recovery sweep re-enqueues pending ones should the enqueue below fail.
      const reset = await tx.webhooks.updateEvent(tenantId, eventId, { status: 'pending', processedAt: null, error: null, expiresAt: null });
      if (!reset) throw new TributaryError('NOT_FOUND', `The event of delivery ${deliveryId} is no longer kept`, { field: 'params.deliveryId' });
      await tx.audit.append({
        id: newId('aud'), at: new Date(clock.now()).toISOString(), actor: context.actor, action: 'webhook.delivery_replay', tenantId,
        target: registrationId, details: { deliveryId, eventId }, requestId: context.requestId,
      });
    });
    const job = await queue.enqueue<WebhookEventJob>(WEBHOOK_EVENTS_QUEUE, { eventId, tenantId, registrationId }, { idempotencyKey: webhookJobKey(registrationId, eventId), correlationId: eventId });
    return { id: deliveryId, eventId, jobId: job.id, deduplicated: job.deduplicated };
  }
}
