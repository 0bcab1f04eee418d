import type { WebhookDelivery, WebhookEvent, WebhookRegistration } from '../domain/webhook.ts';
import type { Page, PageRequest } from './page.ts';

/** Store repositories of webhook registrations, intake and delivery audit. See store.ts for the Store contract. */

/** A registration as stored: the domain row plus the verification scheme and provider config. */
export interface StoredWebhookRegistration extends WebhookRegistration {
  /** Verification scheme when not the provider's own (`standard`); null: the provider's. */
  readonly scheme: string | null;
  /** Provider-specific registration data (GitHub repo/org, Google resource id, Salesforce org id); never secrets. */
  readonly config: Record<string, unknown>;
}

/** Fields of a registration that change; absent fields are left alone. */
export interface WebhookRegistrationPatch {
  webhookSecretRef?: string | null;
  providerWebhookId?: string | null;
  events?: string[];
  status?: WebhookRegistration['status'];
  failureCount?: number;
  expiresAt?: string | null;
  config?: Record<string, unknown>;
}

/**
 * One verified delivery for `recordDeliveries`: its audit row, and unless `eventId` is
 * null (a handshake), the event row stored before the 2xx. `payloadJson` is the event
 * as JSON text (stored as is, so the intake does not re-encode a body it just parsed).
 */
export interface WebhookIntakeRecord {
  readonly auditId: string;
  readonly eventId: string | null;
  readonly registrationId: string;
  readonly tenantId: string;
  readonly deliveryId: string | null;
  readonly eventType: string;
  readonly payloadJson: string;
  readonly receivedAt: string;
  /** The audit row's expiry (received + 30 days). */
  readonly auditExpiresAt: string;
}

/**
 * What happened to one intake record: stored, or a duplicate of an earlier delivery (its
 * event, if any). `enqueued`: the event's job was committed in the same commit (see
 * `WebhookIntakeEnqueue`); false means the caller must enqueue it.
 */
export type WebhookIntakeOutcome =
  | { readonly stored: true; readonly enqueued: boolean }
  | { readonly stored: false; readonly eventId: string | null; readonly eventStatus: WebhookEvent['status'] | null; readonly enqueued: boolean };

/**
 * The job to add for each stored event (and for a duplicate whose event is still
 * pending): payload `{ eventId, tenantId, registrationId }` on `queue`, idempotency key
 * `<registrationId>:<eventId>`, correlation id the event id, priority
 * normal. A backend whose job queue lives in the same database (embedded SQLite) inserts
 * it in the same commit as the event, so one fsync makes both durable; other backends
 * ignore it and answer `enqueued: false`.
 */
export interface WebhookIntakeEnqueue {
  readonly queue: 'webhook-events';
  readonly maxAttempts: number;
  /** Epoch ms: the job's enqueue time. */
  readonly now: number;
}

/** A delivery audit row as stored: the domain row plus the delivery id a rejected or duplicate delivery presented. */
export type StoredWebhookDelivery = WebhookDelivery & { readonly claimedDeliveryId: string | null };

/** Filters of `listDeliveries`, combined with AND; each absent one matches every row. */
export interface WebhookDeliveryFilter extends PageRequest {
  /** Exact outcome: `accepted`, `duplicate`, `rejected_signature`, ... */
  readonly outcome?: string;
  /** Received at or after this time (ISO-8601 in the stored form, `toISOString`). */
  readonly since?: string;
  /** Received strictly before this time (same form). */
  readonly until?: string;
}

/** A processed or failed event's new state. */
export interface WebhookEventPatch {
  status: WebhookEvent['status'];
  attempts?: number;
  processedAt?: string | null;
  error?: { code: string; message: string } | null;
  expiresAt?: string | null;
}

/**
 * Webhook registrations, the delivery audit and the intake events. Tenant-scoped except
 * `find` (the intake knows only the registration id in the URL), `listPendingEvents`
 * and `listExpiring` (the worker's cross-tenant sweeps).
 *
 * `recordDeliveries` is the intake's durable step, atomic for the whole batch (one
 * commit): per record, the audit row takes the UNIQUE (registration, delivery id) key;
 * when the key is taken the record is a duplicate (an audit row with outcome
 * `duplicate` and `claimedDeliveryId` is written instead, and the earlier event is
 * returned); otherwise the event row is inserted too. Records with a null delivery id
 * are never duplicates. `appendAudit` writes rows that hold no replay key (rejections).
 */
export interface WebhookRepository {
  insert(registration: StoredWebhookRegistration): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredWebhookRegistration | null>;
  find(id: string): Promise<StoredWebhookRegistration | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<StoredWebhookRegistration>>;
  update(tenantId: string, id: string, patch: WebhookRegistrationPatch, updatedAt: string): Promise<StoredWebhookRegistration | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * Sets `config.once[flag]` to `at` unless it is set already, in one atomic statement:
   * true for the one caller that set it (one-time reveals), false otherwise or when there
   * is no such registration. `flag` is a plain identifier (letters and digits). `update`
   * keeps `config.once` whatever config it writes, so a claim is never undone.
   */
  claimConfigFlag(tenantId: string, id: string, flag: string, at: string): Promise<boolean>;
  /** Registrations whose `expiresAt` is before `before` (watch channels to renew), soonest first. */
  listExpiring(before: string, limit: number): Promise<StoredWebhookRegistration[]>;
  recordDeliveries(records: readonly WebhookIntakeRecord[], enqueue?: WebhookIntakeEnqueue): Promise<WebhookIntakeOutcome[]>;
  appendAudit(rows: readonly StoredWebhookDelivery[]): Promise<void>;
  /** Newest first, at most `limit`. */
  recentDeliveries(tenantId: string, registrationId: string, limit: number): Promise<StoredWebhookDelivery[]>;
  /**
   * One page of a registration's delivery audit, filtered, newest first by (receivedAt,
   * id); `nextCursor` continues the same filtered list however many rows precede it (a
   * keyset query, not a window over recent rows). Another tenant's registration lists no
   * rows.
   */
  listDeliveries(tenantId: string, registrationId: string, filter?: WebhookDeliveryFilter): Promise<Page<StoredWebhookDelivery>>;
  /**
   * The event a delivery audit row (`id` of `recentDeliveries`) stored: `eventId` null when
   * it stored none (a rejection, duplicate or handshake); null when there is no such row.
   */
  deliveryEvent(tenantId: string, registrationId: string, auditId: string): Promise<{ readonly eventId: string | null } | null>;
  getEvent(tenantId: string, id: string): Promise<WebhookEvent | null>;
  updateEvent(tenantId: string, id: string, patch: WebhookEventPatch): Promise<boolean>;
  /** Events still `pending` or `processing` received before `before`, oldest first: the recovery sweep. */
  listPendingEvents(before: string, limit: number): Promise<WebhookEvent[]>;
}
