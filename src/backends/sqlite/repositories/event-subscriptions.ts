import type {
  EventDeliveryAttempt,
  EventDeliveryRecord,
  EventSubscriptionPatch,
  EventSubscriptionRecord,
  EventSubscriptionRepository,
} from '../../../ports/store.ts';
import { fromJson, toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { eventSubscriptionRowMappers, type SubscriptionRow as SharedSubscriptionRow, type DeliveryRow as SharedDeliveryRow } from '../../rows/event-subscription-rows.ts';

type SubscriptionRow = SharedSubscriptionRow<SqliteColumnTypes>;
type DeliveryRow = SharedDeliveryRow<SqliteColumnTypes>;
const { toSubscription, toDelivery } = eventSubscriptionRowMappers(SQLITE_COLUMNS);

const SUB_COLUMNS = 'id, tenant_id, url, description, event_types, secret_ref, status, failing_since, disabled_reason, created_at, updated_at';
const DEL_COLUMNS = 'id, tenant_id, subscription_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at, expires_at';
const MAX_ATTEMPTS_KEPT = 50;

const SQL = {
  insert: `INSERT INTO event_subscriptions (${SUB_COLUMNS}) VALUES (@id, @tenantId, @url, @description, @eventTypes, @secretRef, @status, @failingSince, @disabledReason, @createdAt, @updatedAt)`,
  get: `SELECT ${SUB_COLUMNS} FROM event_subscriptions WHERE id = ? AND tenant_id = ?`,
  list: `SELECT ${SUB_COLUMNS} FROM event_subscriptions WHERE tenant_id = ? ORDER BY created_at, id LIMIT 1000`,
  update: `UPDATE event_subscriptions SET
    url = COALESCE(@url, url),
    description = COALESCE(@description, description),
    event_types = COALESCE(@eventTypes, event_types),
    status = COALESCE(@status, status),
    failing_since = CASE WHEN @setFailingSince = 1 THEN @failingSince ELSE failing_since END,
    disabled_reason = CASE WHEN @setDisabledReason = 1 THEN @disabledReason ELSE disabled_reason END,
    updated_at = @updatedAt
    WHERE id = @id AND tenant_id = @tenantId RETURNING ${SUB_COLUMNS}`,
  delete: 'DELETE FROM event_subscriptions WHERE id = ? AND tenant_id = ?',
  insertDelivery: `INSERT INTO event_deliveries (${DEL_COLUMNS}) VALUES (@id, @tenantId, @subscriptionId, @eventType, @payload, @status, @attempts, @nextAttemptAt, @createdAt, @updatedAt, @expiresAt)`,
  getDelivery: `SELECT ${DEL_COLUMNS} FROM event_deliveries WHERE id = ? AND tenant_id = ?`,
  listDeliveries: `SELECT ${DEL_COLUMNS} FROM event_deliveries WHERE tenant_id = ? AND subscription_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
  setAttempts: `UPDATE event_deliveries SET attempts = @attempts, status = @status, next_attempt_at = @nextAttemptAt, updated_at = @updatedAt
    WHERE id = @id AND tenant_id = @tenantId RETURNING ${DEL_COLUMNS}`,
  setStatus: `UPDATE event_deliveries SET status = @status, next_attempt_at = @nextAttemptAt, updated_at = @updatedAt
    WHERE id = @id AND tenant_id = @tenantId RETURNING ${DEL_COLUMNS}`,
  purge: 'DELETE FROM event_deliveries WHERE rowid IN (SELECT rowid FROM event_deliveries WHERE expires_at <= ? LIMIT ?)',
} as const;

/** Event subscriptions and their deliveries in SQLite (migration 007). */
export class SqliteEventSubscriptionRepository implements EventSubscriptionRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(subscription: EventSubscriptionRecord): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(SQL.insert).run({ ...subscription, eventTypes: toJson(subscription.eventTypes) });
    });
  }

  get(tenantId: string, id: string): Promise<EventSubscriptionRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<SubscriptionRow>(SQL.get).get(id, tenantId);
      return row ? toSubscription(row) : null;
    });
  }

  list(tenantId: string): Promise<EventSubscriptionRecord[]> {
    return this.#sql.run(() => this.#sql.statements.get<SubscriptionRow>(SQL.list).all(tenantId).map(toSubscription));
  }

  update(tenantId: string, id: string, patch: EventSubscriptionPatch, updatedAt: string): Promise<EventSubscriptionRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<SubscriptionRow>(SQL.update).get({
        id,
        tenantId,
        url: patch.url ?? null,
        description: patch.description ?? null,
        eventTypes: patch.eventTypes === undefined ? null : toJson(patch.eventTypes),
        status: patch.status ?? null,
        setFailingSince: patch.failingSince === undefined ? 0 : 1,
        failingSince: patch.failingSince ?? null,
        setDisabledReason: patch.disabledReason === undefined ? 0 : 1,
        disabledReason: patch.disabledReason ?? null,
        updatedAt,
      });
      return row ? toSubscription(row) : null;
    });
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(SQL.delete).run(id, tenantId).changes > 0);
  }

  insertDeliveries(deliveries: readonly EventDeliveryRecord[]): Promise<void> {
    return this.#sql.run(() => {
      const statement = this.#sql.statements.get(SQL.insertDelivery);
      for (const delivery of deliveries) statement.run({ ...delivery, attempts: toJson(delivery.attempts) });
    });
  }

  getDelivery(tenantId: string, id: string): Promise<EventDeliveryRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<DeliveryRow>(SQL.getDelivery).get(id, tenantId);
      return row ? toDelivery(row) : null;
    });
  }

  listDeliveries(tenantId: string, subscriptionId: string, limit: number): Promise<EventDeliveryRecord[]> {
    return this.#sql.run(() => this.#sql.statements.get<DeliveryRow>(SQL.listDeliveries).all(tenantId, subscriptionId, limit).map(toDelivery));
  }

  recordAttempt(
    tenantId: string,
    id: string,
    attempt: EventDeliveryAttempt,
    next: { status: EventDeliveryRecord['status']; nextAttemptAt: string | null },
  ): Promise<EventDeliveryRecord | null> {
    return this.#sql.run(() => {
      const current = this.#sql.statements.get<DeliveryRow>(SQL.getDelivery).get(id, tenantId);
      if (!current) return null;
      const attempts = [...fromJson<EventDeliveryAttempt[]>(current.attempts), attempt].slice(-MAX_ATTEMPTS_KEPT);
      const row = this.#sql.statements
        .get<DeliveryRow>(SQL.setAttempts)
        .get({ id, tenantId, attempts: toJson(attempts), status: next.status, nextAttemptAt: next.nextAttemptAt, updatedAt: attempt.at });
      return row ? toDelivery(row) : null;
    });
  }

  setDeliveryStatus(tenantId: string, id: string, status: EventDeliveryRecord['status'], nextAttemptAt: string | null, updatedAt: string): Promise<EventDeliveryRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<DeliveryRow>(SQL.setStatus).get({ id, tenantId, status, nextAttemptAt, updatedAt });
      return row ? toDelivery(row) : null;
    });
  }

  purgeDeliveries(now: string, limit: number): Promise<number> {
    return this.#sql.run(() => this.#sql.statements.get(SQL.purge).run(now, limit).changes);
  }
}
