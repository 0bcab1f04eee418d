/**
 * Notifications: events that matter reach a tenant's people on Slack (incoming webhook
 * or chat.postMessage) and Microsoft Teams (Workflows webhook, Adaptive Card), by rules
 * the tenant sets, with repeats folded and optional digests, delivered through the
 * `notifications` queue.
 *
 *   const notifications = createNotifications({ store, secrets, queue, clock, logger, publicUrl, egress });
 *   features emit through notifications.sink (fromRateLimitEvent / fromCredentialEvent adapt theirs);
 *   the notifier role runs runNotifier(notifications);
 *   the API uses notifications.admin and notifications.hostEvents.subscriptions;
 *   features publish host-product events through notifications.hostEvents.sink.
 */
import { NotificationAdmin } from './admin.ts';
import { NotificationDispatcher } from './dispatcher.ts';
import type { NotificationSink } from './events.ts';
import { EventSubscriptions, HostEventDeliverer, resolveHostEventOptions, type HostEventSettings, type HostEventSink } from './host-events/index.ts';
import { resolveNotificationOptions, type NotificationOptions, type ResolvedNotificationOptions } from './options.ts';
import { EntityChangeRelay } from './host-events/entity-changes.ts';
import { RunEvents } from './runs.ts';

export interface Notifications {
  readonly options: ResolvedNotificationOptions;
  readonly admin: NotificationAdmin;
  readonly dispatcher: NotificationDispatcher;
  /** Hand this to features that emit events; never throws into them. */
  readonly sink: NotificationSink;
  /** Events to the host product: subscriptions (API), the deliverer (queue handler) and the sink features publish to. */
  readonly hostEvents: {
    readonly subscriptions: EventSubscriptions;
    readonly deliverer: HostEventDeliverer;
    readonly sink: HostEventSink;
    /** Relays the entity change feed as entity.* host events (the notifier runs it). */
    readonly entityChanges: EntityChangeRelay;
  };
  /** Reports finished pull runs (sync.failed, sync.recovered, run.partial, dedup.reviews_waiting, host run.completed): wrap the sync-inbound handler. */
  readonly runs: RunEvents;
}

/**
 * Builds the notifications feature over the platform's ports. `hostEvents` tunes the
 * host-product deliveries (retry schedule, disabling, retention, rotation overlap).
 */
export function createNotifications(options: NotificationOptions & { hostEvents?: HostEventSettings }): Notifications {
  const resolved = resolveNotificationOptions(options);
  const dispatcher = new NotificationDispatcher(resolved);
  const hostOptions = resolveHostEventOptions(resolved, dispatcher.sink, options.hostEvents);
  const deliverer = new HostEventDeliverer(hostOptions);
  const hostSink: HostEventSink = (event) => {
    deliverer.publish(event).catch((error: unknown) => resolved.logger.error({ err: error, type: event.type, tenantId: event.tenantId }, 'host event was not recorded'));
  };
  return {
    options: resolved,
    admin: new NotificationAdmin(resolved),
    dispatcher,
    sink: dispatcher.sink,
    hostEvents: {
      subscriptions: new EventSubscriptions(hostOptions, deliverer),
      deliverer,
      sink: hostSink,
      entityChanges: new EntityChangeRelay({ store: resolved.store, publish: (event) => deliverer.publish(event), logger: resolved.logger }),
    },
    runs: new RunEvents({ store: resolved.store, sink: dispatcher.sink, hostSink, logger: resolved.logger }),
  };
}

export { NotificationAdmin, channelView, ruleView } from './admin.ts';
export type { NotificationActionContext, ChannelInput, ChannelUpdate, ChannelView, RuleInput, RuleUpdate, RuleView } from './admin.ts';
export { credentialSink, fromCredentialEvent, fromRateLimitEvent, rateLimitSink, webhookRenewalSink, webhookStatusSink } from './adapters.ts';
export { conflictsWaitingSink, fromConflictsWaiting } from './conflicts.ts';
export { RunEvents, runCompletedEvent, runNotificationEvents } from './runs.ts';
export { EntityChangeRelay, entityHostEvent } from './host-events/entity-changes.ts';
export { withConnectionStatusEvents } from './host-events/connection-status.ts';
export { CHANNEL_KINDS, maskUrl } from './channels.ts';
export type { ChannelKind, ChannelStatus } from './channels.ts';
export { DeadLetterWatcher } from './dead-letters.ts';
export type { DeadLetterWatcherOptions } from './dead-letters.ts';
export { NotificationDispatcher } from './dispatcher.ts';
export type { DeliveryJob, FlushResult } from './dispatcher.ts';
export { NOTIFICATION_EVENT_TYPES, SEVERITIES, foldKey, isNotificationEventType, isSeverity, severityRank } from './events.ts';
export type { Facts, NotificationEvent, NotificationEventType, NotificationSink, NotificationSubject, Severity } from './events.ts';
export { adminLink, eventLink } from './message.ts';
export type { DigestEntry, Notice } from './message.ts';
export { runNotifier } from './notifier.ts';
export { deliverOperatorAlert, operatorAlertSender } from './operator.ts';
export type { OperatorAlertJob, OperatorChannel } from './operator.ts';
export type { NotifierRunOptions, RunningNotifier } from './notifier.ts';
export { resolveNotificationOptions } from './options.ts';
export type { HostResolver, NotificationOptions, ResolvedNotificationOptions, SlackAppResolver } from './options.ts';
export { renderSlack } from './render-slack.ts';
export type { SlackMessage } from './render-slack.ts';
export { ADAPTIVE_CARD_CONTENT_TYPE, renderTeams } from './render-teams.ts';
export type { AdaptiveCard, TeamsMessage } from './render-teams.ts';
export * from './host-events/index.ts';
