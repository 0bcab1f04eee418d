/**
 * Publishing host events and delivering them. `publish` writes one delivery row per
 * matching active subscription and enqueues its first attempt on the `notifications`
 * queue. `handle` makes one attempt: signed with every active secret (Standard Webhooks
 * headers), then
 * - 2xx: delivered; the endpoint is healthy again;
 * - 410 Gone: the delivery stops and the subscription is disabled (the spec's rule);
 * - anything else (4xx, 5xx, 429, timeout, refused): the next attempt is enqueued after
 *   the schedule's delay (never before a Retry-After); past the schedule the delivery
 *   fails; an endpoint failing without a success for `disableAfterMs` is disabled, with a
 *   `webhook.disabled` notification to the tenant.
 * HTTP outcomes never throw to the queue (the schedule is ours, longer than the queue's
 * backoff); store failures do, and the queue retries the attempt.
 */
import { randomUUID } from 'node:crypto';
import { assertEgressAllowed } from '../../connections/index.ts';
import { isTributaryError } from '../../domain/errors.ts';
import type { EventDeliveryRecord, EventSubscriptionRecord } from '../../ports/store.ts';
import { SigningSecrets, activeSecrets } from '../../webhooks/index.ts';
import { retryAfterMs } from '../senders.ts';
import type { ResolvedHostEventOptions } from './options.ts';
import { nextRetryDelay } from './schedule.ts';
import { signStandardWebhook } from './signing.ts';
import type { HostEvent, HostEventJob } from './types.ts';

interface AttemptResult {
  readonly status: number | null;
  readonly error: string | null;
  readonly retryAfterMs: number | null;
  /** The URL did not pass the egress policy: no retry can help. */
  readonly refused: boolean;
}

export class HostEventDeliverer {
  readonly #options: ResolvedHostEventOptions;
  readonly #signing: SigningSecrets;

