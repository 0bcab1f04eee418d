import { TributaryError } from '../../domain/errors.ts';
import type { RandomSource } from '../../ports/clock.ts';
import type { ResolvedNotificationOptions } from '../options.ts';
import type { NotificationSink } from '../events.ts';
import { DEFAULT_RETRY_SCHEDULE_MS } from './schedule.ts';

/** Host-event settings (all optional; defaults below). */
export interface HostEventSettings {
  /** Delays between attempts after the first. Default: the Standard Webhooks schedule (~3 days). */
  retryScheduleMs?: readonly number[];
  /** An endpoint failing without a success for this long is disabled (and a notification says so). Default 5 days. */
  disableAfterMs?: number;
  /** How long deliveries stay visible. Default 30 days. */
  retentionMs?: number;
  /** How long a rotated-out secret keeps signing too. Default 24 h. */
  rotationOverlapMs?: number;
  /** One delivery's timeout. Default 15 s (the spec's guidance: 15–30 s). */
  timeoutMs?: number;
  /** Jitter source. Default Math.random. */
  random?: RandomSource;
}

export interface ResolvedHostEventOptions {
  readonly base: ResolvedNotificationOptions;
  /** Where `webhook.disabled` goes when an endpoint is disabled. */
  readonly notify: NotificationSink;
  readonly retryScheduleMs: readonly number[];
  readonly disableAfterMs: number;
  readonly retentionMs: number;
  readonly rotationOverlapMs: number;
  readonly timeoutMs: number;
  readonly random: RandomSource;
}

export function resolveHostEventOptions(base: ResolvedNotificationOptions, notify: NotificationSink, settings: HostEventSettings = {}): ResolvedHostEventOptions {
  const positive = (field: string, value: number): number => {
    if (!Number.isInteger(value) || value < 1) throw new TributaryError('CONFIG_INVALID', `hostEvents.${field} must be a positive integer`, { field });
    return value;
  };
  const schedule = settings.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
  schedule.forEach((ms, index) => positive(`retryScheduleMs[${index}]`, ms));
  return Object.freeze({
    base,
    notify,
    retryScheduleMs: [...schedule],
    disableAfterMs: positive('disableAfterMs', settings.disableAfterMs ?? 5 * 86_400_000),
    retentionMs: positive('retentionMs', settings.retentionMs ?? 30 * 86_400_000),
    rotationOverlapMs: positive('rotationOverlapMs', settings.rotationOverlapMs ?? 86_400_000),
    timeoutMs: positive('timeoutMs', settings.timeoutMs ?? 15_000),
    random: settings.random ?? Math.random,
  });
}
