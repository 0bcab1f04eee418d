import type { WebhookDelivery, WebhookEvent } from '../../../domain/webhook.ts';
import type {
  Page,
  PageRequest,
  StoredWebhookDelivery,
  StoredWebhookRegistration,
  WebhookDeliveryFilter,
  WebhookEventPatch,
  WebhookIntakeEnqueue,
  WebhookIntakeOutcome,
  WebhookIntakeRecord,
  WebhookRegistrationPatch,
  WebhookRepository,
} from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, toJsonOrNull, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { webhookRowMappers, type AuditRow as SharedAuditRow, type EventRow as SharedEventRow, type RegistrationRow as SharedRegistrationRow } from '../../rows/webhook-rows.ts';

type RegistrationRow = SharedRegistrationRow<PgColumnTypes> & PgRow;
type AuditRow = SharedAuditRow<PgColumnTypes> & PgRow;
type EventRow = SharedEventRow<PgColumnTypes> & PgRow;
const { toRegistration, toDelivery, toEvent } = webhookRowMappers(PG_COLUMNS);

const REG_COLUMNS =
  'id, tenant_id, integration_id, connection_id, provider_id, webhook_url, webhook_secret_ref, provider_webhook_id, events, status, failure_count, created_at, updated_at, expires_at, scheme, config';
const INSERT_REG = `INSERT INTO webhooks (${REG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`;
const GET_REG = `SELECT ${REG_COLUMNS} FROM webhooks WHERE id = $1 AND tenant_id = $2`;
const FIND_REG = `SELECT ${REG_COLUMNS} FROM webhooks WHERE id = $1`;
const UPDATE_REG = `UPDATE webhooks SET
  webhook_secret_ref = CASE WHEN $4::boolean THEN $5 ELSE webhook_secret_ref END,
  provider_webhook_id = CASE WHEN $6::boolean THEN $7 ELSE provider_webhook_id END,
  events = COALESCE($8::jsonb, events), status = COALESCE($9, status), failure_count = COALESCE($10::integer, failure_count),
  expires_at = CASE WHEN $11::boolean THEN $12 ELSE expires_at END, config = COALESCE($13::jsonb || CASE WHEN config -> 'once' IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('once', config -> 'once') END, config), updated_at = $3
  WHERE id = $1 AND tenant_id = $2 RETURNING ${REG_COLUMNS}`;
const DELETE_REG = 'DELETE FROM webhooks WHERE id = $1 AND tenant_id = $2';
// One-time flags live in config.once, which later config updates keep (see the port).
const CLAIM_FLAG = `UPDATE webhooks SET config = config || jsonb_build_object('once', COALESCE(config -> 'once', '{}'::jsonb) || jsonb_build_object($3::text, $4::text)), updated_at = $4
  WHERE id = $1 AND tenant_id = $2 AND config #> ARRAY['once', $3::text] IS NULL`;
const EXPIRING = `SELECT ${REG_COLUMNS} FROM webhooks WHERE expires_at IS NOT NULL AND expires_at < $1 ORDER BY expires_at LIMIT $2`;

const AUDIT_COLUMNS = 'id, registration_id, tenant_id, delivery_id, claimed_delivery_id, received_at, verified, outcome, detail, expires_at';
const INSERT_AUDIT_KEYED = `INSERT INTO webhook_audit (${AUDIT_COLUMNS}, event_id)
  VALUES ($1, $2, $3, $4, NULL, $5, TRUE, 'accepted', NULL, $6, $7) ON CONFLICT (registration_id, delivery_id) DO NOTHING`;
