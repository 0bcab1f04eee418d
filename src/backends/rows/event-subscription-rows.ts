import type { EventDeliveryAttempt, EventDeliveryRecord, EventSubscriptionRecord } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `event_subscriptions` and `event_deliveries` (migration 007) and their mapping
 * to domain records, shared by the SQLite and PostgreSQL repositories. A delivery's
 * payload is the signed text on both backends.
 */
export interface SubscriptionRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  event_types: C['json'];
  secret_ref: string;
  status: EventSubscriptionRecord['status'];
  failing_since: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  subscription_id: string;
  event_type: string;
  payload: string;
  status: EventDeliveryRecord['status'];
  attempts: C['json'];
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export interface EventSubscriptionRowMappers<C extends ColumnTypes> {
  toSubscription(row: SubscriptionRow<C>): EventSubscriptionRecord;
  toDelivery(row: DeliveryRow<C>): EventDeliveryRecord;
}

/** The row mappers for a backend's column decoders. */
export function eventSubscriptionRowMappers<C extends ColumnTypes>(columns: ColumnDecoders<C>): EventSubscriptionRowMappers<C> {
  return {
    toSubscription: (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      url: row.url,
      description: row.description,
      eventTypes: columns.json<string[]>(row.event_types),
      secretRef: row.secret_ref,
      status: row.status,
      failingSince: row.failing_since,
      disabledReason: row.disabled_reason,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
    toDelivery: (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      subscriptionId: row.subscription_id,
      eventType: row.event_type,
      payload: row.payload,
      status: row.status,
      attempts: columns.json<EventDeliveryAttempt[]>(row.attempts),
      nextAttemptAt: row.next_attempt_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      expiresAt: row.expires_at,
    }),
  };
}
