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
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import {
  addDigestItem,
  digestEntries,
  expiredFold,
  ruleFromRow,
  toChannel,
  toDueDigest,
  toDueFold,
  type ChannelRow,
  type DigestRow,
  type FoldRow,
  type RuleRow as SharedRuleRow,
} from '../../rows/notification-rows.ts';

type RuleRow = SharedRuleRow<SqliteColumnTypes>;
const toRule = ruleFromRow(SQLITE_COLUMNS);

const CHANNEL_COLUMNS =
  'id, tenant_id, name, kind, secret_ref, masked_target, connection_id, slack_channel, status, failure_count, last_error, last_success_at, last_failure_at, created_at, updated_at';
const RULE_COLUMNS = 'id, tenant_id, channel_id, name, event_types, min_severity, fold_window_ms, digest_interval_ms, enabled, created_at, updated_at';

const SQL = {
  insertChannel: `INSERT INTO notification_channels (${CHANNEL_COLUMNS}) VALUES (@id, @tenantId, @name, @kind, @secretRef, @maskedTarget,
    @connectionId, @slackChannel, @status, @failureCount, @lastError, @lastSuccessAt, @lastFailureAt, @createdAt, @updatedAt)`,
  getChannel: `SELECT ${CHANNEL_COLUMNS} FROM notification_channels WHERE id = ? AND tenant_id = ?`,
  listChannels: `SELECT ${CHANNEL_COLUMNS} FROM notification_channels WHERE tenant_id = ? ORDER BY created_at, id LIMIT 1000`,
  updateChannel: `UPDATE notification_channels SET
    name = COALESCE(@name, name),
    secret_ref = CASE WHEN @setSecretRef = 1 THEN @secretRef ELSE secret_ref END,
    masked_target = CASE WHEN @setMaskedTarget = 1 THEN @maskedTarget ELSE masked_target END,
    connection_id = CASE WHEN @setConnectionId = 1 THEN @connectionId ELSE connection_id END,
    slack_channel = CASE WHEN @setSlackChannel = 1 THEN @slackChannel ELSE slack_channel END,
    status = COALESCE(@status, status),
    failure_count = COALESCE(@failureCount, failure_count),
    last_error = CASE WHEN @setLastError = 1 THEN @lastError ELSE last_error END,
    updated_at = @updatedAt
    WHERE id = @id AND tenant_id = @tenantId RETURNING ${CHANNEL_COLUMNS}`,
  deleteChannel: 'DELETE FROM notification_channels WHERE id = ? AND tenant_id = ?',
  deliveryOk: `UPDATE notification_channels SET failure_count = 0, status = 'active', last_success_at = @at
    WHERE id = @id AND tenant_id = @tenantId RETURNING ${CHANNEL_COLUMNS}`,
  deliveryFailed: `UPDATE notification_channels SET
    failure_count = failure_count + 1, last_error = @error, last_failure_at = @at,
    status = CASE
      WHEN status = 'disabled' THEN 'disabled'
      WHEN @status != 'by_count' THEN @status
      WHEN failure_count + 1 >= @failingAfter THEN 'failing'
      ELSE status END
    WHERE id = @id AND tenant_id = @tenantId RETURNING ${CHANNEL_COLUMNS}`,
  insertRule: `INSERT INTO notification_rules (${RULE_COLUMNS})
    SELECT @id, @tenantId, @channelId, @name, @eventTypes, @minSeverity, @foldWindowMs, @digestIntervalMs, @enabled, @createdAt, @updatedAt
    WHERE EXISTS (SELECT 1 FROM notification_channels WHERE id = @channelId AND tenant_id = @tenantId)`,
  getRule: `SELECT ${RULE_COLUMNS} FROM notification_rules WHERE id = ? AND tenant_id = ?`,
  listRules: `SELECT ${RULE_COLUMNS} FROM notification_rules WHERE tenant_id = ? ORDER BY created_at, id LIMIT 1000`,
  updateRule: `UPDATE notification_rules SET
    channel_id = COALESCE(@channelId, channel_id),
    name = COALESCE(@name, name),
    event_types = COALESCE(@eventTypes, event_types),
    min_severity = COALESCE(@minSeverity, min_severity),
    fold_window_ms = COALESCE(@foldWindowMs, fold_window_ms),
    digest_interval_ms = CASE WHEN @setDigest = 1 THEN @digestIntervalMs ELSE digest_interval_ms END,
    enabled = COALESCE(@enabled, enabled),
    updated_at = @updatedAt
    WHERE id = @id AND tenant_id = @tenantId
      AND (@channelId IS NULL OR EXISTS (SELECT 1 FROM notification_channels WHERE id = @channelId AND tenant_id = @tenantId))
    RETURNING ${RULE_COLUMNS}`,
  deleteRule: 'DELETE FROM notification_rules WHERE id = ? AND tenant_id = ?',
  getFold: 'SELECT rule_id, fold_key, tenant_id, window_started_at, window_ends_at, count, last_event FROM notification_folds WHERE rule_id = ? AND fold_key = ?',
  openFold: `INSERT INTO notification_folds (rule_id, fold_key, tenant_id, window_started_at, window_ends_at, count, last_event)
    VALUES (@ruleId, @foldKey, @tenantId, @now, @endsAt, 0, NULL)
    ON CONFLICT (rule_id, fold_key) DO UPDATE SET window_started_at = @now, window_ends_at = @endsAt, count = 0, last_event = NULL`,
  countFold: 'UPDATE notification_folds SET count = count + 1, last_event = ? WHERE rule_id = ? AND fold_key = ? RETURNING count',
  dueFolds: `DELETE FROM notification_folds WHERE rowid IN (SELECT rowid FROM notification_folds WHERE window_ends_at <= ? ORDER BY window_ends_at LIMIT ?)
    RETURNING rule_id, fold_key, tenant_id, window_started_at, window_ends_at, count, last_event`,
  getDigest: 'SELECT rule_id, tenant_id, started_at, due_at, entries FROM notification_digests WHERE rule_id = ?',
  putDigest: `INSERT INTO notification_digests (rule_id, tenant_id, started_at, due_at, entries) VALUES (@ruleId, @tenantId, @startedAt, @dueAt, @entries)
    ON CONFLICT (rule_id) DO UPDATE SET entries = @entries`,
  dueDigests: `DELETE FROM notification_digests WHERE rule_id IN (SELECT rule_id FROM notification_digests WHERE due_at <= ? ORDER BY due_at LIMIT ?)
    RETURNING rule_id, tenant_id, started_at, due_at, entries`,
} as const;

