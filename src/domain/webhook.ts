/**
 * Webhooks: the data model of the `webhooks` (reference `webhook-registrations`),
 * `webhook_audit` and `webhook_events` containers. Times are ISO-8601 UTC strings.
 */

export const WEBHOOK_STATUSES = ['active', 'failing', 'disabled'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** A subscription at a provider that delivers to us. The signing secret is a SecretStore ref. */
export interface WebhookRegistration {
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId: string | null;
  readonly connectionId: string;
  readonly providerId: string;
  readonly webhookUrl: string;
  readonly webhookSecretRef: string | null;
  /** The provider's own id for the subscription. */
  readonly providerWebhookId: string | null;
  readonly events: string[];
  readonly status: WebhookStatus;
  readonly failureCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When a watch channel (Google) must be renewed by; not a retention. */
  readonly expiresAt: string | null;
}

/** One delivery received, kept 30 days; (registrationId, deliveryId) detects replays. */
export interface WebhookDelivery {
  readonly id: string;
  readonly registrationId: string;
  readonly tenantId: string;
  readonly deliveryId: string | null;
  readonly receivedAt: string;
  readonly verified: boolean;
  /** `accepted`, `duplicate`, `rejected_signature`, `rejected_stale`, `rate_limited`, ... */
  readonly outcome: string;
  readonly detail: string | null;
  readonly expiresAt: string;
}

export const WEBHOOK_EVENT_STATUSES = ['pending', 'processing', 'processed', 'failed'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

/** A verified event, stored durably before the 2xx is sent. */
export interface WebhookEvent {
  readonly id: string;
  readonly registrationId: string;
  readonly tenantId: string;
  readonly deliveryId: string | null;
  readonly eventType: string | null;
  readonly payload: Record<string, unknown>;
  readonly receivedAt: string;
  readonly status: WebhookEventStatus;
  readonly attempts: number;
  readonly processedAt: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly expiresAt: string | null;
}
