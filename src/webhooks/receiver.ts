/**
 * The webhook intake (ARCHITECTURE.md, Webhook flow): registration (cached) -> rate
 * limit -> signature verified with the registration's scheme -> replay and duplicate
 * check -> event stored and enqueued durably (group commit) -> answer. An `accepted`
 * answer is only ever returned after the event row and its job committed.
 *
 * The answer is a kind, not an HTTP status: the route at the API edge maps it (accepted,
 * duplicate and handshake: 200; unauthorized: 401; bad_request: 400; not_found: 404;
 * disabled: 410; rate_limited: 429; unavailable: 503, so the sender retries). A
 * rejection's reason goes to the audit row only, never to the caller. Every delivery to a
 * known registration is audited (30 days); unknown ids are not (no tenant to own the row).
 *
 * Health: `failingAfter` consecutive verification failures mark the registration
 * `failing`; one that stays failing for `disableAfterMs` without a verified delivery
 * becomes `disabled`; a verified delivery makes it `active` again. `onStatusChange`
 * reports each change (the notifications' `webhook.failing` / `webhook.disabled`).
 */
import { newSortableId } from '../domain/ids.ts';
import type { WebhookStatus } from '../domain/webhook.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store, StoredWebhookRegistration } from '../ports/store.ts';
import { IntakeBatcher } from './intake-batcher.ts';
import { RegistrationCache, type CachedRegistration } from './registration-cache.ts';
import { activeSecrets, SigningSecrets } from './signing-secrets.ts';
import { TokenBuckets } from './token-bucket.ts';
import { PUBSUB_SCHEME, remotePubSubKeys, verifyPubSubDelivery, type PubSubKeys } from './pubsub.ts';
import { isBadInputReason, isWebhookScheme, verifierFor, type WebhookHeaders, type WebhookScheme, type WebhookVerification } from './verification.ts';
import type { Metrics } from '../observability/index.ts';

export type IntakeAnswer =
  | { readonly kind: 'accepted' | 'duplicate' | 'handshake'; readonly reply?: { readonly contentType: string; readonly body: string }; /** Accepted: the stored event (the trace's root, observability/tracing.ts). */ readonly eventId?: string }
  | { readonly kind: 'unauthorized' | 'bad_request' | 'not_found' | 'disabled' | 'unavailable' }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number };

export interface WebhookReceiverOptions {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  /** Registration cache TTL. Default 5 s. */
  readonly cacheTtlMs?: number;
  /** Per-registration rate limit. Default 200/s sustained, bursts of 1,000. */
  readonly ratePerSecond?: number;
  readonly burst?: number;
  /** Consecutive verification failures after which a registration is marked `failing`. Default 20. */
  readonly failingAfter?: number;
  /**
   * A `failing` registration that has verified nothing for this long is `disabled`
   * (410 from then on). Time, not a count, so that a flood of forged requests alone
   * cannot disable a registration whose real deliveries still verify. Default 24 h.
   */
  readonly disableAfterMs?: number;
  /** Called when the receiver changes a registration's status (for notifications). */
  readonly onStatusChange?: (registration: StoredWebhookRegistration, status: WebhookStatus) => void;
  /** Counts signature checks (success, or failure with its reason): the metrics and the signature-failure alert. */
  readonly metrics?: Pick<Metrics, 'webhookVerification'>;
  /** Largest intake batch per commit. Default 512. */
  readonly maxBatch?: number;
  /** Signing keys of Pub/Sub push tokens. Default: Google's, fetched and cached (remotePubSubKeys). */
  readonly pubsubKeys?: PubSubKeys;
}

export interface IncomingWebhook {
  readonly registrationId: string;
  readonly rawBody: Buffer;
  readonly headers: WebhookHeaders;
}

const AUDIT_RETENTION_MS = 30 * 24 * 3600 * 1000;
const REGISTRATION_ID = /^whk_[0-9a-f]{32}$/;
/** Schemes whose verified event payload is the JSON body itself: stored as received, not re-encoded. */
const BODY_IS_PAYLOAD: ReadonlySet<IntakeScheme> = new Set(['github', 'slack', 'notion', 'standard']);
const DUPLICATE: IntakeAnswer = Object.freeze({ kind: 'duplicate' });
const HANDSHAKE: IntakeAnswer = Object.freeze({ kind: 'handshake' });
/** Event types that only prove the URL works: audited, nothing to process. */
const HANDSHAKES: ReadonlySet<string> = new Set(['ping', 'url_verification', 'verification_token']);

/** How a registration's deliveries are verified: a scheme of verification.ts, or Pub/Sub push (async, keys fetched). */
export type IntakeScheme = WebhookScheme | typeof PUBSUB_SCHEME;

