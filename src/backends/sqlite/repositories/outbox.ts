import type { CreateIntent, OutboxRepository, OutboxRow, PushRecord, PushTarget } from '../../../ports/store.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import {
  OUTBOX_COLUMNS,
  PUSH_TARGET_COLUMNS,
  outboxListLimit,
  outboxRowMappers,
  toCreateIntent,
  type CreateIntentRow,
  type OutboxRow as SharedOutboxRow,
  type PushTargetRow as SharedPushTargetRow,
} from '../../rows/outbox-rows.ts';
import { toJson, type SqlContext } from '../store-sql.ts';

type Row = SharedOutboxRow<SqliteColumnTypes>;
type TargetRow = SharedPushTargetRow<SqliteColumnTypes>;
const { toOutbox, toPushTarget } = outboxRowMappers(SQLITE_COLUMNS);

const GET = `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ? AND tenant_id = ?`;
const UNRELAYED = `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE relayed_at IS NULL AND processed_at IS NULL ORDER BY created_at, id LIMIT ?`;
const MARK_RELAYED = 'UPDATE outbox SET relayed_at = ? FROM json_each(?) AS k WHERE outbox.id = k.value AND outbox.relayed_at IS NULL';
const MARK_PROCESSED = 'UPDATE outbox SET processed_at = ?, outcome = ?, expires_at = ? WHERE id = ? AND tenant_id = ? AND processed_at IS NULL';
const RECORD_OUTCOME = 'UPDATE outbox SET outcome = ? WHERE id = ? AND tenant_id = ? AND processed_at IS NULL';
const TARGETS = `SELECT ${PUSH_TARGET_COLUMNS} FROM entity_links WHERE entity_id = ? AND tenant_id = ? AND tombstoned_at IS NULL ORDER BY created_at, id`;
const RECORD_PUSH = `UPDATE entity_links SET remote_version = ?, base_snapshot = ?, pushed_hash = ?, last_synced_at = ?,
  remote_modified_at = COALESCE(?, remote_modified_at) WHERE id = ? AND tenant_id = ?`;
const BEGIN_CREATE = 'INSERT OR IGNORE INTO push_creates (tenant_id, entity_id, integration_id, outbox_id, started_at) VALUES (?, ?, ?, ?, ?)';
const GET_CREATE = 'SELECT tenant_id, entity_id, integration_id, outbox_id, started_at FROM push_creates WHERE entity_id = ? AND integration_id = ? AND tenant_id = ?';
const END_CREATE = 'DELETE FROM push_creates WHERE entity_id = ? AND integration_id = ? AND tenant_id = ?';

/** The outbox and the push bookkeeping of links in SQLite. */
export class SqliteOutboxRepository implements OutboxRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  get(tenantId: string, id: string): Promise<OutboxRow | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<Row>(GET).get(id, tenantId);
      return row ? toOutbox(row) : null;
    });
  }

  list(tenantId: string, options: { pending?: boolean; limit?: number } = {}): Promise<OutboxRow[]> {
    const pending = options.pending === true ? ' AND processed_at IS NULL' : '';
    const sql = `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE tenant_id = ?${pending} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return this.#sql.run(() => this.#sql.statements.get<Row>(sql).all(tenantId, outboxListLimit(options.limit)).map(toOutbox));
  }

  listUnrelayed(limit: number): Promise<OutboxRow[]> {
    return this.#sql.run(() => this.#sql.statements.get<Row>(UNRELAYED).all(Math.max(1, Math.floor(limit))).map(toOutbox));
  }

  async markRelayed(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#sql.run(() => this.#sql.statements.get(MARK_RELAYED).run(at, toJson(ids)));
  }

  async markProcessed(tenantId: string, id: string, at: string, outcome: Record<string, unknown>, expiresAt: string | null): Promise<void> {
    await this.#sql.run(() => this.#sql.statements.get(MARK_PROCESSED).run(at, toJson(outcome), expiresAt, id, tenantId));
  }

  async recordOutcome(tenantId: string, id: string, outcome: Record<string, unknown>): Promise<void> {
    await this.#sql.run(() => this.#sql.statements.get(RECORD_OUTCOME).run(toJson(outcome), id, tenantId));
  }

  pushTargets(tenantId: string, entityId: string): Promise<PushTarget[]> {
    return this.#sql.run(() => this.#sql.statements.get<TargetRow>(TARGETS).all(entityId, tenantId).map(toPushTarget));
  }

  async recordPush(tenantId: string, linkId: string, push: PushRecord): Promise<void> {
    await this.#sql.run(() =>
      this.#sql.statements.get(RECORD_PUSH).run(push.remoteVersion, toJson(push.baseSnapshot), push.pushedHash, push.at, push.remoteModifiedAt ?? null, linkId, tenantId),
    );
  }

  beginCreate(intent: CreateIntent): Promise<CreateIntent | null> {
    return this.#sql.run(() => {
      const inserted = this.#sql.statements.get(BEGIN_CREATE).run(intent.tenantId, intent.entityId, intent.integrationId, intent.outboxId, intent.startedAt);
      if (inserted.changes === 1) return null;
      const row = this.#sql.statements.get<CreateIntentRow>(GET_CREATE).get(intent.entityId, intent.integrationId, intent.tenantId);
      return row ? toCreateIntent(row) : null;
    });
  }

  async endCreate(tenantId: string, entityId: string, integrationId: string): Promise<void> {
    await this.#sql.run(() => this.#sql.statements.get(END_CREATE).run(entityId, integrationId, tenantId));
  }
}
