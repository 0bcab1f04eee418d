/**
 * The notification model: channels (where messages go) and rules (which events go
 * there), as the store keeps them and the API shows them. A channel's target URL is a
 * secret: only `secretRef` is stored here, and the API shows `maskedTarget` (the host).
 */
import { randomUUID } from 'node:crypto';
import type { NotificationEventType, Severity } from './events.ts';

/**
 * `slack_webhook`: an incoming-webhook URL. `slack_app`: chat.postMessage through a
 * connected Slack workspace (the connection's token) to `slackChannel`.
 * `teams_workflow`: a Teams Workflows "webhook request received" URL.
 */
export const CHANNEL_KINDS = ['slack_webhook', 'slack_app', 'teams_workflow'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** `failing`: recent deliveries failed (still tried); `disabled`: the target is gone (404/410), nothing is sent until updated. */
export type ChannelStatus = 'active' | 'failing' | 'disabled';

export interface NotificationChannel {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly kind: ChannelKind;
  /** SecretStore ref of the webhook URL (null for `slack_app`). */
  readonly secretRef: string | null;
  /** What the API shows instead of the URL: `hooks.slack.com/…`. */
  readonly maskedTarget: string | null;
  /** `slack_app`: the Slack connection and the channel id or name to post to. */
  readonly connectionId: string | null;
  readonly slackChannel: string | null;
  readonly status: ChannelStatus;
  /** Consecutive failed deliveries (0 after a success). */
  readonly failureCount: number;
  /** The last failure, safe to show (status and provider error word; never the URL). */
  readonly lastError: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NotificationRule {
  readonly id: string;
  readonly tenantId: string;
  readonly channelId: string;
  readonly name: string;
  /** Empty: every event type. */
  readonly eventTypes: readonly NotificationEventType[];
  readonly minSeverity: Severity;
  /** Repeats of the same event within this window fold into one "N more" message. */
  readonly foldWindowMs: number;
  /** When set, events are not sent one by one but summarised every this many ms. */
  readonly digestIntervalMs: number | null;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function newChannelId(): string {
  return `nch_${randomUUID().replaceAll('-', '')}`;
}

export function newRuleId(): string {
  return `nru_${randomUUID().replaceAll('-', '')}`;
}

/** `https://hooks.slack.com/services/T/B/x` -> `hooks.slack.com/…`: the host only, so people recognise it. */
export function maskUrl(url: URL): string {
  return `${url.host}/…`;
}
