import type {
  DueNotificationDigest,
  DueNotificationFold,
  NotificationChannelPatch,
  NotificationChannelRecord,
  NotificationDeliveryOutcome,
  NotificationDigestItem,
  NotificationFoldOutcome,
  NotificationRepository,
  NotificationRulePatch,
  NotificationRuleRecord,
} from '../../../ports/store.ts';
import { TributaryError } from '../../../domain/errors.ts';
import { toJson, toJsonOrNull, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import {
  addDigestItem,
  digestEntries,
  expiredFold,
  ruleFromRow,
  toChannel,
  toDueDigest,
  toDueFold,
  type ChannelRow as SharedChannelRow,
  type DigestRow as SharedDigestRow,
  type FoldRow as SharedFoldRow,
  type RuleRow as SharedRuleRow,
} from '../../rows/notification-rows.ts';

type ChannelRow = SharedChannelRow & PgRow;
type RuleRow = SharedRuleRow<PgColumnTypes> & PgRow;
type FoldRow = SharedFoldRow & PgRow;
type DigestRow = SharedDigestRow & PgRow;
const toRule = ruleFromRow(PG_COLUMNS);

const CHANNEL_COLUMNS =
  'id, tenant_id, name, kind, secret_ref, masked_target, connection_id, slack_channel, status, failure_count, last_error, last_success_at, last_failure_at, created_at, updated_at';
const RULE_COLUMNS = 'id, tenant_id, channel_id, name, event_types, min_severity, fold_window_ms, digest_interval_ms, enabled, created_at, updated_at';
const FOLD_COLUMNS = 'rule_id, fold_key, tenant_id, window_started_at, window_ends_at, count, last_event';
/**
 * Advisory-lock class of the anti-flood state (two-int keys never meet the one-bigint
 * key of migrations): a fold window or digest is read and rewritten under it, so
 * concurrent emitters in any process never lose a count.
 */
const LOCK_CLASS = 0x74726e; // 'trn'

const SQL = {
  insertChannel: `INSERT INTO notification_channels (${CHANNEL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
  getChannel: `SELECT ${CHANNEL_COLUMNS} FROM notification_channels WHERE id = $1 AND tenant_id = $2`,
  listChannels: `SELECT ${CHANNEL_COLUMNS} FROM notification_channels WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 1000`,
  updateChannel: `UPDATE notification_channels SET
    name = COALESCE($3, name),
    secret_ref = CASE WHEN $4::boolean THEN $5 ELSE secret_ref END,
    masked_target = CASE WHEN $6::boolean THEN $7 ELSE masked_target END,
    connection_id = CASE WHEN $8::boolean THEN $9 ELSE connection_id END,
    slack_channel = CASE WHEN $10::boolean THEN $11 ELSE slack_channel END,
    status = COALESCE($12, status),
    failure_count = COALESCE($13::integer, failure_count),
    last_error = CASE WHEN $14::boolean THEN $15 ELSE last_error END,
    updated_at = $16
    WHERE id = $1 AND tenant_id = $2 RETURNING ${CHANNEL_COLUMNS}`,
  deleteChannel: 'DELETE FROM notification_channels WHERE id = $1 AND tenant_id = $2',
  deliveryOk: `UPDATE notification_channels SET failure_count = 0, status = 'active', last_success_at = $3
    WHERE id = $1 AND tenant_id = $2 RETURNING ${CHANNEL_COLUMNS}`,
  deliveryFailed: `UPDATE notification_channels SET
    failure_count = failure_count + 1, last_error = $4, last_failure_at = $3,
    status = CASE
      WHEN status = 'disabled' THEN 'disabled'
      WHEN $5::text <> 'by_count' THEN $5::text
      WHEN failure_count + 1 >= $6::integer THEN 'failing'
      ELSE status END
    WHERE id = $1 AND tenant_id = $2 RETURNING ${CHANNEL_COLUMNS}`,
  insertRule: `INSERT INTO notification_rules (${RULE_COLUMNS})
    SELECT $1, $2, $3, $4, $5::jsonb, $6, $7::integer, $8::integer, $9::boolean, $10, $11
    WHERE EXISTS (SELECT 1 FROM notification_channels WHERE id = $3 AND tenant_id = $2)`,
  getRule: `SELECT ${RULE_COLUMNS} FROM notification_rules WHERE id = $1 AND tenant_id = $2`,
  listRules: `SELECT ${RULE_COLUMNS} FROM notification_rules WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 1000`,
  updateRule: `UPDATE notification_rules SET
    channel_id = COALESCE($3, channel_id),
    name = COALESCE($4, name),
    event_types = COALESCE($5::jsonb, event_types),
    min_severity = COALESCE($6, min_severity),
    fold_window_ms = COALESCE($7::integer, fold_window_ms),
    digest_interval_ms = CASE WHEN $8::boolean THEN $9::integer ELSE digest_interval_ms END,
    enabled = COALESCE($10::boolean, enabled),
    updated_at = $11
    WHERE id = $1 AND tenant_id = $2
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM notification_channels WHERE id = $3 AND tenant_id = $2))
    RETURNING ${RULE_COLUMNS}`,
  deleteRule: 'DELETE FROM notification_rules WHERE id = $1 AND tenant_id = $2',
  lockFold: `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext($1 || chr(1) || $2))`,
  getFold: `SELECT ${FOLD_COLUMNS} FROM notification_folds WHERE rule_id = $1 AND fold_key = $2`,
  openFold: `INSERT INTO notification_folds (${FOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, NULL)
    ON CONFLICT (rule_id, fold_key) DO UPDATE SET window_started_at = $4, window_ends_at = $5, count = 0, last_event = NULL`,
  countFold: 'UPDATE notification_folds SET count = count + 1, last_event = $1 WHERE rule_id = $2 AND fold_key = $3 RETURNING count',
  // SKIP LOCKED: two sweepers never take the same window.
  dueFolds: `DELETE FROM notification_folds WHERE (rule_id, fold_key) IN (
      SELECT rule_id, fold_key FROM notification_folds WHERE window_ends_at <= $1 ORDER BY window_ends_at LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING ${FOLD_COLUMNS}`,
  lockDigest: `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext($1))`,
  getDigest: 'SELECT rule_id, tenant_id, started_at, due_at, entries FROM notification_digests WHERE rule_id = $1',
  putDigest: `INSERT INTO notification_digests (rule_id, tenant_id, started_at, due_at, entries) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (rule_id) DO UPDATE SET entries = $5`,
  dueDigests: `DELETE FROM notification_digests WHERE rule_id IN (
      SELECT rule_id FROM notification_digests WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING rule_id, tenant_id, started_at, due_at, entries`,
} as const;

/**
 * Notification channels, rules, fold windows and digests in PostgreSQL (migration 007).
 * The anti-flood state (fold `last_event`, digest `entries`) is JSON text, as on SQLite,
 * so a digest's entries keep their insertion order.
 */
export class PgNotificationRepository implements NotificationRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insertChannel(c: NotificationChannelRecord): Promise<void> {
    await this.#sql.query(SQL.insertChannel, [
      c.id, c.tenantId, c.name, c.kind, c.secretRef, c.maskedTarget, c.connectionId, c.slackChannel, c.status, c.failureCount, c.lastError,
      c.lastSuccessAt, c.lastFailureAt, c.createdAt, c.updatedAt,
    ]);
  }

  async getChannel(tenantId: string, id: string): Promise<NotificationChannelRecord | null> {
    const { rows } = await this.#sql.query<ChannelRow>(SQL.getChannel, [id, tenantId]);
    return rows[0] ? toChannel(rows[0]) : null;
  }

  async listChannels(tenantId: string): Promise<NotificationChannelRecord[]> {
    return (await this.#sql.query<ChannelRow>(SQL.listChannels, [tenantId])).rows.map(toChannel);
  }

  async updateChannel(tenantId: string, id: string, patch: NotificationChannelPatch, updatedAt: string): Promise<NotificationChannelRecord | null> {
    const { rows } = await this.#sql.query<ChannelRow>(SQL.updateChannel, [
      id,
      tenantId,
      patch.name ?? null,
      patch.secretRef !== undefined,
      patch.secretRef ?? null,
      patch.maskedTarget !== undefined,
      patch.maskedTarget ?? null,
      patch.connectionId !== undefined,
      patch.connectionId ?? null,
      patch.slackChannel !== undefined,
      patch.slackChannel ?? null,
      patch.status ?? null,
      patch.failureCount ?? null,
      patch.lastError !== undefined,
      patch.lastError ?? null,
      updatedAt,
    ]);
    return rows[0] ? toChannel(rows[0]) : null;
  }

  async deleteChannel(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(SQL.deleteChannel, [id, tenantId])).rowCount > 0;
  }

  async recordDelivery(tenantId: string, id: string, outcome: NotificationDeliveryOutcome): Promise<NotificationChannelRecord | null> {
    const { rows } = outcome.ok
      ? await this.#sql.query<ChannelRow>(SQL.deliveryOk, [id, tenantId, outcome.at])
      : await this.#sql.query<ChannelRow>(SQL.deliveryFailed, [id, tenantId, outcome.at, outcome.error, outcome.status, outcome.failingAfter]);
    return rows[0] ? toChannel(rows[0]) : null;
  }

  async insertRule(r: NotificationRuleRecord): Promise<void> {
    const result = await this.#sql.query(SQL.insertRule, [
      r.id, r.tenantId, r.channelId, r.name, toJson(r.eventTypes), r.minSeverity, r.foldWindowMs, r.digestIntervalMs, r.enabled, r.createdAt, r.updatedAt,
    ]);
    if (result.rowCount === 0) throw new TributaryError('NOT_FOUND', 'No such notification channel in this tenant', { field: 'channelId' });
  }

  async getRule(tenantId: string, id: string): Promise<NotificationRuleRecord | null> {
    const { rows } = await this.#sql.query<RuleRow>(SQL.getRule, [id, tenantId]);
    return rows[0] ? toRule(rows[0]) : null;
  }

  async listRules(tenantId: string): Promise<NotificationRuleRecord[]> {
    return (await this.#sql.query<RuleRow>(SQL.listRules, [tenantId])).rows.map(toRule);
  }

  async updateRule(tenantId: string, id: string, patch: NotificationRulePatch, updatedAt: string): Promise<NotificationRuleRecord | null> {
    const { rows } = await this.#sql.query<RuleRow>(SQL.updateRule, [
      id,
      tenantId,
      patch.channelId ?? null,
      patch.name ?? null,
      toJsonOrNull(patch.eventTypes),
      patch.minSeverity ?? null,
      patch.foldWindowMs ?? null,
      patch.digestIntervalMs !== undefined,
      patch.digestIntervalMs ?? null,
      patch.enabled ?? null,
      updatedAt,
    ]);
    return rows[0] ? toRule(rows[0]) : null;
  }

  async deleteRule(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(SQL.deleteRule, [id, tenantId])).rowCount > 0;
  }

  recordOccurrence(tenantId: string, ruleId: string, foldKey: string, event: unknown, now: number, windowMs: number): Promise<NotificationFoldOutcome> {
    return this.#sql.atomic(async (sql): Promise<NotificationFoldOutcome> => {
      await sql.query(SQL.lockFold, [ruleId, foldKey]);
      const row = (await sql.query<FoldRow>(SQL.getFold, [ruleId, foldKey])).rows[0];
      if (row && row.tenant_id === tenantId && row.window_ends_at > now) {
        const counted = (await sql.query<{ count: number }>(SQL.countFold, [toJson(event), ruleId, foldKey])).rows[0];
        return { kind: 'folded', count: counted?.count ?? row.count + 1 };
      }
      const expired = expiredFold(row);
      await sql.query(SQL.openFold, [ruleId, foldKey, tenantId, now, now + windowMs]);
      return { kind: 'first', expired };
    });
  }

  async takeDueFolds(now: number, limit: number): Promise<DueNotificationFold[]> {
    const { rows } = await this.#sql.query<FoldRow>(SQL.dueFolds, [now, limit]);
    return rows.filter((row) => row.count > 0).map(toDueFold);
  }

  addToDigest(tenantId: string, ruleId: string, item: NotificationDigestItem, now: number, intervalMs: number): Promise<void> {
    return this.#sql.atomic(async (sql) => {
      await sql.query(SQL.lockDigest, [ruleId]);
      const row = (await sql.query<DigestRow>(SQL.getDigest, [ruleId])).rows[0];
      const entries = digestEntries(row);
      addDigestItem(entries, item);
      await sql.query(SQL.putDigest, [ruleId, tenantId, row?.started_at ?? now, row?.due_at ?? now + intervalMs, toJson(entries)]);
    });
  }

  async takeDueDigests(now: number, limit: number): Promise<DueNotificationDigest[]> {
    const { rows } = await this.#sql.query<DigestRow>(SQL.dueDigests, [now, limit]);
    return rows.map(toDueDigest);
  }
}
