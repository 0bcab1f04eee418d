/**
 * Standard Webhooks verification (providers.md §6; spec standard-webhooks.md), for any
 * sender that follows it (Svix and others).
 *
 * Signed content: `webhook-id + "." + webhook-timestamp + "." + raw body`; `v1` is
 * base64(HMAC-SHA256(key, content)) where the key is the base64 bytes after `whsec_`
 * (a secret without the prefix is taken as base64 too). `webhook-signature` is a space-
 * separated list (`v1,<b64> v1,<b64>`): any matching `v1` entry passes, which is how a
 * sender rotates. Timestamps more than 5 minutes away from `now` either way are refused.
 * `v1a` (ed25519) entries are skipped: we hold symmetric secrets only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookHeaders, WebhookVerification } from './verification-types.ts';

export const STANDARD_TOLERANCE_SECONDS = 300;

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The HMAC key of a `whsec_` secret; null when it is not base64. */
export function standardWebhookKey(secret: string): Buffer | null {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (encoded === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  return Buffer.from(encoded, 'base64');
}

/**
 * Verifies a Standard Webhooks delivery; `now` is epoch ms. Reasons: `missing_id`,
 * `missing_timestamp`, `missing_signature`, `malformed_timestamp`, `stale_timestamp`,
 * `no_secret`, `bad_signature`, `malformed_body`. The delivery id is `webhook-id`.
 */
export function verifyStandardWebhook(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], now: number): WebhookVerification {
  const id = header(headers, 'webhook-id');
  if (id === undefined || id === '') return { ok: false, reason: 'missing_id' };
  const timestamp = header(headers, 'webhook-timestamp');
  if (timestamp === undefined) return { ok: false, reason: 'missing_timestamp' };
  const signatures = header(headers, 'webhook-signature');
  if (signatures === undefined || signatures === '') return { ok: false, reason: 'missing_signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > STANDARD_TOLERANCE_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  const keys = secrets.map(standardWebhookKey).filter((key): key is Buffer => key !== null);
  if (keys.length === 0) return { ok: false, reason: 'no_secret' };
  const given: Buffer[] = [];
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    given.push(Buffer.from(entry.slice(comma + 1), 'base64'));
  }
  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
    for (const signature of given) if (signature.length === expected.length && timingSafeEqual(signature, expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_body' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'malformed_body' };
  const body = payload as Record<string, unknown>;
  return { ok: true, deliveryId: id, event: { type: typeof body['type'] === 'string' ? body['type'] : 'unknown', payload: body } };
}
