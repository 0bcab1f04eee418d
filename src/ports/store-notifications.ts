
/** Store repositories of notifications and of events to the host product. See store.ts for the Store contract. */

/** A notification channel as stored (see notifications/channels.ts for the meaning of each field). */
export interface NotificationChannelRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly kind: 'slack_webhook' | 'slack_app' | 'teams_workflow';
  readonly secretRef: string | null;
  readonly maskedTarget: string | null;
  readonly connectionId: string | null;
  readonly slackChannel: string | null;
  readonly status: 'active' | 'failing' | 'disabled';
  readonly failureCount: number;
  readonly lastError: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Fields of a channel that change; absent fields are left alone. */
export interface NotificationChannelPatch {
  name?: string;
  secretRef?: string | null;
  maskedTarget?: string | null;
  connectionId?: string | null;
  slackChannel?: string | null;
  status?: NotificationChannelRecord['status'];
  failureCount?: number;
  lastError?: string | null;
}

/** A notification rule as stored. `eventTypes` empty means every type. */
export interface NotificationRuleRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly channelId: string;
  readonly name: string;
  readonly eventTypes: readonly string[];
  readonly minSeverity: 'info' | 'warning' | 'critical';
  readonly foldWindowMs: number;
  readonly digestIntervalMs: number | null;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NotificationRulePatch {
  channelId?: string;
  name?: string;
  eventTypes?: readonly string[];
  minSeverity?: NotificationRuleRecord['minSeverity'];
  foldWindowMs?: number;
  digestIntervalMs?: number | null;
  enabled?: boolean;
}

/** A delivery's outcome for the channel's health; `status` is the channel status to set. */
export type NotificationDeliveryOutcome =
  | { readonly ok: true; readonly at: string }
  | { readonly ok: false; readonly at: string; readonly error: string; readonly status: NotificationChannelRecord['status'] | 'by_count'; readonly failingAfter: number };

/**
 * What `recordOccurrence` decided: `first` (send now; `expired` carries the repeats of
 * a window that ended but was not flushed yet, to send too) or `folded` (counted only).
 */
export type NotificationFoldOutcome =
  | { readonly kind: 'first'; readonly expired: { readonly count: number; readonly since: number; readonly lastEvent: unknown } | null }
  | { readonly kind: 'folded'; readonly count: number };

/** A fold window that ended with repeats to report. */
export interface DueNotificationFold {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly foldKey: string;
  readonly count: number;
  /** Epoch ms the window started (the first event was sent then). */
  readonly since: number;
  readonly lastEvent: unknown;
}

/** A digest whose interval ended: entries keyed by fold key. */
export interface DueNotificationDigest {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly from: number;
  readonly to: number;
  readonly entries: Readonly<Record<string, unknown>>;
}

/** One event as a digest counts it. */
export interface NotificationDigestItem {
  readonly foldKey: string;
  readonly type: string;
  readonly severity: string;
  readonly subject: unknown;
  readonly at: number;
}

/**
 * Notification channels, rules and anti-flood state. Tenant-scoped (a foreign id is
 * absent) except `takeDueFolds` and `takeDueDigests`, the flusher's cross-tenant sweeps.
 * Deleting a channel deletes its rules; deleting a rule drops its fold and digest state.
 * `insertRule` fails with NOT_FOUND when the channel does not exist in that tenant.
 * Each method is atomic on its own: `recordOccurrence`, `recordDelivery`, `addToDigest`
 * and the `take*` sweeps read and write in one step, so concurrent emitters never lose a
 * count and a due window is taken by one sweeper only. Times are epoch ms (anti-flood
 * state) or ISO strings (records), as each signature says.
 */
