/**
 * Slack Events API request verification and interpretation (pure; providers.md §2
 * Request signing).
 *
 * `X-Slack-Signature: v0=` + hex(HMAC-SHA256(signing secret, `v0:` + timestamp + `:` +
 * raw body)) with `X-Slack-Request-Timestamp` in Unix seconds; requests more than 300 s
 * from `now` are refused (replay window). The `url_verification` handshake is signed
 * too and answered with its `challenge`. The delivery id is the envelope's `event_id`,
 * the same on Slack's retries (`X-Slack-Retry-Num`), so a retry is a duplicate.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface SlackWebhookEvent {
  /** `url_verification`, or `event_callback:<event.type>`. */
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly reply?: { readonly contentType: string; readonly body: string };
}

export type SlackVerification =
  | { readonly ok: true; readonly deliveryId: string | null; readonly event: SlackWebhookEvent }
  | { readonly ok: false; readonly reason: string };

/** Slack's documented window: 5 minutes either way. */
export const SLACK_TOLERANCE_SECONDS = 300;

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a Slack request (several secrets during a rotation, constant-time), then
 * parses the JSON envelope. `now` is epoch milliseconds. Reasons: `missing_signature`,
 * `missing_timestamp`, `malformed_timestamp`, `stale_timestamp`, `malformed_signature`,
 * `no_secret`, `bad_signature`, `malformed_body`.
 */
export function verifySlackWebhook(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], now: number): SlackVerification {
  const signature = header(headers, 'x-slack-signature');
  if (signature === undefined) return { ok: false, reason: 'missing_signature' };
  const timestamp = header(headers, 'x-slack-request-timestamp');
  if (timestamp === undefined) return { ok: false, reason: 'missing_timestamp' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > SLACK_TOLERANCE_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  if (!/^v0=[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'malformed_signature' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const given = Buffer.from(signature.slice(3).toLowerCase(), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_body' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'malformed_body' };
  const payload = parsed as Record<string, unknown>;
  if (payload['type'] === 'url_verification') {
    const challenge = payload['challenge'];
    if (typeof challenge !== 'string') return { ok: false, reason: 'malformed_body' };
    return { ok: true, deliveryId: null, event: { type: 'url_verification', payload, reply: { contentType: 'text/plain', body: challenge } } };
  }
  const inner = payload['event'];
  const innerType = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)['type'] : undefined;
  const type = typeof payload['type'] === 'string' ? payload['type'] : 'unknown';
  const eventId = payload['event_id'];
  return {
    ok: true,
    deliveryId: typeof eventId === 'string' && eventId !== '' ? eventId : null,
    event: { type: typeof innerType === 'string' ? `${type}:${innerType}` : type, payload },
  };
}

export type SlackWebhookWork =
  | { readonly kind: 'record'; readonly object: string; readonly id: string; readonly deleted: boolean }
  | { readonly kind: 'ignore' };

/**
 * The record an event is about, in the Slack objects' id scheme: messages as
 * `<channel>:<ts>`, channels and users by id. Other events are ignored.
 */
export function slackWebhookWork(event: { readonly type: string; readonly payload: Record<string, unknown> }): SlackWebhookWork {
  const inner = asRecord(event.payload['event']);
  if (inner === null) return { kind: 'ignore' };
  const type = str(inner['type']);
  const subtype = str(inner['subtype']);
  if (type === 'message') {
    const channel = str(inner['channel']);
    if (channel === null) return { kind: 'ignore' };
    if (subtype === 'message_deleted') {
      const ts = str(inner['deleted_ts']) ?? str(asRecord(inner['previous_message'])?.['ts']);
      return ts === null ? { kind: 'ignore' } : { kind: 'record', object: 'messages', id: `${channel}:${ts}`, deleted: true };
    }
    const ts = subtype === 'message_changed' ? str(asRecord(inner['message'])?.['ts']) : str(inner['ts']);
    return ts === null ? { kind: 'ignore' } : { kind: 'record', object: 'messages', id: `${channel}:${ts}`, deleted: false };
  }
  if (type !== null && type.startsWith('channel_')) {
    const channel = asRecord(inner['channel']);
    const id = str(channel?.['id']) ?? str(inner['channel']);
    return id === null ? { kind: 'ignore' } : { kind: 'record', object: 'channels', id, deleted: type === 'channel_deleted' };
  }
  if (type === 'user_change' || type === 'team_join') {
    const id = str(asRecord(inner['user'])?.['id']);
    return id === null ? { kind: 'ignore' } : { kind: 'record', object: 'users', id, deleted: false };
  }
  return { kind: 'ignore' };
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
