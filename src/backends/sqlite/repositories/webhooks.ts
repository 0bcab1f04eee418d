import { newId } from '../../../domain/ids.ts';
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
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { webhookRowMappers, type AuditRow as SharedAuditRow, type EventRow as SharedEventRow, type RegistrationRow as SharedRegistrationRow } from '../../rows/webhook-rows.ts';
import { commitOffLoop } from '../off-loop-commit.ts';

type RegistrationRow = SharedRegistrationRow<SqliteColumnTypes>;
type AuditRow = SharedAuditRow<SqliteColumnTypes>;
type EventRow = SharedEventRow<SqliteColumnTypes>;
const { toRegistration, toDelivery, toEvent } = webhookRowMappers(SQLITE_COLUMNS);

const REG_COLUMNS =
  'id, tenant_id, integration_id, connection_id, provider_id, webhook_url, webhook_secret_ref, provider_webhook_id, events, status, failure_count, created_at, updated_at, expires_at, scheme, config';
const INSERT_REG = `INSERT INTO webhooks (${REG_COLUMNS}) VALUES (@id, @tenantId, @integrationId, @connectionId, @providerId, @webhookUrl,
  @webhookSecretRef, @providerWebhookId, @events, @status, @failureCount, @createdAt, @updatedAt, @expiresAt, @scheme, @config)`;
const GET_REG = `SELECT ${REG_COLUMNS} FROM webhooks WHERE id = ? AND tenant_id = ?`;
const FIND_REG = `SELECT ${REG_COLUMNS} FROM webhooks WHERE id = ?`;
const PAGE_REG = `SELECT ${REG_COLUMNS} FROM webhooks
  WHERE tenant_id = @tenantId AND (@connectionId IS NULL OR connection_id = @connectionId)
    AND (@afterAt IS NULL OR (created_at, id) > (@afterAt, @afterId))
  ORDER BY created_at, id LIMIT @limit`;
const UPDATE_REG = `UPDATE webhooks SET
  webhook_secret_ref = CASE WHEN @setSecret THEN @webhookSecretRef ELSE webhook_secret_ref END,
  provider_webhook_id = CASE WHEN @setProviderId THEN @providerWebhookId ELSE provider_webhook_id END,
  events = COALESCE(@events, events), status = COALESCE(@status, status), failure_count = COALESCE(@failureCount, failure_count),
  expires_at = CASE WHEN @setExpires THEN @expiresAt ELSE expires_at END, updated_at = @updatedAt,
  config = CASE WHEN @config IS NULL THEN config WHEN json_extract(config, '$.once') IS NULL THEN @config ELSE json_set(@config, '$.once', json(json_extract(config, '$.once'))) END
  WHERE id = @id AND tenant_id = @tenantId`;
const DELETE_REG = 'DELETE FROM webhooks WHERE id = ? AND tenant_id = ?';
// One-time flags live in config.once, which later config updates keep (see the port).
const CLAIM_FLAG = `UPDATE webhooks SET config = json_set(config, @path, @at), updated_at = @at
  WHERE id = @id AND tenant_id = @tenantId AND json_extract(config, @path) IS NULL`;
const EXPIRING = `SELECT ${REG_COLUMNS} FROM webhooks WHERE expires_at IS NOT NULL AND expires_at < ? ORDER BY expires_at LIMIT ?`;

const AUDIT_COLUMNS = 'id, registration_id, tenant_id, delivery_id, claimed_delivery_id, received_at, verified, outcome, detail, expires_at';
const INSERT_AUDIT_KEYED = `INSERT INTO webhook_audit (${AUDIT_COLUMNS}, event_id)
  VALUES (?, ?, ?, ?, NULL, ?, 1, 'accepted', NULL, ?, ?) ON CONFLICT (registration_id, delivery_id) DO NOTHING`;
