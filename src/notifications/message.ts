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
  | { readonly kind: 'test'; readonly channelName: string; readonly at: number };

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
  }
}
