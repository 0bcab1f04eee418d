/**
 * Google Calendar / Drive push notifications ("watch" channels; providers.md §5).
 *
 * A notification is a POST with an empty body and `X-Goog-*` headers. Nothing is
 * signed: the only proof is the channel token we chose at registration, echoed in
 * `X-Goog-Channel-Token`, compared here in constant time with `secrets`. The delivery id
 * is `<channel id>:<message number>` (numbers grow per channel). A notification after
 * the channel's announced expiration is refused as stale. The intake checks that the
 * channel id is the registration's own.
 */
import { timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface GoogleWebhookEvent {
  /** The resource state: `sync` (channel created), `exists`, `not_exists`, Drive's `update`, `trash`, ... */
  readonly type: string;
  readonly payload: {
    readonly channelId: string;
    readonly resourceId: string | null;
    readonly resourceUri: string | null;
    readonly resourceState: string;
    readonly messageNumber: number;
    readonly changed: string | null;
  };
}

export type GoogleVerification =
  | { readonly ok: true; readonly deliveryId: string | null; readonly event: GoogleWebhookEvent }
  | { readonly ok: false; readonly reason: string };

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a watch-channel notification. `now` is epoch ms. Reasons:
 * `missing_channel`, `missing_token`, `missing_state`, `malformed_message_number`,
 * `no_secret`, `bad_token`, `stale_channel`.
 */
export function verifyGoogleWebhook(_rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], now: number): GoogleVerification {
  const channelId = header(headers, 'x-goog-channel-id');
  if (channelId === undefined || channelId === '') return { ok: false, reason: 'missing_channel' };
  const token = header(headers, 'x-goog-channel-token');
  if (token === undefined) return { ok: false, reason: 'missing_token' };
  const state = header(headers, 'x-goog-resource-state');
  if (state === undefined || state === '') return { ok: false, reason: 'missing_state' };
  const number = header(headers, 'x-goog-message-number');
  if (number === undefined || !/^\d{1,15}$/.test(number)) return { ok: false, reason: 'malformed_message_number' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const given = Buffer.from(token, 'utf8');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(secret, 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'bad_token' };
  const expiration = header(headers, 'x-goog-channel-expiration');
  if (expiration !== undefined) {
    const expiresAt = Date.parse(expiration);
    if (Number.isFinite(expiresAt) && expiresAt < now) return { ok: false, reason: 'stale_channel' };
  }
  return {
    ok: true,
    deliveryId: `${channelId}:${number}`,
    event: {
      type: state,
      payload: {
        channelId,
        resourceId: header(headers, 'x-goog-resource-id') ?? null,
        resourceUri: header(headers, 'x-goog-resource-uri') ?? null,
        resourceState: state,
        messageNumber: Number(number),
        changed: header(headers, 'x-goog-changed') ?? null,
      },
    },
  };
}

export type GoogleWebhookWork = { readonly kind: 'signal' } | { readonly kind: 'ignore' };

/** A channel only says "something changed": an incremental run; `sync` (channel created) needs nothing. */
export function googleWebhookWork(event: { readonly type: string }): GoogleWebhookWork {
  return event.type === 'sync' ? { kind: 'ignore' } : { kind: 'signal' };
}

/** What a Pub/Sub push subscription with authentication is expected to send. */
export interface PubSubPushExpectation {
  /** The subscription's configured audience (by default the push endpoint URL). */
  readonly audience: string;
  /** The push service account's email. */
  readonly serviceAccountEmail: string;
  /** Google's signing keys as a JSON Web Key Set (fetched and cached by the caller: this stays pure). */
  readonly jwks: JSONWebKeySet;
}

export type PubSubPushVerification =
  | { readonly ok: true; readonly deliveryId: string; readonly event: { readonly type: 'pubsub_push'; readonly payload: { readonly subscription: string | null; readonly message: Record<string, unknown>; readonly data: unknown } } }
  | { readonly ok: false; readonly reason: string };

const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/**
 * Verifies a Pub/Sub push delivery (providers.md §5 Pub/Sub push auth): the
 * `Authorization: Bearer` OIDC token's RS256 signature against `jwks`, issuer, audience,
 * expiry at `now` (epoch ms), `email` = the push service account with
 * `email_verified`; then the envelope `{message: {data, messageId, ...}, subscription}`.
 * The delivery id is `message.messageId`. Async only because WebCrypto is.
 * Reasons: `missing_token`, `bad_token`, `wrong_email`, `malformed_body`.
 */
export async function verifyGooglePubSubPush(rawBody: Buffer, headers: WebhookHeaders, expected: PubSubPushExpectation, now: number): Promise<PubSubPushVerification> {
  const authorization = header(headers, 'authorization');
  const token = authorization !== undefined && /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '') : null;
  if (token === null || token === '') return { ok: false, reason: 'missing_token' };
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, createLocalJWKSet(expected.jwks), {
      issuer: GOOGLE_ISSUERS,
      audience: expected.audience,
      algorithms: ['RS256'],
      currentDate: new Date(now),
    });
    claims = verified.payload as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'bad_token' };
  }
  if (claims['email'] !== expected.serviceAccountEmail || claims['email_verified'] !== true) return { ok: false, reason: 'wrong_email' };
  let envelope: unknown;
  try {
    envelope = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_body' };
  }
  const message = typeof envelope === 'object' && envelope !== null ? (envelope as Record<string, unknown>)['message'] : undefined;
  if (typeof message !== 'object' || message === null) return { ok: false, reason: 'malformed_body' };
  const m = message as Record<string, unknown>;
  const messageId = m['messageId'] ?? m['message_id'];
  if (typeof messageId !== 'string' || messageId === '') return { ok: false, reason: 'malformed_body' };
  let data: unknown = null;
  if (typeof m['data'] === 'string') {
    const text = Buffer.from(m['data'], 'base64').toString('utf8');
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  const subscription = (envelope as Record<string, unknown>)['subscription'];
  return { ok: true, deliveryId: messageId, event: { type: 'pubsub_push', payload: { subscription: typeof subscription === 'string' ? subscription : null, message: m, data } } };
}