/** The scheme a registration is verified with: its own (`standard`, `pubsub`), else its provider's. */
export function schemeOf(registration: Pick<StoredWebhookRegistration, 'scheme' | 'providerId'>): IntakeScheme | null {
  const scheme = registration.scheme ?? registration.providerId;
  if (scheme === PUBSUB_SCHEME) return PUBSUB_SCHEME;
  return isWebhookScheme(scheme) ? scheme : null;
}

export class WebhookReceiver {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #signing: SigningSecrets;
  readonly #cache: RegistrationCache;
  readonly #buckets: TokenBuckets;
  readonly #batcher: IntakeBatcher;
  readonly #failingAfter: number;
  readonly #disableAfterMs: number;
  readonly #onStatusChange: WebhookReceiverOptions['onStatusChange'];
  readonly #metrics: WebhookReceiverOptions['metrics'];
  readonly #failures = new Map<string, number>();
  readonly #pubsubKeys: PubSubKeys;
  #lastTimes: { now: number; receivedAt: string; expiresAt: string } | null = null;

  constructor(options: WebhookReceiverOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#signing = new SigningSecrets(options.secrets);
    this.#failingAfter = options.failingAfter ?? 20;
    this.#disableAfterMs = options.disableAfterMs ?? 24 * 3600_000;
    this.#onStatusChange = options.onStatusChange;
    this.#metrics = options.metrics;
    this.#pubsubKeys = options.pubsubKeys ?? remotePubSubKeys();
    this.#cache = new RegistrationCache({
      ttlMs: options.cacheTtlMs ?? 5000,
      maxEntries: 10_000,
      now: () => options.clock.now(),
      load: (id) => this.#load(id),
    });
    this.#buckets = new TokenBuckets({ ratePerSecond: options.ratePerSecond ?? 200, burst: options.burst ?? 1000 });
    this.#batcher = new IntakeBatcher({ store: options.store, queue: options.queue, clock: options.clock, ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}) });
  }

  /** Forget a registration's cached state (after an update, rotation or delete). */
  invalidate(registrationId: string): void {
    this.#cache.invalidate(registrationId);
  }

  /** Waits until every queued write (including rejection audits) has committed or failed. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  async receive(incoming: IncomingWebhook): Promise<IntakeAnswer> {
    if (!REGISTRATION_ID.test(incoming.registrationId)) return { kind: 'not_found' };
    let cached: CachedRegistration | null;
    try {
      cached = await this.#cache.get(incoming.registrationId);
    } catch {
      return { kind: 'unavailable' };
    }
    if (cached === null) return { kind: 'not_found' };
    const { registration } = cached;
    const now = this.#clock.now();
    const { receivedAt, expiresAt } = this.#times(now);
    const claimed = (id: string | null) => ({ id: newSortableId('aud'), registrationId: registration.id, tenantId: registration.tenantId, receivedAt, expiresAt, claimedDeliveryId: id });
    const reject = (outcome: string, detail: string | null) => {
      this.#batcher.audit({ ...claimed(null), deliveryId: null, verified: false, outcome, detail });
    };
    if (registration.status === 'disabled') {
      reject('rejected_disabled', null);
      return { kind: 'disabled' };
    }
    if (!this.#buckets.take(registration.id, now)) {
      reject('rate_limited', null);
      return { kind: 'rate_limited', retryAfterSeconds: 1 };
    }
    const scheme = schemeOf(registration);
    if (scheme === null) {
      reject('rejected_scheme', `no verifier for ${registration.scheme ?? registration.providerId}`);
      return { kind: 'unauthorized' };
    }
    let result: WebhookVerification;
    if (scheme === PUBSUB_SCHEME) {
      try {
        result = await verifyPubSubDelivery(this.#pubsubKeys, registration, incoming.rawBody, incoming.headers, now);
      } catch {
        reject('keys_unavailable', 'the Pub/Sub signing keys could not be fetched');
        return { kind: 'unavailable' };
      }
    } else {
      result = verifierFor(scheme)(incoming.rawBody, incoming.headers, activeSecrets(cached.secrets, now), now);
    }
    this.#metrics?.webhookVerification(result.ok ? { provider: registration.providerId, ok: true } : { provider: registration.providerId, ok: false, reason: result.reason });
    if (!result.ok) return this.#rejected(registration, result.reason, reject);
    const { event, deliveryId } = result;
    if (scheme === 'google' && registration.providerWebhookId !== null && (event.payload as { channelId?: string }).channelId !== registration.providerWebhookId) {
      return this.#rejected(registration, 'wrong_channel', reject);
    }
    this.#failures.delete(registration.id);
    if (registration.status === 'failing') this.#setStatus(registration, 'active');
    if (event.verificationToken !== undefined) return this.#notionHandshake(registration, event.verificationToken, claimed);
    const handshake = HANDSHAKES.has(event.type) || (scheme === 'google' && event.type === 'sync');
    const eventId = handshake ? null : newSortableId('evt');
    try {
      const outcome = await this.#batcher.submit({
        auditId: newSortableId('aud'),
        eventId,
        registrationId: registration.id,
        tenantId: registration.tenantId,
        deliveryId,
        eventType: event.type,
        payloadJson: BODY_IS_PAYLOAD.has(scheme) ? incoming.rawBody.toString('utf8') : JSON.stringify(event.payload),
        receivedAt,
        auditExpiresAt: expiresAt,
      });
      if (event.reply !== undefined) return { kind: !outcome.stored ? 'duplicate' : handshake ? 'handshake' : 'accepted', reply: event.reply };
      return !outcome.stored ? DUPLICATE : handshake || eventId === null ? HANDSHAKE : { kind: 'accepted', eventId };
    } catch {
      return { kind: 'unavailable' };
    }
  }

  /** The delivery's timestamps; deliveries in the same millisecond (most, under load) share one formatting. */
  #times(now: number): { receivedAt: string; expiresAt: string } {
    if (this.#lastTimes === null || this.#lastTimes.now !== now) {
      this.#lastTimes = { now, receivedAt: new Date(now).toISOString(), expiresAt: new Date(now + AUDIT_RETENTION_MS).toISOString() };
    }
    return this.#lastTimes;
  }

  async #load(id: string): Promise<CachedRegistration | null> {
    const registration = await this.#store.webhooks.find(id);
    if (registration === null) return null;
    return { registration, secrets: await this.#signing.read(registration.tenantId, registration.webhookSecretRef) };
  }

  #rejected(registration: StoredWebhookRegistration, reason: string, reject: (outcome: string, detail: string) => void): IntakeAnswer {
    const badInput = isBadInputReason(reason);
    reject(badInput ? 'rejected_malformed' : reason.startsWith('stale') ? 'rejected_stale' : 'rejected_signature', reason);
    if (!badInput) {
      const failures = (this.#failures.get(registration.id) ?? 0) + 1;
      this.#failures.set(registration.id, failures);
      if (failures === this.#failingAfter && registration.status === 'active') {
        this.#setStatus(registration, 'failing', failures, { failingSince: this.#clock.now() });
      } else if (registration.status === 'failing' && failures % this.#failingAfter === 0) {
        const since = Number(registration.config['failingSince'] ?? this.#clock.now());
        const disable = this.#clock.now() - since >= this.#disableAfterMs;
        this.#setStatus(registration, disable ? 'disabled' : 'failing', registration.failureCount + this.#failingAfter);
      }
    }
    return { kind: badInput ? 'bad_request' : 'unauthorized' };
  }

  /** Notion's one-time token: kept as the signing secret when the registration has none yet. */
  async #notionHandshake(registration: StoredWebhookRegistration, token: string, claimed: (id: string | null) => { id: string; expiresAt: string; receivedAt: string; registrationId: string; tenantId: string; claimedDeliveryId: string | null }): Promise<IntakeAnswer> {
    try {
      const at = new Date(this.#clock.now()).toISOString();
      if (registration.webhookSecretRef === null) {
        const ref = await this.#signing.create(registration.tenantId, registration.id, token);
        await this.#store.webhooks.update(registration.tenantId, registration.id, { webhookSecretRef: ref, config: { ...registration.config, handshakeAt: at } }, at);
      }
      this.#cache.invalidate(registration.id);
      this.#batcher.audit({ ...claimed(null), deliveryId: null, verified: true, outcome: 'handshake', detail: 'verification_token' });
      return { kind: 'handshake' };
    } catch {
      return { kind: 'unavailable' };
    }
  }

  #setStatus(registration: StoredWebhookRegistration, status: WebhookStatus, failureCount = 0, config?: Record<string, unknown>): void {
    const at = new Date(this.#clock.now()).toISOString();
    const { failingSince: _dropped, ...rest } = registration.config;
    const nextConfig = status === 'active' ? rest : { ...registration.config, ...config };
    void this.#store.webhooks
      .update(registration.tenantId, registration.id, { status, failureCount, config: nextConfig }, at)
      .then((updated) => {
        this.#cache.invalidate(registration.id);
        if (updated && status !== registration.status) this.#onStatusChange?.(updated, status);
      })
      .catch(() => undefined);
  }
}
