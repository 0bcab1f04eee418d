/**
 * Standard Webhooks signing of outgoing deliveries (providers.md §6): the signed content
 * is `webhook-id + "." + webhook-timestamp + "." + body`; each `v1` signature is
 * base64(HMAC-SHA256(key, content)) with the key the base64 bytes after `whsec_`. During
 * a rotation overlap every active secret signs, so receivers holding either verify.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** A fresh `whsec_` secret: 24 random bytes, base64 (the spec allows 24 to 64). */
export function newWhsecSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The `webhook-signature` header value: `v1,<b64>` per secret, space-separated. */
export function signStandardWebhook(messageId: string, timestampSeconds: number, body: string, secrets: readonly string[]): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
      return `v1,${createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64')}`;
    })
    .join(' ');
}
