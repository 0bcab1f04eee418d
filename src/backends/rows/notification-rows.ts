import type {
  DueNotificationDigest,
  DueNotificationFold,
  NotificationChannelRecord,
  NotificationDigestItem,
  NotificationRuleRecord,
} from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of the notification tables (migration 007) and their mapping to domain records,
 * shared by the SQLite and PostgreSQL notification repositories. The anti-flood state
 * (fold `last_event`, digest `entries`) is JSON text on both backends.
 */
export interface ChannelRow {
  id: string;
  tenant_id: string;
  name: string;
  kind: NotificationChannelRecord['kind'];
  secret_ref: string | null;
  masked_target: string | null;
  connection_id: string | null;
  slack_channel: string | null;
  status: NotificationChannelRecord['status'];
  failure_count: number;
  last_error: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RuleRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  channel_id: string;
  name: string;
  event_types: C['json'];
  min_severity: NotificationRuleRecord['minSeverity'];
  fold_window_ms: number;
  digest_interval_ms: number | null;
  enabled: C['bool'];
  created_at: string;
  updated_at: string;
}

export interface FoldRow {
  rule_id: string;
  fold_key: string;
  tenant_id: string;
  window_started_at: number;
  window_ends_at: number;
  count: number;
  last_event: string | null;
}

export interface DigestRow {
  rule_id: string;
  tenant_id: string;
  started_at: number;
  due_at: number;
  entries: string;
}

/** One fold key's line in a digest's `entries` JSON. */
export interface DigestEntryJson {
  type: string;
  severity: string;
  subject: unknown;
  count: number;
  firstAt: number;
  lastAt: number;
}

const SEVERITY_ORDER = ['info', 'warning', 'critical'];

export function toChannel(row: ChannelRow): NotificationChannelRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    kind: row.kind,
    secretRef: row.secret_ref,
    maskedTarget: row.masked_target,
    connectionId: row.connection_id,
    slackChannel: row.slack_channel,
    status: row.status,
    failureCount: row.failure_count,
    lastError: row.last_error,
    lastSuccessAt: row.last_success_at,
    lastFailureAt: row.last_failure_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The rule mapper for a backend's column decoders. */
export function ruleFromRow<C extends ColumnTypes>(columns: ColumnDecoders<C>): (row: RuleRow<C>) => NotificationRuleRecord {
  return (row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    name: row.name,
    eventTypes: columns.json<string[]>(row.event_types),
    minSeverity: row.min_severity,
    foldWindowMs: row.fold_window_ms,
    digestIntervalMs: row.digest_interval_ms,
    enabled: columns.bool(row.enabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

function lastEventOf(row: FoldRow): unknown {
  return row.last_event === null ? null : (JSON.parse(row.last_event) as unknown);
}

/** What an expired fold window held, or null when it counted nothing (or there was none). */
export function expiredFold(row: FoldRow | undefined): { count: number; since: number; lastEvent: unknown } | null {
  return row && row.count > 0 ? { count: row.count, since: row.window_started_at, lastEvent: lastEventOf(row) } : null;
}

export function toDueFold(row: FoldRow): DueNotificationFold {
  return {
    tenantId: row.tenant_id,
    ruleId: row.rule_id,
    foldKey: row.fold_key,
    count: row.count,
    since: row.window_started_at,
    lastEvent: lastEventOf(row),
  };
}

export function toDueDigest(row: DigestRow): DueNotificationDigest {
  return { tenantId: row.tenant_id, ruleId: row.rule_id, from: row.started_at, to: row.due_at, entries: JSON.parse(row.entries) as Record<string, unknown> };
}

/** A digest's entries, parsed (empty when there is no digest row yet). */
export function digestEntries(row: DigestRow | undefined): Record<string, DigestEntryJson> {
  return row ? (JSON.parse(row.entries) as Record<string, DigestEntryJson>) : {};
}

/**
 * Counts `item` into `entries` (in place): an existing fold key's count, last time and
 * highest severity grow; a new one is appended, so entries keep their insertion order.
 */
export function addDigestItem(entries: Record<string, DigestEntryJson>, item: NotificationDigestItem): void {
  const entry = entries[item.foldKey];
  if (entry) {
    entry.count += 1;
    entry.lastAt = Math.max(entry.lastAt, item.at);
    if (SEVERITY_ORDER.indexOf(item.severity) > SEVERITY_ORDER.indexOf(entry.severity)) entry.severity = item.severity;
  } else {
    entries[item.foldKey] = { type: item.type, severity: item.severity, subject: item.subject, count: 1, firstAt: item.at, lastAt: item.at };
  }
}
