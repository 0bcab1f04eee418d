/**
 * The events that matter to a tenant's people, as other features emit them through an
 * injected `NotificationSink`. Each names its tenant, a severity, the subject it is about
 * (an integration or a connection) and facts: short, safe key/value pairs (never secrets).
 */

export const NOTIFICATION_EVENT_TYPES = [
  'sync.failed',
  'sync.recovered',
  'run.partial',
  'conflicts.waiting',
  'dedup.reviews_waiting',
  'connection.needs_reauth',
  'token_refresh.failing',
  'webhook.failing',
  'webhook.disabled',
  'ratelimit.threshold',
  'ratelimit.provider_limited',
  'dead_letters.growing',
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Orders severities: a rule's minimum lets through its own level and above. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** What an event is about; the kind picks the admin UI link. `queue` subjects name a job queue. */
export interface NotificationSubject {
  readonly kind: 'integration' | 'connection' | 'webhook' | 'queue' | 'tenant';
  readonly id: string;
  /** A human name for the subject when the emitter knows it. */
  readonly name?: string;
}

/** Facts are shown as a list; values are already safe to show to the tenant. */
export type Facts = Readonly<Record<string, string | number | boolean | null>>;

export interface NotificationEvent {
  readonly type: NotificationEventType;
  readonly tenantId: string;
  readonly severity: Severity;
  readonly subject: NotificationSubject;
  /** Epoch ms when it happened. */
  readonly at: number;
  readonly facts: Facts;
}

/**
 * Where features hand events. Must not throw into the caller and never blocks the
 * caller's work on delivery: it only records and enqueues.
 */
export type NotificationSink = (event: NotificationEvent) => void;

/** The key that decides which events are "the same" for folding: type plus subject. */
export function foldKey(event: Pick<NotificationEvent, 'type' | 'subject'>): string {
  return `${event.type}|${event.subject.kind}:${event.subject.id}`;
}

export function isNotificationEventType(value: string): value is NotificationEventType {
  return (NOTIFICATION_EVENT_TYPES as readonly string[]).includes(value);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}