/** Notification channels, rules, fold windows and digests in SQLite (migration 007). */
export class SqliteNotificationRepository implements NotificationRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insertChannel(channel: NotificationChannelRecord): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(SQL.insertChannel).run({ ...channel });
    });
  }

  getChannel(tenantId: string, id: string): Promise<NotificationChannelRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ChannelRow>(SQL.getChannel).get(id, tenantId);
      return row ? toChannel(row) : null;
    });
  }

  listChannels(tenantId: string): Promise<NotificationChannelRecord[]> {
    return this.#sql.run(() => this.#sql.statements.get<ChannelRow>(SQL.listChannels).all(tenantId).map(toChannel));
  }

  updateChannel(tenantId: string, id: string, patch: NotificationChannelPatch, updatedAt: string): Promise<NotificationChannelRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ChannelRow>(SQL.updateChannel).get({
        id,
        tenantId,
        name: patch.name ?? null,
        setSecretRef: patch.secretRef === undefined ? 0 : 1,
        secretRef: patch.secretRef ?? null,
        setMaskedTarget: patch.maskedTarget === undefined ? 0 : 1,
        maskedTarget: patch.maskedTarget ?? null,
        setConnectionId: patch.connectionId === undefined ? 0 : 1,
        connectionId: patch.connectionId ?? null,
        setSlackChannel: patch.slackChannel === undefined ? 0 : 1,
        slackChannel: patch.slackChannel ?? null,
        status: patch.status ?? null,
        failureCount: patch.failureCount ?? null,
        setLastError: patch.lastError === undefined ? 0 : 1,
        lastError: patch.lastError ?? null,
        updatedAt,
      });
      return row ? toChannel(row) : null;
    });
  }

  deleteChannel(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(SQL.deleteChannel).run(id, tenantId).changes > 0);
  }

  recordDelivery(tenantId: string, id: string, outcome: NotificationDeliveryOutcome): Promise<NotificationChannelRecord | null> {
    return this.#sql.run(() => {
      const row = outcome.ok
        ? this.#sql.statements.get<ChannelRow>(SQL.deliveryOk).get({ id, tenantId, at: outcome.at })
        : this.#sql.statements.get<ChannelRow>(SQL.deliveryFailed).get({
            id,
            tenantId,
            at: outcome.at,
            error: outcome.error,
            status: outcome.status,
            failingAfter: outcome.failingAfter,
          });
      return row ? toChannel(row) : null;
    });
  }

  insertRule(rule: NotificationRuleRecord): Promise<void> {
    return this.#sql.run(() => {
      const result = this.#sql.statements.get(SQL.insertRule).run({
        ...rule,
        eventTypes: toJson(rule.eventTypes),
        enabled: rule.enabled ? 1 : 0,
      });
      if (result.changes === 0) throw new TributaryError('NOT_FOUND', 'No such notification channel in this tenant', { field: 'channelId' });
    });
  }

  getRule(tenantId: string, id: string): Promise<NotificationRuleRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<RuleRow>(SQL.getRule).get(id, tenantId);
      return row ? toRule(row) : null;
    });
  }

  listRules(tenantId: string): Promise<NotificationRuleRecord[]> {
    return this.#sql.run(() => this.#sql.statements.get<RuleRow>(SQL.listRules).all(tenantId).map(toRule));
  }

  updateRule(tenantId: string, id: string, patch: NotificationRulePatch, updatedAt: string): Promise<NotificationRuleRecord | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<RuleRow>(SQL.updateRule).get({
        id,
        tenantId,
        channelId: patch.channelId ?? null,
        name: patch.name ?? null,
        eventTypes: patch.eventTypes === undefined ? null : toJson(patch.eventTypes),
        minSeverity: patch.minSeverity ?? null,
        foldWindowMs: patch.foldWindowMs ?? null,
        setDigest: patch.digestIntervalMs === undefined ? 0 : 1,
        digestIntervalMs: patch.digestIntervalMs ?? null,
        enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
        updatedAt,
      });
      return row ? toRule(row) : null;
    });
  }

  deleteRule(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(SQL.deleteRule).run(id, tenantId).changes > 0);
  }

  recordOccurrence(tenantId: string, ruleId: string, foldKey: string, event: unknown, now: number, windowMs: number): Promise<NotificationFoldOutcome> {
    return this.#sql.run((): NotificationFoldOutcome => {
      const statements = this.#sql.statements;
      const row = statements.get<FoldRow>(SQL.getFold).get(ruleId, foldKey);
      if (row && row.tenant_id === tenantId && row.window_ends_at > now) {
        const counted = statements.get<{ count: number }>(SQL.countFold).get(toJson(event), ruleId, foldKey);
        return { kind: 'folded', count: counted?.count ?? row.count + 1 };
      }
      const expired = expiredFold(row);
      statements.get(SQL.openFold).run({ ruleId, foldKey, tenantId, now, endsAt: now + windowMs });
      return { kind: 'first', expired };
    });
  }

  takeDueFolds(now: number, limit: number): Promise<DueNotificationFold[]> {
    return this.#sql.run(() =>
      this.#sql.statements
        .get<FoldRow>(SQL.dueFolds)
        .all(now, limit)
        .filter((row) => row.count > 0)
        .map(toDueFold),
    );
  }

  addToDigest(tenantId: string, ruleId: string, item: NotificationDigestItem, now: number, intervalMs: number): Promise<void> {
    return this.#sql.run(() => {
      const statements = this.#sql.statements;
      const row = statements.get<DigestRow>(SQL.getDigest).get(ruleId);
      const entries = digestEntries(row);
      addDigestItem(entries, item);
      statements.get(SQL.putDigest).run({ ruleId, tenantId, startedAt: row?.started_at ?? now, dueAt: row?.due_at ?? now + intervalMs, entries: toJson(entries) });
    });
  }

  takeDueDigests(now: number, limit: number): Promise<DueNotificationDigest[]> {
    return this.#sql.run(() =>
      this.#sql.statements
        .get<DigestRow>(SQL.dueDigests)
        .all(now, limit)
        .map(toDueDigest),
    );
  }
}
