import type {
  EventDeliveryAttempt,
  EventDeliveryRecord,
  EventSubscriptionPatch,
  EventSubscriptionRecord,
  EventSubscriptionRepository,
} from '../../../ports/store.ts';
import { toJson, toJsonOrNull, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { eventSubscriptionRowMappers, type SubscriptionRow as SharedSubscriptionRow, type DeliveryRow as SharedDeliveryRow } from '../../rows/event-subscription-rows.ts';

type SubscriptionRow = SharedSubscriptionRow<PgColumnTypes> & PgRow;
type DeliveryRow = SharedDeliveryRow<PgColumnTypes> & PgRow;
const { toSubscription, toDelivery } = eventSubscriptionRowMappers(PG_COLUMNS);

const SUB_COLUMNS = 'id, tenant_id, url, description, event_types, secret_ref, status, failing_since, disabled_reason, created_at, updated_at';
const DEL_COLUMNS = 'id, tenant_id, subscription_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at, expires_at';
const MAX_ATTEMPTS_KEPT = 50;

const SQL = {
  insert: `INSERT INTO event_subscriptions (${SUB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  get: `SELECT ${SUB_COLUMNS} FROM event_subscriptions WHERE id = $1 AND tenant_id = $2`,
  list: `SELECT ${SUB_COLUMNS} FROM event_subscriptions WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 1000`,
  update: `UPDATE event_subscriptions SET
    url = COALESCE($3, url),
    description = COALESCE($4, description),
    event_types = COALESCE($5::jsonb, event_types),
    status = COALESCE($6, status),
    failing_since = CASE WHEN $7::boolean THEN $8 ELSE failing_since END,
    disabled_reason = CASE WHEN $9::boolean THEN $10 ELSE disabled_reason END,
    updated_at = $11
    WHERE id = $1 AND tenant_id = $2 RETURNING ${SUB_COLUMNS}`,
  delete: 'DELETE FROM event_subscriptions WHERE id = $1 AND tenant_id = $2',
  insertDeliveries: `INSERT INTO event_deliveries (${DEL_COLUMNS})
    SELECT x.id, x.tenant_id, x.subscription_id, x.event_type, x.payload, x.status, x.attempts, x.next_attempt_at, x.created_at, x.updated_at, x.expires_at
    FROM jsonb_to_recordset($1::jsonb) AS x(id text, tenant_id text, subscription_id text, event_type text, payload text, status text,
      attempts jsonb, next_attempt_at text, created_at text, updated_at text, expires_at text)`,
  getDelivery: `SELECT ${DEL_COLUMNS} FROM event_deliveries WHERE id = $1 AND tenant_id = $2`,
  listDeliveries: `SELECT ${DEL_COLUMNS} FROM event_deliveries WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
  // Appends and keeps the last MAX_ATTEMPTS_KEPT in the same statement, under the row's lock: concurrent attempts are never lost.
  recordAttempt: `UPDATE event_deliveries SET
    attempts = (SELECT COALESCE(jsonb_agg(kept.a ORDER BY kept.n), '[]'::jsonb) FROM (
      SELECT t.a, t.n FROM jsonb_array_elements(event_deliveries.attempts || jsonb_build_array($3::jsonb)) WITH ORDINALITY AS t(a, n)
      ORDER BY t.n DESC LIMIT ${MAX_ATTEMPTS_KEPT}) kept),
    status = $4, next_attempt_at = $5, updated_at = $6
    WHERE id = $1 AND tenant_id = $2 RETURNING ${DEL_COLUMNS}`,
  setStatus: `UPDATE event_deliveries SET status = $3, next_attempt_at = $4, updated_at = $5
    WHERE id = $1 AND tenant_id = $2 RETURNING ${DEL_COLUMNS}`,
  purge: 'DELETE FROM event_deliveries WHERE ctid IN (SELECT ctid FROM event_deliveries WHERE expires_at <= $1 LIMIT $2)',
} as const;

/** Event subscriptions and their deliveries in PostgreSQL (migration 007). Payloads are kept as the signed text. */
export class PgEventSubscriptionRepository implements EventSubscriptionRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(s: EventSubscriptionRecord): Promise<void> {
    await this.#sql.query(SQL.insert, [
      s.id, s.tenantId, s.url, s.description, toJson(s.eventTypes), s.secretRef, s.status, s.failingSince, s.disabledReason, s.createdAt, s.updatedAt,
    ]);
  }

  async get(tenantId: string, id: string): Promise<EventSubscriptionRecord | null> {
    const { rows } = await this.#sql.query<SubscriptionRow>(SQL.get, [id, tenantId]);
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async list(tenantId: string): Promise<EventSubscriptionRecord[]> {
    return (await this.#sql.query<SubscriptionRow>(SQL.list, [tenantId])).rows.map(toSubscription);
  }

  async update(tenantId: string, id: string, patch: EventSubscriptionPatch, updatedAt: string): Promise<EventSubscriptionRecord | null> {
    const { rows } = await this.#sql.query<SubscriptionRow>(SQL.update, [
      id,
      tenantId,
      patch.url ?? null,
      patch.description ?? null,
      toJsonOrNull(patch.eventTypes),
      patch.status ?? null,
      patch.failingSince !== undefined,
      patch.failingSince ?? null,
      patch.disabledReason !== undefined,
      patch.disabledReason ?? null,
      updatedAt,
    ]);
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(SQL.delete, [id, tenantId])).rowCount > 0;
  }

  async insertDeliveries(deliveries: readonly EventDeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return;
    const rows = deliveries.map((d) => ({
      id: d.id, tenant_id: d.tenantId, subscription_id: d.subscriptionId, event_type: d.eventType, payload: d.payload, status: d.status,
      attempts: d.attempts, next_attempt_at: d.nextAttemptAt, created_at: d.createdAt, updated_at: d.updatedAt, expires_at: d.expiresAt,
    }));
    await this.#sql.query(SQL.insertDeliveries, [toJson(rows)]);
  }

  async getDelivery(tenantId: string, id: string): Promise<EventDeliveryRecord | null> {
    const { rows } = await this.#sql.query<DeliveryRow>(SQL.getDelivery, [id, tenantId]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async listDeliveries(tenantId: string, subscriptionId: string, limit: number): Promise<EventDeliveryRecord[]> {
    return (await this.#sql.query<DeliveryRow>(SQL.listDeliveries, [tenantId, subscriptionId, limit])).rows.map(toDelivery);
  }

  async recordAttempt(
    tenantId: string,
    id: string,
    attempt: EventDeliveryAttempt,
    next: { status: EventDeliveryRecord['status']; nextAttemptAt: string | null },
  ): Promise<EventDeliveryRecord | null> {
    const { rows } = await this.#sql.query<DeliveryRow>(SQL.recordAttempt, [id, tenantId, toJson(attempt), next.status, next.nextAttemptAt, attempt.at]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async setDeliveryStatus(tenantId: string, id: string, status: EventDeliveryRecord['status'], nextAttemptAt: string | null, updatedAt: string): Promise<EventDeliveryRecord | null> {
    const { rows } = await this.#sql.query<DeliveryRow>(SQL.setStatus, [id, tenantId, status, nextAttemptAt, updatedAt]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async purgeDeliveries(now: string, limit: number): Promise<number> {
    return (await this.#sql.query(SQL.purge, [now, limit])).rowCount;
  }
}