export interface NotificationRepository {
  insertChannel(channel: NotificationChannelRecord): Promise<void>;
  getChannel(tenantId: string, id: string): Promise<NotificationChannelRecord | null>;
  /** Oldest first; at most 1000. */
  listChannels(tenantId: string): Promise<NotificationChannelRecord[]>;
  updateChannel(tenantId: string, id: string, patch: NotificationChannelPatch, updatedAt: string): Promise<NotificationChannelRecord | null>;
  deleteChannel(tenantId: string, id: string): Promise<boolean>;
  /**
   * Success: failure count 0, status active, lastSuccessAt. Failure: count + 1, lastError,
   * lastFailureAt, and the status given, or with `by_count` 'failing' once the count
   * reaches `failingAfter` (a disabled channel stays disabled). Null when absent.
   */
  recordDelivery(tenantId: string, id: string, outcome: NotificationDeliveryOutcome): Promise<NotificationChannelRecord | null>;
  insertRule(rule: NotificationRuleRecord): Promise<void>;
  getRule(tenantId: string, id: string): Promise<NotificationRuleRecord | null>;
  /** Oldest first; at most 1000. */
  listRules(tenantId: string): Promise<NotificationRuleRecord[]>;
  updateRule(tenantId: string, id: string, patch: NotificationRulePatch, updatedAt: string): Promise<NotificationRuleRecord | null>;
  deleteRule(tenantId: string, id: string): Promise<boolean>;
  /**
   * One occurrence of an event under a rule: opens a window of `windowMs` from `now` when
   * none is open (`first`), or counts it into the open one (`folded`, `lastEvent` kept).
   */
  recordOccurrence(tenantId: string, ruleId: string, foldKey: string, event: unknown, now: number, windowMs: number): Promise<NotificationFoldOutcome>;
  /** Removes every window ended by `now` (at most `limit`) and returns those that counted repeats. */
  takeDueFolds(now: number, limit: number): Promise<DueNotificationFold[]>;
  /** Counts an event into the rule's pending digest, which falls due `intervalMs` after its first event. */
  addToDigest(tenantId: string, ruleId: string, item: NotificationDigestItem, now: number, intervalMs: number): Promise<void>;
  /** Removes and returns the digests due by `now`, at most `limit`. */
  takeDueDigests(now: number, limit: number): Promise<DueNotificationDigest[]>;
}

// ---------------------------------------------------------------- events to the host product

/** A host-product endpoint subscribed to a tenant's events. `eventTypes` empty: every type. */
export interface EventSubscriptionRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  /** SecretStore ref of the signing-secret bundle (current + previous during rotation). */
  readonly secretRef: string;
  readonly status: 'active' | 'disabled';
  /** When deliveries started failing without a success since (ISO); null while healthy. */
  readonly failingSince: string | null;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface EventSubscriptionPatch {
  url?: string;
  description?: string;
  eventTypes?: readonly string[];
  status?: EventSubscriptionRecord['status'];
  failingSince?: string | null;
  disabledReason?: string | null;
}

/** One attempt of a delivery. */
export interface EventDeliveryAttempt {
  readonly at: string;
  readonly status: number | null;
  readonly error: string | null;
}

/**
 * One message to one subscription: `id` is the Standard Webhooks `webhook-id` (the same on
 * every attempt). `status`: pending (attempts left), delivered, failed (schedule
 * exhausted), stopped (410 or the subscription disabled).
 */
export interface EventDeliveryRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly eventType: string;
  /** The JSON body as sent (signed bytes). */
  readonly payload: string;
  readonly status: 'pending' | 'delivered' | 'failed' | 'stopped';
  readonly attempts: readonly EventDeliveryAttempt[];
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Kept until then; `purgeDeliveries` removes it afterwards (30 days after creation by default). */
  readonly expiresAt: string;
}

/**
 * Event subscriptions and their deliveries, tenant-scoped (a foreign id is absent).
 * Deleting a subscription deletes its deliveries. `recordAttempt` appends an attempt and
 * sets the new status atomically (the attempt list keeps the last 50).
 */
export interface EventSubscriptionRepository {
  insert(subscription: EventSubscriptionRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<EventSubscriptionRecord | null>;
  /** Oldest first; at most 1000. */
  list(tenantId: string): Promise<EventSubscriptionRecord[]>;
  update(tenantId: string, id: string, patch: EventSubscriptionPatch, updatedAt: string): Promise<EventSubscriptionRecord | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  insertDeliveries(deliveries: readonly EventDeliveryRecord[]): Promise<void>;
  getDelivery(tenantId: string, id: string): Promise<EventDeliveryRecord | null>;
  /** Newest first, at most `limit`. */
  listDeliveries(tenantId: string, subscriptionId: string, limit: number): Promise<EventDeliveryRecord[]>;
  recordAttempt(
    tenantId: string,
    id: string,
    attempt: EventDeliveryAttempt,
    next: { status: EventDeliveryRecord['status']; nextAttemptAt: string | null },
  ): Promise<EventDeliveryRecord | null>;
  /** Sets status and next attempt without an attempt (a replay, a stop). */
  setDeliveryStatus(tenantId: string, id: string, status: EventDeliveryRecord['status'], nextAttemptAt: string | null, updatedAt: string): Promise<EventDeliveryRecord | null>;
  /** Deletes deliveries whose `expiresAt` passed (ISO `now`), at most `limit`; returns how many. */
  purgeDeliveries(now: string, limit: number): Promise<number>;
}
