/**
 * Google Cloud Pub/Sub push delivery as a registration kind (`scheme: 'pubsub'` on a
 * Google connection): the subscription's push endpoint is the registration's URL, with
 * authentication on. Each delivery carries `Authorization: Bearer <OIDC token>` signed by
 * Google; the provider's pure verifier (providers/google/webhooks.ts) checks it against
 * Google's keys, the registration's audience (default: its URL) and push service
 * account, and the delivery id is the message's `messageId`, so a redelivery is a
 * duplicate. The keys are fetched and cached here, outside the pure verifier.
 */
import { createRemoteJWKSet, type JSONWebKeySet } from 'jose';
import type { StoredWebhookRegistration } from '../ports/store.ts';
import { verifyGooglePubSubPush } from '../providers/google/webhooks.ts';
import type { WebhookHeaders, WebhookVerification } from './verification-types.ts';

export const PUBSUB_SCHEME = 'pubsub';

/** Google's OIDC token signing keys (JWKS). */
export const GOOGLE_CERTS_URL = 'https://www.googleapis.com/oauth2/v3/certs';

/** Where the token signing keys come from: the cached set, and a refetch when a token names a key not in it. */
export interface PubSubKeys {
  current(): Promise<JSONWebKeySet>;
  /** A fresh set, or null while a refetch is not allowed yet (cool-down): forged tokens cannot force fetches. */
  refresh(): Promise<JSONWebKeySet | null>;
}

/**
 * The keys at `url` through jose's remote key set: cached 10 minutes, concurrent
 * fetches shared, a refetch for an unknown key at most every `cooldownMs` (30 s).
 */
export function remotePubSubKeys(url: string = GOOGLE_CERTS_URL, options: { cooldownMs?: number } = {}): PubSubKeys {
  const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: options.cooldownMs ?? 30_000 });
  const loaded = (): JSONWebKeySet => {
    const jwks = remote.jwks();
    if (jwks === undefined) throw new Error('The Pub/Sub signing keys could not be loaded');
    return jwks;
  };
  return {
    async current() {
      if (!remote.fresh) await remote.reload();
      return loaded();
    },
    async refresh() {
      if (remote.coolingDown) return null;
      await remote.reload();
      return loaded();
    },
  };
}

/** What a registration expects of its tokens: config `serviceAccountEmail`, `audience` (default: the URL). */
export function pubsubExpectation(registration: Pick<StoredWebhookRegistration, 'config' | 'webhookUrl'>): { audience: string; serviceAccountEmail: string } | null {
  const email = registration.config['serviceAccountEmail'];
  const audience = registration.config['audience'];
  if (typeof email !== 'string' || email === '') return null;
  return { audience: typeof audience === 'string' && audience !== '' ? audience : registration.webhookUrl, serviceAccountEmail: email };
}

/**
 * Verifies one push delivery. A token refused with the cached keys is tried once more
 * with refetched keys (Google rotates them). Throws only when no keys can be had (the
 * intake answers 503 so that Pub/Sub retries). Reasons: the verifier's, and
 * `not_configured` for a registration without a service account.
 */
export async function verifyPubSubDelivery(
  keys: PubSubKeys,
  registration: Pick<StoredWebhookRegistration, 'config' | 'webhookUrl'>,
  rawBody: Buffer,
  headers: WebhookHeaders,
  now: number,
): Promise<WebhookVerification> {
  const expected = pubsubExpectation(registration);
  if (expected === null) return { ok: false, reason: 'not_configured' };
  let result = await verifyGooglePubSubPush(rawBody, headers, { ...expected, jwks: await keys.current() }, now);
  if (!result.ok && result.reason === 'bad_token') {
    const fresh = await keys.refresh();
    if (fresh !== null) result = await verifyGooglePubSubPush(rawBody, headers, { ...expected, jwks: fresh }, now);
  }
  return result;
}
