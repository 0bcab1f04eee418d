/**
 * One delivery of one notice to one channel: open the target (the secret URL, or the
 * Slack connection's token), render for the channel's kind, send, and record the
 * outcome on the channel (status, failure count, last error). Used by the queue handler
 * and by "send a test message now".
 */
import { TributaryError, isTributaryError } from '../domain/errors.ts';
import type { NotificationChannelRecord } from '../ports/store.ts';
import type { Notice } from './message.ts';
import type { ResolvedNotificationOptions } from './options.ts';
import { renderSlack } from './render-slack.ts';
import { renderTeams } from './render-teams.ts';
import { sendMessage, type DeliveryTarget } from './senders.ts';

async function targetOf(options: ResolvedNotificationOptions, channel: NotificationChannelRecord): Promise<DeliveryTarget> {
  if (channel.kind === 'slack_app') {
    if (!options.slackApp) throw new TributaryError('PROVIDER_REJECTED', 'Slack app delivery is not configured on this server', { details: { disable: false } });
    if (channel.connectionId === null || channel.slackChannel === null) throw new TributaryError('VALIDATION_FAILED', 'The channel names no Slack connection or channel');
    const app = await options.slackApp(channel.tenantId, channel.connectionId);
    return { kind: 'slack_app', apiBaseUrl: app.apiBaseUrl, accessToken: app.accessToken, channel: channel.slackChannel };
  }
  if (channel.secretRef === null) throw new TributaryError('VALIDATION_FAILED', 'The channel has no target URL');
  const url = await options.secrets.get(channel.tenantId, channel.secretRef);
  return { kind: channel.kind, url };
}

export function renderFor(kind: NotificationChannelRecord['kind'], notice: Notice, publicUrl: string): unknown {
  return kind === 'teams_workflow' ? renderTeams(notice, publicUrl) : renderSlack(notice, publicUrl);
}

/**
 * Delivers and records. Resolves with the channel as it stands after; rethrows the
 * delivery's classified error (after recording it) so the queue retries or dead-letters.
 * A rate-limit answer is not counted as a channel failure: the channel works, it asks
 * us to wait.
 */
export async function deliverNotice(options: ResolvedNotificationOptions, channel: NotificationChannelRecord, notice: Notice): Promise<NotificationChannelRecord> {
  const notifications = options.store.notifications;
  try {
    const target = await targetOf(options, channel);
    await sendMessage(target, renderFor(channel.kind, notice, options.publicUrl()), {
      timeoutMs: options.deliveryTimeoutMs,
      fetch: options.fetch,
      defaultRetryAfterMs: options.defaultRetryAfterMs,
    });
  } catch (error) {
    const classified = isTributaryError(error) ? error : new TributaryError('PROVIDER_UNAVAILABLE', 'Delivery failed unexpectedly');
    if (classified.category !== 'rate_limit') {
      const disable = classified.details?.disable === true;
      const at = new Date(options.clock.now()).toISOString();
      await notifications
        .recordDelivery(channel.tenantId, channel.id, { ok: false, at, error: `${classified.code}: ${classified.message}`, status: disable ? 'disabled' : 'by_count', failingAfter: options.failingAfter })
        .catch(() => null);
      options.logger.warn({ tenantId: channel.tenantId, channelId: channel.id, code: classified.code, details: classified.details }, 'notification delivery failed');
    } else {
      options.logger.info({ tenantId: channel.tenantId, channelId: channel.id, retryAfterMs: classified.retryAfterMs }, 'notification delivery rate-limited');
    }
    throw classified;
  }
  const updated = await notifications.recordDelivery(channel.tenantId, channel.id, { ok: true, at: new Date(options.clock.now()).toISOString() });
  return updated ?? channel;
}