  constructor(options: ResolvedHostEventOptions) {
    this.#options = options;
    this.#signing = new SigningSecrets(options.base.secrets);
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /** Records the event for every active subscription that takes its type; resolves with how many. */
  async publish(event: HostEvent): Promise<number> {
    const { store, clock } = this.#options.base;
    const now = clock.now();
    const subscriptions = (await store.eventSubscriptions.list(event.tenantId)).filter(
      (s) => s.status === 'active' && (s.eventTypes.length === 0 || s.eventTypes.includes(event.type)),
    );
    if (subscriptions.length === 0) return 0;
    const body = JSON.stringify({ type: event.type, timestamp: this.#iso(event.at), tenantId: event.tenantId, data: event.data });
    const deliveries: EventDeliveryRecord[] = subscriptions.map((subscription) => ({
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      tenantId: event.tenantId,
      subscriptionId: subscription.id,
      eventType: event.type,
      payload: body,
      status: 'pending',
      attempts: [],
      nextAttemptAt: this.#iso(now),
      createdAt: this.#iso(now),
      updatedAt: this.#iso(now),
      expiresAt: this.#iso(now + this.#options.retentionMs),
    }));
    await store.eventSubscriptions.insertDeliveries(deliveries);
    await this.#options.base.queue.enqueueMany(
      'notifications',
      deliveries.map((delivery) => ({ payload: this.job(delivery), options: { idempotencyKey: `${delivery.id}:0`, correlationId: delivery.id } })),
    );
    return deliveries.length;
  }

  job(delivery: Pick<EventDeliveryRecord, 'tenantId' | 'id'>): HostEventJob {
    return { kind: 'host_event', tenantId: delivery.tenantId, deliveryId: delivery.id };
  }

  /** One attempt of one delivery (the queue handler for `host_event` jobs). */
  async handle(job: HostEventJob): Promise<void> {
    const { store, clock } = this.#options.base;
    const repo = store.eventSubscriptions;
    const delivery = await repo.getDelivery(job.tenantId, job.deliveryId);
    if (delivery === null || delivery.status !== 'pending') return;
    const subscription = await repo.get(delivery.tenantId, delivery.subscriptionId);
    if (subscription === null || subscription.status !== 'active') {
      await repo.setDeliveryStatus(delivery.tenantId, delivery.id, 'stopped', null, this.#iso(clock.now()));
      return;
    }
    const result = await this.#attempt(subscription, delivery);
    const now = clock.now();
    const attempt = { at: this.#iso(now), status: result.status, error: result.error };
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      await repo.recordAttempt(delivery.tenantId, delivery.id, attempt, { status: 'delivered', nextAttemptAt: null });
      if (subscription.failingSince !== null) await repo.update(subscription.tenantId, subscription.id, { failingSince: null }, attempt.at);
      return;
    }
    if (result.status === 410 || result.refused) {
      await repo.recordAttempt(delivery.tenantId, delivery.id, attempt, { status: 'stopped', nextAttemptAt: null });
      await this.#disable(subscription, result.refused ? 'the URL no longer passes the egress policy' : 'the endpoint answered 410 Gone', now);
      return;
    }
    const failingSince = subscription.failingSince ?? attempt.at;
    if (subscription.failingSince === null) await repo.update(subscription.tenantId, subscription.id, { failingSince }, attempt.at);
    if (now - Date.parse(failingSince) >= this.#options.disableAfterMs) {
      await repo.recordAttempt(delivery.tenantId, delivery.id, attempt, { status: 'stopped', nextAttemptAt: null });
      await this.#disable(subscription, `the endpoint kept failing since ${failingSince}`, now);
      return;
    }
    const delay = nextRetryDelay(this.#options.retryScheduleMs, delivery.attempts.length + 1, this.#options.random, result.retryAfterMs);
    if (delay === null) {
      await repo.recordAttempt(delivery.tenantId, delivery.id, attempt, { status: 'failed', nextAttemptAt: null });
      return;
    }
    await repo.recordAttempt(delivery.tenantId, delivery.id, attempt, { status: 'pending', nextAttemptAt: this.#iso(now + delay) });
    await this.#options.base.queue.enqueue('notifications', this.job(delivery), {
      delayMs: delay,
      idempotencyKey: `${delivery.id}:${delivery.attempts.length + 1}`,
      correlationId: delivery.id,
    });
  }

  async #attempt(subscription: EventSubscriptionRecord, delivery: EventDeliveryRecord): Promise<AttemptResult> {
    const { base } = this.#options;
    try {
      await assertEgressAllowed(subscription.url, base.egress, 'url', base.resolveHost);
    } catch {
      return { status: null, error: 'egress_refused', retryAfterMs: null, refused: true };
    }
    const now = base.clock.now();
    const timestamp = Math.floor(now / 1000);
    const secrets = activeSecrets(await this.#signing.read(subscription.tenantId, subscription.secretRef), now);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Tributary-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(delivery.id, timestamp, delivery.payload, secrets),
    };
    try {
      const response = await base.fetch(subscription.url, { method: 'POST', headers, body: delivery.payload, redirect: 'manual', signal: AbortSignal.timeout(this.#options.timeoutMs) });
      await response.arrayBuffer().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      return { status: response.status, error: ok ? null : `HTTP ${response.status}`, retryAfterMs: retryAfterMs(response.headers.get('retry-after'), now), refused: false };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { status: null, error: timedOut ? 'timeout' : isTributaryError(error) ? error.code : 'connection_failed', retryAfterMs: null, refused: false };
    }
  }

  async #disable(subscription: EventSubscriptionRecord, reason: string, now: number): Promise<void> {
    await this.#options.base.store.eventSubscriptions.update(subscription.tenantId, subscription.id, { status: 'disabled', disabledReason: reason }, this.#iso(now));
    this.#options.base.logger.warn({ tenantId: subscription.tenantId, subscriptionId: subscription.id, reason }, 'event subscription disabled');
    this.#options.notify({
      type: 'webhook.disabled',
      tenantId: subscription.tenantId,
      severity: 'critical',
      subject: subscription.description === '' ? { kind: 'webhook', id: subscription.id } : { kind: 'webhook', id: subscription.id, name: subscription.description },
      at: now,
      facts: { endpoint: new URL(subscription.url).host, reason },
    });
  }
}
