import type { CreateIntent, OutboxRepository, OutboxRow, PushRecord, PushTarget } from '../../../ports/store.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
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
import { toJson, type PgContext, type PgRow } from '../sql.ts';

type Row = SharedOutboxRow<PgColumnTypes> & PgRow;
type TargetRow = SharedPushTargetRow<PgColumnTypes> & PgRow;
const { toOutbox, toPushTarget } = outboxRowMappers(PG_COLUMNS);

const GET = `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = $1 AND tenant_id = $2`;
const UNRELAYED = `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE relayed_at IS NULL AND processed_at IS NULL ORDER BY created_at, id LIMIT $1`;
const MARK_RELAYED = 'UPDATE outbox SET relayed_at = $1 WHERE id = ANY($2::text[]) AND relayed_at IS NULL';
const MARK_PROCESSED = 'UPDATE outbox SET processed_at = $1, outcome = $2, expires_at = $3 WHERE id = $4 AND tenant_id = $5 AND processed_at IS NULL';
const RECORD_OUTCOME = 'UPDATE outbox SET outcome = $1 WHERE id = $2 AND tenant_id = $3 AND processed_at IS NULL';
const TARGETS = `SELECT ${PUSH_TARGET_COLUMNS} FROM entity_links WHERE entity_id = $1 AND tenant_id = $2 AND tombstoned_at IS NULL ORDER BY created_at, id`;
const RECORD_PUSH = `UPDATE entity_links SET remote_version = $1, base_snapshot = $2, pushed_hash = $3, last_synced_at = $4,
  remote_modified_at = COALESCE($7, remote_modified_at) WHERE id = $5 AND tenant_id = $6`;
const BEGIN_CREATE = `INSERT INTO push_creates (tenant_id, entity_id, integration_id, outbox_id, started_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (entity_id, integration_id) DO NOTHING`;
const GET_CREATE = 'SELECT tenant_id, entity_id, integration_id, outbox_id, started_at FROM push_creates WHERE entity_id = $1 AND integration_id = $2 AND tenant_id = $3';
const END_CREATE = 'DELETE FROM push_creates WHERE entity_id = $1 AND integration_id = $2 AND tenant_id = $3';

/** The outbox and the push bookkeeping of links in PostgreSQL. */
export class PgOutboxRepository implements OutboxRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async get(tenantId: string, id: string): Promise<OutboxRow | null> {
    const { rows } = await this.#sql.query<Row>(GET, [id, tenantId]);
    return rows[0] ? toOutbox(rows[0]) : null;
  }

  async list(tenantId: string, options: { pending?: boolean; limit?: number } = {}): Promise<OutboxRow[]> {
    const pending = options.pending === true ? ' AND processed_at IS NULL' : '';
    const sql = `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE tenant_id = $1${pending} ORDER BY created_at DESC, id DESC LIMIT $2`;
    const { rows } = await this.#sql.query<Row>(sql, [tenantId, outboxListLimit(options.limit)]);
    return rows.map(toOutbox);
  }

  async listUnrelayed(limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.#sql.query<Row>(UNRELAYED, [Math.max(1, Math.floor(limit))]);
    return rows.map(toOutbox);
  }

  async markRelayed(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#sql.query(MARK_RELAYED, [at, ids]);
  }

  async markProcessed(tenantId: string, id: string, at: string, outcome: Record<string, unknown>, expiresAt: string | null): Promise<void> {
    await this.#sql.query(MARK_PROCESSED, [at, toJson(outcome), expiresAt, id, tenantId]);
  }

  async recordOutcome(tenantId: string, id: string, outcome: Record<string, unknown>): Promise<void> {
    await this.#sql.query(RECORD_OUTCOME, [toJson(outcome), id, tenantId]);
  }

  async pushTargets(tenantId: string, entityId: string): Promise<PushTarget[]> {
    const { rows } = await this.#sql.query<TargetRow>(TARGETS, [entityId, tenantId]);
    return rows.map(toPushTarget);
  }

  async recordPush(tenantId: string, linkId: string, push: PushRecord): Promise<void> {
    await this.#sql.query(RECORD_PUSH, [push.remoteVersion, toJson(push.baseSnapshot), push.pushedHash, push.at, linkId, tenantId, push.remoteModifiedAt ?? null]);
  }

  async beginCreate(intent: CreateIntent): Promise<CreateIntent | null> {
    const inserted = await this.#sql.query(BEGIN_CREATE, [intent.tenantId, intent.entityId, intent.integrationId, intent.outboxId, intent.startedAt]);
    if (inserted.rowCount === 1) return null;
    const { rows } = await this.#sql.query<CreateIntentRow & PgRow>(GET_CREATE, [intent.entityId, intent.integrationId, intent.tenantId]);
    return rows[0] ? toCreateIntent(rows[0]) : null;
  }

  async endCreate(tenantId: string, entityId: string, integrationId: string): Promise<void> {
    await this.#sql.query(END_CREATE, [entityId, integrationId, tenantId]);
  }
}
