/**
 * What a notification says, independent of where it goes: for each event type a title
 * (what happened), to which integration or connection, what to do, and the admin UI
 * link. Both renderers (Slack Block Kit, Teams Adaptive Card) start from here. Pure.
 */
import type { Facts, NotificationEvent, NotificationEventType, NotificationSubject, Severity } from './events.ts';

/** One line of a digest: the same event type and subject, counted over the interval. */
export interface DigestEntry {
  readonly type: NotificationEventType;
  readonly severity: Severity;
  readonly subject: NotificationSubject;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** What a delivery job carries and the renderers turn into a message. JSON-serialisable. */
export type Notice =
  | { readonly kind: 'event'; readonly event: NotificationEvent }
  /** Repeats of an event folded inside a window: `count` more since `since` (epoch ms); `event` is the latest. */
  | { readonly kind: 'folded'; readonly event: NotificationEvent; readonly count: number; readonly since: number }
  | { readonly kind: 'digest'; readonly ruleName: string; readonly from: number; readonly to: number; readonly entries: readonly DigestEntry[] }
  | { readonly kind: 'test'; readonly channelName: string; readonly at: number }
  /** An operator alert (observability/alerts) firing or resolved, to the operator channel; `source` names the process that judged it. */
  | { readonly kind: 'alert'; readonly alert: OperatorAlert; readonly source: string };

/** An operator alert as a notice carries it (the shape of observability's AlertTransition). */
export interface OperatorAlert {
  readonly name: string;
  readonly state: 'firing' | 'resolved';
  readonly value: number;
  readonly threshold: number;
  readonly at: number;
  readonly detail?: string;
  readonly folded: number;
}

const ALERT_TEXT: Readonly<Record<string, { title: string; unit: 'percent' | 'seconds' | 'jobs' | 'per_minute'; action: string }>> = {
  error_rate: { title: 'Error rate', unit: 'percent', action: 'Look at tributary_errors_total by code and the dead letters; fix the failing dependency or data.' },
  sync_latency_p95: { title: 'Sync latency p95', unit: 'seconds', action: 'Check provider latency and rate-limit waits (tributary_rate_limit_*); add inbound workers if they are saturated.' },
  queue_depth: { title: 'Queue depth', unit: 'jobs', action: 'Add workers for that queue or find what slows them (tributary_worker_job_duration_seconds).' },
  token_refresh_failure_rate: { title: 'Token refresh failure rate', unit: 'percent', action: 'Check the providers\' token endpoints and the OAuth client configuration; see the token refresh audit.' },
  webhook_signature_failures: { title: 'Webhook signature failures', unit: 'per_minute', action: 'A sender uses a wrong or rotated secret, or someone probes the endpoint: see the webhook audit for the registration.' },
};

/** `2.5 %`, `6.1 s`, `1,200 jobs`, `7.0/min`. */
export function alertValue(name: string, value: number): string {
  switch (ALERT_TEXT[name]?.unit) {
    case 'percent':
      return `${(value * 100).toFixed(1)} %`;
    case 'seconds':
      return `${value.toFixed(1)} s`;
    case 'per_minute':
      return `${value.toFixed(1)}/min`;
    default:
      return `${Math.round(value).toLocaleString('en-US')} jobs`;
  }
}

export function alertTitle(alert: OperatorAlert): string {
  const title = ALERT_TEXT[alert.name]?.title ?? alert.name;
  return alert.state === 'firing' ? `🚨 ${title} above ${alertValue(alert.name, alert.threshold)}` : `✅ ${title} back under ${alertValue(alert.name, alert.threshold)}`;
}

export function alertAction(alert: OperatorAlert): string {
  return alert.state === 'firing' ? (ALERT_TEXT[alert.name]?.action ?? 'Look at /metrics.') : 'Nothing to do.';
}

/** The alert's facts, as the renderers list them. */
export function alertFacts(alert: OperatorAlert, source: string): Facts {
  return {
    value: alertValue(alert.name, alert.value),
    threshold: alertValue(alert.name, alert.threshold),
    ...(alert.detail === undefined ? {} : { where: alert.detail }),
    process: source,
    ...(alert.folded > 0 ? { foldedBreaches: alert.folded } : {}),
  };
}

interface Describer {
  readonly title: string;
  readonly action: string;
}

const DESCRIPTIONS: Record<NotificationEventType, Describer> = {
  'sync.failed': { title: 'Sync failed', action: 'Open the integration to see the run error, fix the cause and run it again.' },
  'sync.recovered': { title: 'Sync recovered', action: 'Nothing to do: the integration syncs again.' },
  'run.partial': { title: 'Sync run finished with failed records', action: 'Review the failed records of the run and fix their data or mapping.' },
  'conflicts.waiting': { title: 'Conflicts are waiting for review', action: 'Open the conflicts review and choose which values win.' },
  'dedup.reviews_waiting': { title: 'Possible duplicates are waiting for review', action: 'Open the duplicates review and merge or keep them apart.' },
  'connection.needs_reauth': { title: 'Connection needs re-authorisation', action: 'Reconnect the account: syncs through this connection are stopped until then.' },
  'token_refresh.failing': { title: 'Token refresh is failing', action: 'Check the connection; if refreshes keep failing, reconnect the account.' },
  'webhook.failing': { title: 'Webhook registration is failing', action: 'Check the connection permissions; changes arrive only by scheduled syncs meanwhile.' },
  'webhook.disabled': { title: 'Webhook disabled', action: 'Re-register the webhook from the connection page; changes arrive only by scheduled syncs meanwhile.' },
  'ratelimit.threshold': { title: 'Rate-limit budget running low', action: 'Lower the sync frequency or spread the load; calls wait when the budget runs out.' },
  'ratelimit.provider_limited': { title: 'The provider is rate-limiting us', action: 'Nothing to do now: calls wait and retry. If it persists, lower the sync frequency.' },
  'dead_letters.growing': { title: 'Failed jobs are piling up', action: 'Open the dead letters, fix the cause, then replay them.' },
};

const SUBJECT_PATHS: Record<NotificationSubject['kind'], string> = {
  integration: 'integrations',
  connection: 'connections',
  webhook: 'webhooks',
  queue: 'dead-letters',
  tenant: 'overview',
};

export function titleOf(type: NotificationEventType): string {
  return DESCRIPTIONS[type].title;
}

export function actionOf(type: NotificationEventType): string {
  return DESCRIPTIONS[type].action;
}

/** `<publicUrl>/#/integrations/<id>` and the like; the tenant overview for tenant subjects. */
export function adminLink(publicUrl: string, subject: NotificationSubject): string {
  const base = publicUrl.replace(/\/+$/, '');
  const path = SUBJECT_PATHS[subject.kind];
  if (subject.kind === 'tenant') return `${base}/#/${path}`;
  return `${base}/#/${path}/${encodeURIComponent(subject.id)}`;
}

/** Events whose admin UI page is a review queue of the tenant rather than their subject's page. */
const EVENT_PAGES: Partial<Record<NotificationEventType, string>> = {
  'dedup.reviews_waiting': 'dedup',
};

/** Where an event's "Open in Tributary" goes: its review page (`<publicUrl>/#/dedup`) or its subject's (`adminLink`). */
export function eventLink(publicUrl: string, event: { readonly type: NotificationEventType; readonly subject: NotificationSubject }): string {
  const page = EVENT_PAGES[event.type];
  return page === undefined ? adminLink(publicUrl, event.subject) : `${publicUrl.replace(/\/+$/, '')}/#/${page}`;
}

/** `integration Sales CRM (int_…)`, `connection con_…`. */
export function subjectLabel(subject: NotificationSubject): string {
  const kind = subject.kind === 'queue' ? 'queue' : subject.kind;
  return subject.name ? `${kind} ${subject.name} (${subject.id})` : `${kind} ${subject.id}`;
}

export const SEVERITY_MARK: Record<Severity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

/** Facts as label/value pairs in insertion order, values as text (long ones cut: Slack fields hold 2000 characters). */
export function factList(facts: Facts): { label: string; value: string }[] {
  return Object.entries(facts)
    .filter(([, value]) => value !== null && value !== '')
    .map(([label, value]) => ({ label: label.slice(0, 60), value: truncate(String(value), 300) }));
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The one-line text every channel carries too (Slack's `text` fallback, Teams' summary). */
export function summaryLine(notice: Notice): string {
  switch (notice.kind) {
    case 'event':
      return `${SEVERITY_MARK[notice.event.severity]} ${titleOf(notice.event.type)}: ${subjectLabel(notice.event.subject)}`;
    case 'folded':
      return `${SEVERITY_MARK[notice.event.severity]} ${titleOf(notice.event.type)}: ${notice.count} more since ${isoTime(notice.since)} for ${subjectLabel(notice.event.subject)}`;
    case 'digest': {
      const total = notice.entries.reduce((sum, entry) => sum + entry.count, 0);
      return `Tributary digest (${notice.ruleName}): ${total} event${total === 1 ? '' : 's'} from ${isoTime(notice.from)} to ${isoTime(notice.to)}`;
    }
    case 'test':
      return `Tributary test message for channel ${notice.channelName}: notifications reach this channel.`;
    case 'alert':
      return `${alertTitle(notice.alert)}: now ${alertValue(notice.alert.name, notice.alert.value)}${notice.alert.detail === undefined ? '' : ` (${notice.alert.detail})`}`;
  }
}
