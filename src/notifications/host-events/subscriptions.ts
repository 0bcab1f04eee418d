/**
 * A tenant's event subscriptions, as the API manages them: target URLs pass the egress
 * policy; the `whsec_` signing secret is shown once (at creation and at each rotation)
 * and kept in the SecretStore; a rotation keeps the old secret signing for an overlap.
 * Deliveries are listed with their attempts and can be replayed.
 */
import { assertEgressAllowed } from '../../connections/index.ts';
import { TributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { AuditEntry } from '../../domain/tenancy.ts';
import type { EventDeliveryAttempt, EventDeliveryRecord, EventSubscriptionRecord } from '../../ports/store.ts';
import { SigningSecrets } from '../../webhooks/index.ts';
import type { NotificationActionContext } from '../admin.ts';
import type { HostEventDeliverer } from './deliverer.ts';
import type { ResolvedHostEventOptions } from './options.ts';
import { newWhsecSecret } from './signing.ts';
import { isHostEventType, type HostEventType } from './types.ts';

export interface SubscriptionView {
  readonly id: string;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: HostEventType[];
  readonly status: EventSubscriptionRecord['status'];
  readonly failingSince: string | null;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DeliveryView {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventType: string;
  readonly status: EventDeliveryRecord['status'];
  readonly attempts: EventDeliveryAttempt[];
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly payload: unknown;
}

export interface SubscriptionInput {
  url: string;
  description?: string;
  eventTypes?: string[];
}

export interface SubscriptionUpdate {
  url?: string;
  description?: string;
  eventTypes?: string[];
  /** true re-activates a disabled subscription (its failure clock restarts). */
  enabled?: boolean;
}

function view(record: EventSubscriptionRecord): SubscriptionView {
  return {
    id: record.id,
    url: record.url,
    description: record.description,
    eventTypes: record.eventTypes.filter(isHostEventType),
    status: record.status,
    failingSince: record.failingSince,
    disabledReason: record.disabledReason,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function deliveryView(record: EventDeliveryRecord): DeliveryView {
  return {
    id: record.id,
    subscriptionId: record.subscriptionId,
    eventType: record.eventType,
    status: record.status,
    attempts: [...record.attempts],
    nextAttemptAt: record.nextAttemptAt,
    createdAt: record.createdAt,
    payload: JSON.parse(record.payload) as unknown,
  };
}

function checkTypes(types: string[] | undefined): HostEventType[] | undefined {
  if (types === undefined) return undefined;
  const bad = types.find((type) => !isHostEventType(type));
  if (bad !== undefined) throw new TributaryError('VALIDATION_FAILED', `Unknown event type ${bad}`, { field: 'body.eventTypes' });
  return [...new Set(types as HostEventType[])];
}

export class EventSubscriptions {
  readonly #options: ResolvedHostEventOptions;
  readonly #signing: SigningSecrets;
  readonly #deliverer: HostEventDeliverer;

  constructor(options: ResolvedHostEventOptions, deliverer: HostEventDeliverer) {
    this.#options = options;
    this.#signing = new SigningSecrets(options.base.secrets);
    this.#deliverer = deliverer;
  }

  #now(): string {
    return new Date(this.#options.base.clock.now()).toISOString();
  }

  #audit(context: NotificationActionContext, action: string, tenantId: string, target: string, details: Record<string, unknown>): AuditEntry {
    return { id: newId('aud'), at: this.#now(), actor: context.actor, action, tenantId, target, details, requestId: context.requestId };
  }

  async #record(tenantId: string, id: string): Promise<EventSubscriptionRecord> {
    const record = await this.#options.base.store.eventSubscriptions.get(tenantId, id);
    if (record === null) throw new TributaryError('NOT_FOUND', `Event subscription ${id} not found`);
    return record;
  }

  async #checkUrl(url: string): Promise<void> {
    await assertEgressAllowed(url, this.#options.base.egress, 'body.url', this.#options.base.resolveHost);
  }

  /** Creates the subscription; `secret` is shown this once. */
  async create(context: NotificationActionContext, tenantId: string, input: SubscriptionInput): Promise<{ subscription: SubscriptionView; secret: string }> {
    await this.#checkUrl(input.url);
    const id = `sub_${newId('evt').slice(4)}`;
    const secret = newWhsecSecret();
    const secretRef = await this.#signing.create(tenantId, id, secret);
    const now = this.#now();
    const record: EventSubscriptionRecord = {
      id,
      tenantId,
      url: input.url,
      description: input.description ?? '',
      eventTypes: checkTypes(input.eventTypes) ?? [],
      secretRef,
      status: 'active',
      failingSince: null,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.#options.base.store.transaction(async (tx) => {
        await tx.eventSubscriptions.insert(record);
        await tx.audit.append(this.#audit(context, 'event_subscription.create', tenantId, id, { url: new URL(input.url).host, eventTypes: record.eventTypes }));
      });
    } catch (error) {
      await this.#options.base.secrets.delete(tenantId, secretRef).catch(() => undefined);
      throw error;
    }
    return { subscription: view(record), secret };
  }

  async get(tenantId: string, id: string): Promise<SubscriptionView> {
    return view(await this.#record(tenantId, id));
  }

  async list(tenantId: string): Promise<SubscriptionView[]> {
    return (await this.#options.base.store.eventSubscriptions.list(tenantId)).map(view);
  }

  async update(context: NotificationActionContext, tenantId: string, id: string, update: SubscriptionUpdate): Promise<SubscriptionView> {
    await this.#record(tenantId, id);
    if (update.url !== undefined) await this.#checkUrl(update.url);
    const patch: Parameters<ResolvedHostEventOptions['base']['store']['eventSubscriptions']['update']>[2] = {};
    if (update.url !== undefined) patch.url = update.url;
    if (update.description !== undefined) patch.description = update.description;
    const types = checkTypes(update.eventTypes);
    if (types !== undefined) patch.eventTypes = types;
    if (update.enabled === true) Object.assign(patch, { status: 'active', failingSince: null, disabledReason: null });
    if (update.enabled === false) Object.assign(patch, { status: 'disabled', disabledReason: 'disabled through the API' });
    const updated = await this.#options.base.store.transaction(async (tx) => {
      const row = await tx.eventSubscriptions.update(tenantId, id, patch, this.#now());
      if (row !== null) await tx.audit.append(this.#audit(context, 'event_subscription.update', tenantId, id, { fields: Object.keys(update).sort(), status: row.status }));
      return row;
    });
    if (updated === null) throw new TributaryError('NOT_FOUND', `Event subscription ${id} not found`);
    return view(updated);
  }

  async delete(context: NotificationActionContext, tenantId: string, id: string): Promise<void> {
    const current = await this.#record(tenantId, id);
    await this.#options.base.store.transaction(async (tx) => {
      await tx.eventSubscriptions.delete(tenantId, id);
      await tx.audit.append(this.#audit(context, 'event_subscription.delete', tenantId, id, {}));
    });
    await this.#options.base.secrets.delete(tenantId, current.secretRef);
  }

  /** A new current secret (returned this once); the old one keeps signing for `overlapMs`. */
  async rotateSecret(context: NotificationActionContext, tenantId: string, id: string, overlapMs?: number): Promise<{ secret: string; previousValidUntil: string }> {
    const current = await this.#record(tenantId, id);
    const secret = newWhsecSecret();
    const now = this.#options.base.clock.now();
    const overlap = overlapMs ?? this.#options.rotationOverlapMs;
    await this.#signing.rotate(tenantId, current.secretRef, secret, now, overlap);
    await this.#options.base.store.audit.append(this.#audit(context, 'event_subscription.rotate_secret', tenantId, id, { overlapMs: overlap }));
    return { secret, previousValidUntil: new Date(now + overlap).toISOString() };
  }

  async deliveries(tenantId: string, id: string, limit = 50): Promise<DeliveryView[]> {
    await this.#record(tenantId, id);
    return (await this.#options.base.store.eventSubscriptions.listDeliveries(tenantId, id, limit)).map(deliveryView);
  }

  /** Sends a delivery again now (delivered, failed or stopped alike) with the same webhook-id. */
  async replay(context: NotificationActionContext, tenantId: string, id: string, deliveryId: string): Promise<DeliveryView> {
    const subscription = await this.#record(tenantId, id);
    const delivery = await this.#options.base.store.eventSubscriptions.getDelivery(tenantId, deliveryId);
    if (delivery === null || delivery.subscriptionId !== id) throw new TributaryError('NOT_FOUND', `Delivery ${deliveryId} not found`);
    if (subscription.status !== 'active') throw new TributaryError('CONFLICT', 'The subscription is disabled: enable it before replaying');
    const updated = await this.#options.base.store.eventSubscriptions.setDeliveryStatus(tenantId, deliveryId, 'pending', this.#now(), this.#now());
    await this.#options.base.queue.enqueue('notifications', this.#deliverer.job(delivery), { idempotencyKey: `${deliveryId}:replay:${delivery.attempts.length}`, correlationId: deliveryId });
    await this.#options.base.store.audit.append(this.#audit(context, 'event_subscription.replay', tenantId, id, { deliveryId }));
    return deliveryView(updated ?? delivery);
  }
}
