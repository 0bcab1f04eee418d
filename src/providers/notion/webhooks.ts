/**
 * Notion webhook verification and interpretation (pure; providers.md §3 Webhooks).
 *
 * `X-Notion-Signature: sha256=` + hex(HMAC-SHA256(verification_token, raw body)); upper-
 * case hex is accepted, a missing `sha256=` prefix is not. No timestamp is signed, so
 * replays are caught by the intake's duplicate check on the event `id` (the same on
 * Notion's retries, whose bodies differ in `attempt_number`).
 *
 * The handshake: when a subscription is created Notion POSTs `{"verification_token":
 * "secret_…"}` once, which the user pastes back into Notion. A registration without a
 * token yet (`secrets` empty) accepts it (checking its signature against the token it
 * carries when one is sent) and the intake keeps the token as the signing secret; once
 * a token is set, a handshake must verify like any event.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface NotionWebhookEvent {
  /** `verification_token`, or the event type (`page.properties_updated`). */
  readonly type: string;
  readonly payload: Record<string, unknown>;
  /** The handshake's token, to be stored as the registration's secret. */
  readonly verificationToken?: string;
}

export type NotionVerification =
  | { readonly ok: true; readonly deliveryId: string | null; readonly event: NotionWebhookEvent }
  | { readonly ok: false; readonly reason: string };

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function signatureMatches(rawBody: Buffer, signature: string, secrets: readonly string[]): boolean {
  const given = Buffer.from(signature.slice('sha256='.length).toLowerCase(), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}

function parseObject(rawBody: Buffer): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Verifies a Notion delivery. Reasons: `missing_signature`, `malformed_signature`,
 * `no_secret`, `bad_signature`, `malformed_body`. `now` is unused (nothing is timed).
 */
export function verifyNotionWebhook(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], _now: number): NotionVerification {
  const signature = header(headers, 'x-notion-signature');
  if (signature !== undefined && !/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'malformed_signature' };
  if (secrets.length === 0) {
    // Only the handshake can arrive before the token is known.
    const payload = parseObject(rawBody);
    const token = payload?.['verification_token'];
    if (payload === null || typeof token !== 'string' || token === '' || Object.keys(payload).length !== 1) return { ok: false, reason: 'no_secret' };
    if (signature !== undefined && !signatureMatches(rawBody, signature, [token])) return { ok: false, reason: 'bad_signature' };
    return { ok: true, deliveryId: null, event: { type: 'verification_token', payload: {}, verificationToken: token } };
  }
  if (signature === undefined) return { ok: false, reason: 'missing_signature' };
  if (!signatureMatches(rawBody, signature, secrets)) return { ok: false, reason: 'bad_signature' };
  const payload = parseObject(rawBody);
  if (payload === null) return { ok: false, reason: 'malformed_body' };
  if (typeof payload['verification_token'] === 'string') {
    return { ok: true, deliveryId: null, event: { type: 'verification_token', payload: {}, verificationToken: payload['verification_token'] } };
  }
  const id = payload['id'];
  const type = typeof payload['type'] === 'string' ? payload['type'] : 'unknown';
  return { ok: true, deliveryId: typeof id === 'string' && id !== '' ? id : null, event: { type, payload } };
}

export type NotionWebhookWork =
  | { readonly kind: 'record'; readonly object: string; readonly id: string; readonly deleted: boolean }
  | { readonly kind: 'signal' }
  | { readonly kind: 'ignore' };

/**
 * Notion events are thin signals ("do not contain the full content"): a page deletion
 * names the page to tombstone; any other page, data source or database change asks for
 * an incremental run (the run fetches what changed, with mapping and dedup).
 */
export function notionWebhookWork(event: { readonly type: string; readonly payload: Record<string, unknown> }): NotionWebhookWork {
  const entity = event.payload['entity'];
  const entityId = typeof entity === 'object' && entity !== null ? (entity as Record<string, unknown>)['id'] : undefined;
  if (event.type === 'page.deleted' && typeof entityId === 'string') return { kind: 'record', object: 'pages', id: entityId, deleted: true };
  if (/^(page|data_source|database)\./.test(event.type)) return { kind: 'signal' };
  return { kind: 'ignore' };
}
