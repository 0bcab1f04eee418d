/**
 * The operator channel: where Tributary's own alerts (observability/alerts) go, apart
 * from every tenant's rules. One Slack incoming-webhook or Teams Workflows URL from the
 * operator's configuration (`TRIBUTARY_OPERATOR_WEBHOOK_URL`, a secret: never logged,
 * never in a job payload). Alerts travel the `notifications` queue like every notice
 * (retries, 429 Retry-After); the job carries the alert only and the URL is read from the
 * options when it is delivered. Without a configured channel, alerts are logged only.
 */
import type { AlertTransition } from '../observability/index.ts';
import type { Notice } from './message.ts';
import type { ResolvedNotificationOptions } from './options.ts';
export type { OperatorChannel } from './options.ts';
import { renderFor } from './delivery.ts';
import { sendMessage } from './senders.ts';

/** The `notifications` queue job of one operator alert. */
export interface OperatorAlertJob {
  readonly kind: 'operator_alert';
  readonly alert: AlertTransition;
  /** The process that judged it (`host:pid`). */
  readonly source: string;
}

export function isOperatorAlertJob(payload: unknown): payload is OperatorAlertJob {
  return payload !== null && typeof payload === 'object' && (payload as { kind?: unknown }).kind === 'operator_alert';
}

/**
 * Where the alert monitor sends transitions: enqueued for the notifier, or only logged
 * when no operator channel is configured. The idempotency key makes one process's
 * retried enqueue of the same transition a no-op.
 */
export function operatorAlertSender(options: ResolvedNotificationOptions, source: string): (alert: AlertTransition) => Promise<void> {
  return async (alert) => {
    if (options.operatorChannel === null) return;
    const job: OperatorAlertJob = { kind: 'operator_alert', alert, source };
    await options.queue.enqueue('notifications', job, {
      idempotencyKey: `operator-alert:${alert.name}:${alert.state}:${alert.at}:${source}`,
      maxAttempts: options.maxAttempts,
      correlationId: `alert:${alert.name}`,
    });
  };
}

/** Delivers one operator alert job; throws the classified delivery error for the queue to retry. */
export async function deliverOperatorAlert(options: ResolvedNotificationOptions, job: OperatorAlertJob): Promise<void> {
  const channel = options.operatorChannel;
  if (channel === null) return;
  const notice: Notice = { kind: 'alert', alert: job.alert, source: job.source };
  try {
    await sendMessage({ kind: channel.kind, url: channel.url }, renderFor(channel.kind, notice, options.publicUrl()), {
      timeoutMs: options.deliveryTimeoutMs,
      fetch: options.fetch,
      defaultRetryAfterMs: options.defaultRetryAfterMs,
    });
  } catch (error) {
    options.logger.warn({ alert: job.alert.name, code: (error as { code?: string }).code }, 'operator alert delivery failed');
    throw error;
  }
}