const INSERT_AUDIT = `INSERT INTO webhook_audit (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
const RECENT_AUDIT = `SELECT ${AUDIT_COLUMNS} FROM webhook_audit WHERE registration_id = $1 AND tenant_id = $2
  ORDER BY received_at DESC, id DESC LIMIT $3`;

const EVENT_COLUMNS = 'id, registration_id, tenant_id, delivery_id, event_type, payload, received_at, status, attempts, processed_at, error, expires_at';
const INSERT_EVENT = `INSERT INTO webhook_events (id, registration_id, tenant_id, delivery_id, event_type, payload, received_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;
// Through the audit's UNIQUE (registration_id, delivery_id): the accepted row names its event.
const EVENT_BY_DELIVERY = `SELECT e.id AS id, e.status AS status FROM webhook_audit a JOIN webhook_events e ON e.id = a.event_id
  WHERE a.registration_id = $1 AND a.delivery_id = $2`;
const GET_EVENT = `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE id = $1 AND tenant_id = $2`;
const DELIVERY_EVENT = 'SELECT event_id FROM webhook_audit WHERE id = $1 AND registration_id = $2 AND tenant_id = $3';
const UPDATE_EVENT = `UPDATE webhook_events SET status = $3, attempts = COALESCE($4::integer, attempts),
  processed_at = CASE WHEN $5::boolean THEN $6 ELSE processed_at END,
  error = CASE WHEN $7::boolean THEN $8::jsonb ELSE error END,
  expires_at = CASE WHEN $9::boolean THEN $10 ELSE expires_at END
  WHERE id = $1 AND tenant_id = $2`;
const PENDING_EVENTS = `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE status IN ('pending', 'processing') AND received_at < $1
  ORDER BY received_at, id LIMIT $2`;

/**
 * Webhook registrations, delivery audit and intake events in PostgreSQL.
 * `recordDeliveries` and `appendAudit` are atomic per call (`PgContext.atomic`). The job
 * queue does not live in this database in cluster mode (BullMQ), so `recordDeliveries`
 * ignores `enqueue` and answers `enqueued: false`: the caller enqueues after the commit.
 * The event payload is kept as the JSON text received (TEXT column), as on SQLite.
 */
export class PgWebhookRepository implements WebhookRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(r: StoredWebhookRegistration): Promise<void> {
    await this.#sql.query(INSERT_REG, [
      r.id, r.tenantId, r.integrationId, r.connectionId, r.providerId, r.webhookUrl, r.webhookSecretRef, r.providerWebhookId, toJson(r.events),
      r.status, r.failureCount, r.createdAt, r.updatedAt, r.expiresAt, r.scheme, toJson(r.config),
    ]);
  }

  async get(tenantId: string, id: string): Promise<StoredWebhookRegistration | null> {
    const { rows } = await this.#sql.query<RegistrationRow>(GET_REG, [id, tenantId]);
    return rows[0] ? toRegistration(rows[0]) : null;
  }

  async find(id: string): Promise<StoredWebhookRegistration | null> {
    const { rows } = await this.#sql.query<RegistrationRow>(FIND_REG, [id]);
    return rows[0] ? toRegistration(rows[0]) : null;
  }

  async list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<StoredWebhookRegistration>> {
    const { limit, after } = resolvePage(page);
    const params: unknown[] = [limit + 1, tenantId];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const where = ['tenant_id = $2'];
    if (page?.connectionId !== undefined) where.push(`connection_id = ${bind(page.connectionId)}`);
    if (after) where.push(`(created_at, id) > (${bind(after[0])}, ${bind(after[1])})`);
    const { rows } = await this.#sql.query<RegistrationRow>(`SELECT ${REG_COLUMNS} FROM webhooks WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.created_at, row.id], toRegistration);
  }

  async update(tenantId: string, id: string, patch: WebhookRegistrationPatch, updatedAt: string): Promise<StoredWebhookRegistration | null> {
    const { rows } = await this.#sql.query<RegistrationRow>(UPDATE_REG, [
      id,
      tenantId,
      updatedAt,
      patch.webhookSecretRef !== undefined,
      patch.webhookSecretRef ?? null,
      patch.providerWebhookId !== undefined,
      patch.providerWebhookId ?? null,
      toJsonOrNull(patch.events),
      patch.status ?? null,
      patch.failureCount ?? null,
      patch.expiresAt !== undefined,
      patch.expiresAt ?? null,
      toJsonOrNull(patch.config),
    ]);
    return rows[0] ? toRegistration(rows[0]) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(DELETE_REG, [id, tenantId])).rowCount > 0;
  }

  async claimConfigFlag(tenantId: string, id: string, flag: string, at: string): Promise<boolean> {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(flag)) throw new Error(`Not a plain config flag name: ${flag}`);
    return (await this.#sql.query(CLAIM_FLAG, [id, tenantId, flag, at])).rowCount > 0;
  }

  async listExpiring(before: string, limit: number): Promise<StoredWebhookRegistration[]> {
    const { rows } = await this.#sql.query<RegistrationRow>(EXPIRING, [before, limit]);
    return rows.map(toRegistration);
  }

  recordDeliveries(records: readonly WebhookIntakeRecord[], enqueue?: WebhookIntakeEnqueue): Promise<WebhookIntakeOutcome[]> {
    void enqueue; // no job table here: see the class comment
    return this.#sql.atomic(async (sql) => {
      const outcomes: WebhookIntakeOutcome[] = [];
      for (const r of records) {
        const keyed = await sql.query(INSERT_AUDIT_KEYED, [r.auditId, r.registrationId, r.tenantId, r.deliveryId, r.receivedAt, r.auditExpiresAt, r.eventId]);
        if (keyed.rowCount === 0 && r.deliveryId !== null) {
          await sql.query(INSERT_AUDIT, [r.auditId, r.registrationId, r.tenantId, null, r.deliveryId, r.receivedAt, true, 'duplicate', null, r.auditExpiresAt]);
          const earlier = (await sql.query<{ id: string; status: WebhookEvent['status'] }>(EVENT_BY_DELIVERY, [r.registrationId, r.deliveryId])).rows[0];
          outcomes.push({ stored: false, eventId: earlier?.id ?? null, eventStatus: earlier?.status ?? null, enqueued: false });
          continue;
        }
        if (r.eventId !== null) {
          await sql.query(INSERT_EVENT, [r.eventId, r.registrationId, r.tenantId, r.deliveryId, r.eventType, r.payloadJson, r.receivedAt]);
        }
        outcomes.push({ stored: true, enqueued: false });
      }
      return outcomes;
    });
  }

  appendAudit(rows: readonly (WebhookDelivery & { readonly claimedDeliveryId: string | null })[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.#sql.atomic(async (sql) => {
      for (const r of rows) {
        // Unverified rows never hold the replay key (delivery_id): only the claim is kept.
        await sql.query(INSERT_AUDIT, [
          r.id, r.registrationId, r.tenantId, r.verified ? r.deliveryId : null, r.claimedDeliveryId, r.receivedAt, r.verified, r.outcome, r.detail, r.expiresAt,
        ]);
      }
    });
  }

  async recentDeliveries(tenantId: string, registrationId: string, limit: number): Promise<(WebhookDelivery & { claimedDeliveryId: string | null })[]> {
    const { rows } = await this.#sql.query<AuditRow>(RECENT_AUDIT, [registrationId, tenantId, limit]);
    return rows.map(toDelivery);
  }

  async listDeliveries(tenantId: string, registrationId: string, filter: WebhookDeliveryFilter = {}): Promise<Page<StoredWebhookDelivery>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [limit + 1, registrationId, tenantId];
    const where = ['registration_id = $2', 'tenant_id = $3'];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    if (filter.outcome !== undefined) where.push(`outcome = ${bind(filter.outcome)}`);
    if (filter.since !== undefined) where.push(`received_at >= ${bind(filter.since)}`);
    if (filter.until !== undefined) where.push(`received_at < ${bind(filter.until)}`);
    if (after !== null) where.push(`(received_at, id) < (${bind(after[0])}, ${bind(after[1])})`);
    // Served in order by webhook_audit_registration or, with an outcome, webhook_audit_outcome (migration 012).
    const { rows } = await this.#sql.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM webhook_audit WHERE ${where.join(' AND ')} ORDER BY received_at DESC, id DESC LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.received_at, row.id], toDelivery);
  }

  async deliveryEvent(tenantId: string, registrationId: string, auditId: string): Promise<{ eventId: string | null } | null> {
    const { rows } = await this.#sql.query<{ event_id: string | null }>(DELIVERY_EVENT, [auditId, registrationId, tenantId]);
    return rows[0] ? { eventId: rows[0].event_id } : null;
  }

  async getEvent(tenantId: string, id: string): Promise<WebhookEvent | null> {
    const { rows } = await this.#sql.query<EventRow>(GET_EVENT, [id, tenantId]);
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async updateEvent(tenantId: string, id: string, patch: WebhookEventPatch): Promise<boolean> {
    const result = await this.#sql.query(UPDATE_EVENT, [
      id,
      tenantId,
      patch.status,
      patch.attempts ?? null,
      patch.processedAt !== undefined,
      patch.processedAt ?? null,
      patch.error !== undefined,
      patch.error ? toJson(patch.error) : null,
      patch.expiresAt !== undefined,
      patch.expiresAt ?? null,
    ]);
    return result.rowCount > 0;
  }

  async listPendingEvents(before: string, limit: number): Promise<WebhookEvent[]> {
    const { rows } = await this.#sql.query<EventRow>(PENDING_EVENTS, [before, limit]);
    return rows.map(toEvent);
  }
}
