/**
 * Small adapters from other features' own event shapes to notification events. Pure:
 * events the notifications do not carry (backend degradation, untenanted counters)
 * map to null.
 */
import type { CredentialEvent } from '../credentials/index.ts';
import type { RateLimitEvent, RateLimitEventSink } from '../ratelimit/index.ts';
import type { WebhookRegistration, WebhookStatus } from '../domain/webhook.ts';
import type { NotificationEvent, NotificationSink } from './events.ts';

/**
 * The rate limiter's events: `ratelimit.threshold` (warning, critical at 95 % or more)
 * about the connection whose counter crossed, `ratelimit.provider_limited` (warning).
 * Backend degradation is an operator matter, not a tenant's: null.
 */
export function fromRateLimitEvent(event: RateLimitEvent): NotificationEvent | null {
  if (event.type === 'ratelimit.threshold') {
    if (event.tenantId === null) return null;
    const subject = event.connectionId !== null ? { kind: 'connection' as const, id: event.connectionId } : { kind: 'tenant' as const, id: event.tenantId };
    return {
      type: 'ratelimit.threshold',
      tenantId: event.tenantId,
      severity: event.threshold >= 0.95 ? 'critical' : 'warning',
      subject,
      at: event.at,
      facts: {
        provider: event.provider,
        level: event.level,
        threshold: `${Math.round(event.threshold * 100)}%`,
        used: event.used,
        limit: event.limit,
        resetsAt: new Date(event.resetsAt).toISOString(),
      },
    };
  }
  if (event.type === 'ratelimit.provider_limited') {
    return {
      type: 'ratelimit.provider_limited',
      tenantId: event.tenantId,
      severity: 'warning',
      subject: { kind: 'connection', id: event.connectionId },
      at: event.at,
      facts: { provider: event.provider, status: event.status, reason: event.reason, retryAfterSeconds: Math.ceil(event.retryAfterMs / 1000) },
    };
  }
  return null;
}

/**
 * The credentials feature's events: `connection.needs_reauth` (critical: syncs stop until
 * someone reconnects), `token_refresh.failing` (warning: the token still works until it expires).
 */
export function fromCredentialEvent(event: CredentialEvent): NotificationEvent {
  return {
    type: event.type,
    tenantId: event.tenantId,
    severity: event.type === 'connection.needs_reauth' ? 'critical' : 'warning',
    subject: { kind: 'connection', id: event.connectionId },
    at: Date.parse(event.at),
    facts: { provider: event.provider, reason: event.reason },
  };
}

/** The rate limiter's sink over a notification sink: `new RateLimiter({ ..., events: rateLimitSink(notifications.sink) })`. */
export function rateLimitSink(sink: NotificationSink): RateLimitEventSink {
  return (event) => {
    const notification = fromRateLimitEvent(event);
    if (notification !== null) sink(notification);
  };
}

/** The credentials feature's `events` option over a notification sink. */
export function credentialSink(sink: NotificationSink): (event: CredentialEvent) => void {
  return (event) => sink(fromCredentialEvent(event));
}

/**
 * Webhook registrations' `onRenewalFailed` over a notification sink: a watch channel
 * that could not be renewed at the provider stops delivering when it expires.
 */
export function webhookRenewalSink(sink: NotificationSink, now: () => number): (registration: WebhookRegistration, error: unknown) => void {
  return (registration, error) => {
    const code = error !== null && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'INTERNAL';
    sink({
      type: 'webhook.failing',
      tenantId: registration.tenantId,
      severity: 'warning',
      subject: { kind: 'webhook', id: registration.id },
      at: now(),
      facts: { provider: registration.providerId, connection: registration.connectionId, reason: 'renewal_failed', error: code, expiresAt: registration.expiresAt },
    });
  };
}

/**
 * The webhook receiver's `onStatusChange` over a notification sink: a registration that
 * starts failing verification, or is disabled, tells the tenant; recovery is silent.
 */
export function webhookStatusSink(sink: NotificationSink, now: () => number): (registration: WebhookRegistration, status: WebhookStatus) => void {
  return (registration, status) => {
    if (status !== 'failing' && status !== 'disabled') return;
    sink({
      type: status === 'failing' ? 'webhook.failing' : 'webhook.disabled',
      tenantId: registration.tenantId,
      severity: status === 'failing' ? 'warning' : 'critical',
      subject: { kind: 'webhook', id: registration.id },
      at: now(),
      facts: { provider: registration.providerId, connection: registration.connectionId, failures: registration.failureCount },
    });
  };
}
