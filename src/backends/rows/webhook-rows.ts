import type { WebhookDelivery, WebhookEvent } from '../../domain/webhook.ts';
import type { StoredWebhookRegistration } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `webhooks`, `webhook_audit` and `webhook_events` and their mapping to domain
 * records, shared by the SQLite and PostgreSQL webhook repositories. An event's payload
 * is the JSON text received on both backends.
 */
export interface RegistrationRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  integration_id: string | null;
  connection_id: string;
  provider_id: string;
  webhook_url: string;
  webhook_secret_ref: string | null;
  provider_webhook_id: string | null;
  events: C['json'];
  status: StoredWebhookRegistration['status'];
  failure_count: number;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  scheme: string | null;
  config: C['json'];
}

export interface AuditRow<C extends ColumnTypes> {
  id: string;
  registration_id: string;
  tenant_id: string;
  delivery_id: string | null;
  claimed_delivery_id: string | null;
  received_at: string;
  verified: C['bool'];
  outcome: string;
  detail: string | null;
  expires_at: string;
}

export interface EventRow<C extends ColumnTypes> {
  id: string;
  registration_id: string;
  tenant_id: string;
  delivery_id: string | null;
  event_type: string | null;
  payload: string;
  received_at: string;
  status: WebhookEvent['status'];
  attempts: number;
  processed_at: string | null;
  error: C['json'] | null;
  expires_at: string | null;
}

/** The row mappers of the webhook tables for a backend's column decoders. */
export interface WebhookRowMappers<C extends ColumnTypes> {
  toRegistration(row: RegistrationRow<C>): StoredWebhookRegistration;
  toDelivery(row: AuditRow<C>): WebhookDelivery & { claimedDeliveryId: string | null };
  toEvent(row: EventRow<C>): WebhookEvent;
}

export function webhookRowMappers<C extends ColumnTypes>(columns: ColumnDecoders<C>): WebhookRowMappers<C> {
  return {
    toRegistration: (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      integrationId: row.integration_id,
      connectionId: row.connection_id,
      providerId: row.provider_id,
      webhookUrl: row.webhook_url,
      webhookSecretRef: row.webhook_secret_ref,
      providerWebhookId: row.provider_webhook_id,
      events: columns.json<string[]>(row.events),
      status: row.status,
      failureCount: row.failure_count,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      expiresAt: row.expires_at,
      scheme: row.scheme,
      config: columns.json<Record<string, unknown>>(row.config),
    }),
    toDelivery: (row) => ({
      id: row.id,
      registrationId: row.registration_id,
      tenantId: row.tenant_id,
      deliveryId: row.delivery_id,
      claimedDeliveryId: row.claimed_delivery_id,
      receivedAt: row.received_at,
      verified: columns.bool(row.verified),
      outcome: row.outcome,
      detail: row.detail,
      expiresAt: row.expires_at,
    }),
    toEvent: (row) => ({
      id: row.id,
      registrationId: row.registration_id,
      tenantId: row.tenant_id,
      deliveryId: row.delivery_id,
      eventType: row.event_type,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
      receivedAt: row.received_at,
      status: row.status,
      attempts: row.attempts,
      processedAt: row.processed_at,
      error: row.error === null ? null : columns.json<{ code: string; message: string }>(row.error),
      expiresAt: row.expires_at,
    }),
  };
}