const INSERT_AUDIT = `INSERT INTO webhook_audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const RECENT_AUDIT = `SELECT ${AUDIT_COLUMNS} FROM webhook_audit WHERE registration_id = ? AND tenant_id = ?
  ORDER BY received_at DESC, id DESC LIMIT ?`;

/**
 * The delivery listing's SELECT for one combination of filters (a text per combination,
 * prepared once by the statement cache), so each is planned on its own index: the
 * registration's (received_at, id) order, or within one outcome (migration 012).
 */
function listDeliveriesSql(filter: WebhookDeliveryFilter, after: boolean): string {
  const where = ['registration_id = @registrationId', 'tenant_id = @tenantId'];
  if (filter.outcome !== undefined) where.push('outcome = @outcome');
  if (filter.since !== undefined) where.push('received_at >= @since');
  if (filter.until !== undefined) where.push('received_at < @until');
  if (after) where.push('(received_at, id) < (@afterAt, @afterId)');
  return `SELECT ${AUDIT_COLUMNS} FROM webhook_audit WHERE ${where.join(' AND ')} ORDER BY received_at DESC, id DESC LIMIT @limit`;
}

const EVENT_COLUMNS = 'id, registration_id, tenant_id, delivery_id, event_type, payload, received_at, status, attempts, processed_at, error, expires_at';
const INSERT_EVENT = `INSERT INTO webhook_events (id, registration_id, tenant_id, delivery_id, event_type, payload, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;
// Through the audit's UNIQUE (registration_id, delivery_id): the accepted row names its event.
const EVENT_BY_DELIVERY = `SELECT e.id AS id, e.status AS status FROM webhook_audit a JOIN webhook_events e ON e.id = a.event_id
  WHERE a.registration_id = ? AND a.delivery_id = ?`;
// The embedded queue's insert (migrations/002_jobs.sql; the same statement as SqliteJobQueue's):
// a ready job, priority normal (1); a live job holding the idempotency key wins.
const INSERT_JOB = `INSERT INTO jobs (id, queue, state, priority, run_at, payload, max_attempts, idempotency_key, correlation_id, enqueued_at)
  VALUES (?, ?, 'ready', 1, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`;
const GET_EVENT = `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE id = ? AND tenant_id = ?`;
const DELIVERY_EVENT = 'SELECT event_id FROM webhook_audit WHERE id = ? AND registration_id = ? AND tenant_id = ?';
const UPDATE_EVENT = `UPDATE webhook_events SET status = @status, attempts = COALESCE(@attempts, attempts),
  processed_at = CASE WHEN @setProcessed THEN @processedAt ELSE processed_at END,
  error = CASE WHEN @setError THEN @error ELSE error END,
  expires_at = CASE WHEN @setExpires THEN @expiresAt ELSE expires_at END
  WHERE id = @id AND tenant_id = @tenantId`;
const PENDING_EVENTS = `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE status IN ('pending', 'processing') AND received_at < ?
  ORDER BY received_at, id LIMIT ?`;

/**
 * Webhook registrations, delivery audit and intake events in SQLite. `recordDeliveries`
 * and `appendAudit` wrap their statements in a SAVEPOINT, so each call is one atomic
 * commit on its own and nests inside a store transaction too. At top level their commit
 * is made durable off the event loop (off-loop-commit.ts): the promise resolves only
 * after the WAL's fsync, as under `synchronous = FULL`, but the loop keeps serving
 * requests during it, which is what lets the intake's group commits grow.
 */
export class SqliteWebhookRepository implements WebhookRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(registration: StoredWebhookRegistration): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT_REG).run({ ...registration, events: toJson(registration.events), config: toJson(registration.config) });
    });
  }

  get(tenantId: string, id: string): Promise<StoredWebhookRegistration | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<RegistrationRow>(GET_REG).get(id, tenantId);
      return row ? toRegistration(row) : null;
    });
  }

  find(id: string): Promise<StoredWebhookRegistration | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<RegistrationRow>(FIND_REG).get(id);
      return row ? toRegistration(row) : null;
    });
  }

  list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<StoredWebhookRegistration>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const rows = this.#sql.statements.get<RegistrationRow>(PAGE_REG).all({
        tenantId,
        connectionId: page?.connectionId ?? null,
        afterAt: after?.[0] ?? null,
        afterId: after?.[1] ?? null,
        limit: limit + 1,
      });
      return toPage(rows, limit, (row) => [row.created_at, row.id], toRegistration);
    });
  }

  update(tenantId: string, id: string, patch: WebhookRegistrationPatch, updatedAt: string): Promise<StoredWebhookRegistration | null> {
    return this.#sql.run(() => {
      const changed = this.#sql.statements.get(UPDATE_REG).run({
        id,
        tenantId,
        updatedAt,
        setSecret: patch.webhookSecretRef !== undefined ? 1 : 0,
        webhookSecretRef: patch.webhookSecretRef ?? null,
        setProviderId: patch.providerWebhookId !== undefined ? 1 : 0,
        providerWebhookId: patch.providerWebhookId ?? null,
        events: patch.events === undefined ? null : toJson(patch.events),
        status: patch.status ?? null,
        failureCount: patch.failureCount ?? null,
        setExpires: patch.expiresAt !== undefined ? 1 : 0,
        expiresAt: patch.expiresAt ?? null,
        config: patch.config === undefined ? null : toJson(patch.config),
      }).changes;
      if (changed === 0) return null;
      const row = this.#sql.statements.get<RegistrationRow>(GET_REG).get(id, tenantId);
      return row ? toRegistration(row) : null;
    });
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(DELETE_REG).run(id, tenantId).changes > 0);
  }

  claimConfigFlag(tenantId: string, id: string, flag: string, at: string): Promise<boolean> {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(flag)) return Promise.reject(new Error(`Not a plain config flag name: ${flag}`));
    return this.#sql.run(() => this.#sql.statements.get(CLAIM_FLAG).run({ id, tenantId, path: `$.once.${flag}`, at }).changes > 0);
  }

  listExpiring(before: string, limit: number): Promise<StoredWebhookRegistration[]> {
    return this.#sql.run(() => this.#sql.statements.get<RegistrationRow>(EXPIRING).all(before, limit).map(toRegistration));
  }

  recordDeliveries(records: readonly WebhookIntakeRecord[], enqueue?: WebhookIntakeEnqueue): Promise<WebhookIntakeOutcome[]> {
    return this.#durably(() => {
      const s = this.#sql.statements;
      const keyed = s.get(INSERT_AUDIT_KEYED);
      const plain = s.get(INSERT_AUDIT);
      const event = s.get(INSERT_EVENT);
      const existing = s.get<{ id: string; status: WebhookEvent['status'] }>(EVENT_BY_DELIVERY);
      const job = enqueue ? s.get(INSERT_JOB) : null;
      const addJob = (r: WebhookIntakeRecord, eventId: string): boolean => {
        if (job === null || enqueue === undefined) return false;
        const payload = `{"eventId":${JSON.stringify(eventId)},"tenantId":${JSON.stringify(r.tenantId)},"registrationId":${JSON.stringify(r.registrationId)}}`;
        const key = `${r.registrationId}:${eventId}`; // webhooks/intake-batcher.ts webhookJobKey
        job.run(newId('job'), enqueue.queue, enqueue.now, payload, enqueue.maxAttempts, key, eventId, enqueue.now);
        return true;
      };
      return records.map((r): WebhookIntakeOutcome => {
        const taken = keyed.run(r.auditId, r.registrationId, r.tenantId, r.deliveryId, r.receivedAt, r.auditExpiresAt, r.eventId).changes === 0;
        if (taken && r.deliveryId !== null) {
          plain.run(r.auditId, r.registrationId, r.tenantId, null, r.deliveryId, r.receivedAt, 1, 'duplicate', null, r.auditExpiresAt);
          const earlier = existing.get(r.registrationId, r.deliveryId);
          // A duplicate of an event still pending gets its job again (a no-op while the job is live).
          const enqueued = earlier?.status === 'pending' ? addJob(r, earlier.id) : false;
          return { stored: false, eventId: earlier?.id ?? null, eventStatus: earlier?.status ?? null, enqueued };
        }
        if (r.eventId === null) return { stored: true, enqueued: false };
        event.run(r.eventId, r.registrationId, r.tenantId, r.deliveryId, r.eventType, r.payloadJson, r.receivedAt);
        return { stored: true, enqueued: addJob(r, r.eventId) };
      });
    });
  }

  appendAudit(rows: readonly (WebhookDelivery & { readonly claimedDeliveryId: string | null })[]): Promise<void> {
    return this.#durably(() => {
      const plain = this.#sql.statements.get(INSERT_AUDIT);
      for (const r of rows) {
        // Unverified rows never hold the replay key (delivery_id): only the claim is kept.
        plain.run(r.id, r.registrationId, r.tenantId, r.verified ? r.deliveryId : null, r.claimedDeliveryId, r.receivedAt, r.verified ? 1 : 0, r.outcome, r.detail, r.expiresAt);
      }
    });
  }

  recentDeliveries(tenantId: string, registrationId: string, limit: number): Promise<(WebhookDelivery & { claimedDeliveryId: string | null })[]> {
    return this.#sql.run(() => this.#sql.statements.get<AuditRow>(RECENT_AUDIT).all(registrationId, tenantId, limit).map(toDelivery));
  }

  listDeliveries(tenantId: string, registrationId: string, filter: WebhookDeliveryFilter = {}): Promise<Page<StoredWebhookDelivery>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const params: Record<string, string | number> = { registrationId, tenantId, limit: limit + 1 };
      if (filter.outcome !== undefined) params.outcome = filter.outcome;
      if (filter.since !== undefined) params.since = filter.since;
      if (filter.until !== undefined) params.until = filter.until;
      if (after !== null) [params.afterAt, params.afterId] = after;
      const rows = this.#sql.statements.get<AuditRow>(listDeliveriesSql(filter, after !== null)).all(params);
      return toPage(rows, limit, (row) => [row.received_at, row.id], toDelivery);
    });
  }

  deliveryEvent(tenantId: string, registrationId: string, auditId: string): Promise<{ eventId: string | null } | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<{ event_id: string | null }>(DELIVERY_EVENT).get(auditId, registrationId, tenantId);
      return row ? { eventId: row.event_id } : null;
    });
  }

  getEvent(tenantId: string, id: string): Promise<WebhookEvent | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<EventRow>(GET_EVENT).get(id, tenantId);
      return row ? toEvent(row) : null;
    });
  }

  updateEvent(tenantId: string, id: string, patch: WebhookEventPatch): Promise<boolean> {
    return this.#sql.run(
      () =>
        this.#sql.statements.get(UPDATE_EVENT).run({
          id,
          tenantId,
          status: patch.status,
          attempts: patch.attempts ?? null,
          setProcessed: patch.processedAt !== undefined ? 1 : 0,
          processedAt: patch.processedAt ?? null,
          setError: patch.error !== undefined ? 1 : 0,
          error: patch.error ? toJson(patch.error) : null,
          setExpires: patch.expiresAt !== undefined ? 1 : 0,
          expiresAt: patch.expiresAt ?? null,
        }).changes > 0,
    );
  }

  listPendingEvents(before: string, limit: number): Promise<WebhookEvent[]> {
    return this.#sql.run(() => this.#sql.statements.get<EventRow>(PENDING_EVENTS).all(before, limit).map(toEvent));
  }

  /** `work` atomically; resolves once it is durable, its fsync off the event loop where it can be (off-loop-commit.ts). */
  async #durably<T>(work: () => T): Promise<T> {
    const { result, durable } = await this.#sql.run(() => {
      const s = this.#sql.statements;
      return commitOffLoop(s, s.get(INSERT_AUDIT).database, () => this.#atomically(work));
    });
    if (durable !== null) await durable();
    return result;
  }

  /** SAVEPOINT: a transaction of its own at top level, a nested one inside a store transaction. */
  #atomically<T>(work: () => T): T {
    const s = this.#sql.statements;
    s.get('SAVEPOINT webhook_batch').run();
    try {
      const result = work();
      s.get('RELEASE webhook_batch').run();
      return result;
    } catch (error) {
      s.get('ROLLBACK TO webhook_batch').run();
      s.get('RELEASE webhook_batch').run();
      throw error;
    }
  }
}
