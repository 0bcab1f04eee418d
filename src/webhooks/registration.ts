/**
 * Webhook registration (the reference's WebhookManagementService): creates the
 * subscription at the provider where it has an API for it, or describes the manual step
 * where the provider only configures webhooks in its own settings, and keeps the
 * registration row and its signing secret (SecretStore) in step.
 *
 * - GitHub: a repository (`config.repo`, `owner/name`) or organisation (`config.org`) hook
 *   with a generated secret. The row exists before the hook is created, so GitHub's
 *   immediate `ping` already verifies.
 * - Google: a Calendar (`config.calendarId`, default `primary`) or Drive (`config.kind:
 *   'drive'`) watch channel with a random token; renewed before it expires
 *   (`renewExpiring`), stopped on unregister.
 * - Slack: manual (Event Subscriptions request URL); `config.signingSecret` is the app's
 *   signing secret. Notion: manual (subscription in the integration's settings); the
 *   verification_token it POSTs becomes the secret. Salesforce: manual (an Outbound
 *   Message to the URL); the connection's org id (`config.organizationId` or the
 *   account's) is what deliveries are checked against. Standard Webhooks senders:
 *   `scheme: 'standard'`, `config.signingSecret` the sender's `whsec_` secret.
 * - Google Cloud Pub/Sub push: `scheme: 'pubsub'` on a Google connection, manual (a push
 *   subscription to the URL with authentication on); `config.serviceAccountEmail` the
 *   push service account, `config.audience` (default: the URL), `config.object` (only
 *   that object's integrations are synced). No secret: Google's OIDC token is checked.
 *
 * No secret ever leaves this module except into the SecretStore and the provider call.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from '../domain/connection.ts';
import { TributaryError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { WebhookDelivery } from '../domain/webhook.ts';
import type { Clock } from '../ports/clock.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Page, PageRequest, Store, StoredWebhookRegistration } from '../ports/store.ts';
import type { ProviderContext } from '../providers/provider.ts';
import { PUBSUB_SCHEME, pubsubExpectation } from './pubsub.ts';
import { generateSigningSecret, SigningSecrets } from './signing-secrets.ts';

export interface RegisterWebhookInput {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly integrationId?: string | null;
  /** Provider event names (GitHub `issues`, ...); defaults per provider. */
  readonly events?: string[];
  /** `standard` for a Standard Webhooks sender, `pubsub` for Pub/Sub push on a Google connection; absent: the provider's own scheme. */
  readonly scheme?: 'standard' | 'pubsub' | null;
  readonly config?: Record<string, unknown>;
}

/** The API's view of a registration: no secret, the URL to give the provider, recent deliveries. */
export interface WebhookRegistrationView {
  readonly id: string;
  readonly connectionId: string;
  readonly integrationId: string | null;
  readonly provider: string;
  readonly scheme: string;
  readonly url: string;
  readonly path: string;
  readonly events: string[];
  readonly status: StoredWebhookRegistration['status'];
  readonly failureCount: number;
  readonly providerWebhookId: string | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** For providers configured by hand: what the user must do at the provider. */
  readonly manualSteps: string[];
  /** Notion only: `awaiting` (no token from Notion yet), `available` (reveal it once), `revealed`; null otherwise. Never the token. */
  readonly verificationToken: 'awaiting' | 'available' | 'revealed' | null;
  readonly recentDeliveries?: (WebhookDelivery & { claimedDeliveryId: string | null })[];
}

export interface WebhookRegistrationsDeps {
  readonly store: Store;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  /**
   * Public origin the providers reach us at, e.g. `https://tributary.example.com`; a
   * function when it is known only once the server listens (`--port 0`).
   */
  readonly publicBaseUrl: string | (() => string);
  /** The connections feature's provider context for a connection. */
  readonly contextFor: (connection: Connection, signal: AbortSignal) => ProviderContext;
  /** Called after a registration changed (the intake drops its cached copy). */
  readonly onChange?: (registrationId: string) => void;
  /** Told when a channel could not be renewed (then the next one is tried); without it the failure is thrown. */
  readonly onRenewalFailed?: (registration: StoredWebhookRegistration, error: unknown) => void;
  /** Google channel lifetime asked for. Default 7 days. */
  readonly channelTtlMs?: number;
}

const DEFAULT_EVENTS: Readonly<Record<string, string[]>> = {
  github: ['issues', 'issue_comment', 'repository'],
  slack: ['message', 'channel_created', 'channel_rename', 'channel_archive', 'user_change', 'team_join'],
  notion: ['page.created', 'page.properties_updated', 'page.content_updated', 'page.deleted'],
  google: ['exists', 'not_exists'],
  salesforce: ['outbound_message'],
};

export function webhookPath(registrationId: string): string {
  return `/webhooks/${registrationId}/events`;
}

export class WebhookRegistrations {
  readonly #deps: WebhookRegistrationsDeps;
  readonly #signing: SigningSecrets;

  constructor(deps: WebhookRegistrationsDeps) {
    this.#deps = deps;
    this.#signing = new SigningSecrets(deps.secrets);
  }

  async register(input: RegisterWebhookInput): Promise<WebhookRegistrationView> {
    const { store, clock } = this.#deps;
    const connection = await store.connections.get(input.tenantId, input.connectionId);
    if (connection === null) throw new TributaryError('NOT_FOUND', 'No such connection', { field: 'connectionId' });
    const config = { ...(input.config ?? {}) };
    const signingSecret = typeof config['signingSecret'] === 'string' ? (config['signingSecret'] as string) : null;
    delete config['signingSecret'];
    const id = newId('whk');
    const now = new Date(clock.now()).toISOString();
    const provider = connection.provider;
    const scheme = input.scheme ?? null;
    let secret: string | null;
    if (scheme === PUBSUB_SCHEME) {
      checkPubSubConfig(provider, config);
      secret = null; // the OIDC token is the credential: nothing to keep
    } else if (scheme === 'standard' || provider === 'slack') {
      if (signingSecret === null || signingSecret === '') throw new TributaryError('VALIDATION_FAILED', 'The sender\'s signing secret is required', { field: 'config.signingSecret' });
      secret = signingSecret;
    } else if (provider === 'salesforce') {
      const org = (config['organizationId'] as string | undefined) ?? (connection.account['organizationId'] as string | undefined) ?? (connection.account['orgId'] as string | undefined);
      if (typeof org !== 'string' || !/^[a-zA-Z0-9]{15,18}$/.test(org)) throw new TributaryError('VALIDATION_FAILED', 'The Salesforce organisation id is required', { field: 'config.organizationId' });
      secret = org;
    } else if (provider === 'notion') secret = null;
    else secret = generateSigningSecret();
    if (provider === 'github' && scheme === null && typeof config['repo'] !== 'string' && typeof config['org'] !== 'string') {
      throw new TributaryError('VALIDATION_FAILED', 'A GitHub webhook needs config.repo (owner/name) or config.org', { field: 'config.repo' });
    }
    const ref = secret === null ? null : await this.#signing.create(input.tenantId, id, secret);
    const registration: StoredWebhookRegistration = {
      id, tenantId: input.tenantId, integrationId: input.integrationId ?? null, connectionId: connection.id, providerId: provider,
      webhookUrl: `${this.#publicBaseUrl().replace(/\/$/, '')}${webhookPath(id)}`, webhookSecretRef: ref, providerWebhookId: null,
      events: input.events ?? DEFAULT_EVENTS[provider] ?? [], status: 'active', failureCount: 0, createdAt: now, updatedAt: now,
      expiresAt: null, scheme, config,
    };
    try {
      await store.webhooks.insert(registration);
    } catch (error) {
      if (ref !== null) await this.#signing.delete(input.tenantId, ref).catch(() => undefined);
      throw error;
    }
    if (scheme !== null || (provider !== 'github' && provider !== 'google')) return this.#view(registration);
    try {
      const ctx = this.#deps.contextFor(connection, AbortSignal.timeout(30_000));
      const created = provider === 'github' ? await this.#createGithubHook(ctx, registration, secret ?? '') : await this.#openGoogleChannel(ctx, registration, secret ?? '');
      const updated = await store.webhooks.update(input.tenantId, id, created, new Date(clock.now()).toISOString());
      return this.#view(updated ?? registration);
    } catch (error) {
      await store.webhooks.delete(input.tenantId, id).catch(() => undefined);
      if (ref !== null) await this.#signing.delete(input.tenantId, ref).catch(() => undefined);
      throw error;
    }
  }

  async get(tenantId: string, id: string, deliveries = 20): Promise<WebhookRegistrationView> {
    const registration = await this.#deps.store.webhooks.get(tenantId, id);
    if (registration === null) throw new TributaryError('NOT_FOUND', 'No such webhook registration');
    const recent = await this.#deps.store.webhooks.recentDeliveries(tenantId, id, deliveries);
    return { ...this.#view(registration), recentDeliveries: recent };
  }

  async list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<WebhookRegistrationView>> {
    const found = await this.#deps.store.webhooks.list(tenantId, page);
    return { items: found.items.map((r) => this.#view(r)), nextCursor: found.nextCursor };
  }

  /** Removes the subscription at the provider (best effort when it is already gone), then the row and the secret. */
  async unregister(tenantId: string, id: string): Promise<void> {
    const registration = await this.#deps.store.webhooks.get(tenantId, id);
    if (registration === null) throw new TributaryError('NOT_FOUND', 'No such webhook registration');
    if (registration.providerWebhookId !== null && registration.scheme === null) {
      const connection = await this.#deps.store.connections.get(tenantId, registration.connectionId);
      if (connection !== null) await this.#removeAtProvider(this.#deps.contextFor(connection, AbortSignal.timeout(30_000)), registration);
    }
    await this.#deps.store.webhooks.delete(tenantId, id);
    if (registration.webhookSecretRef !== null) await this.#signing.delete(tenantId, registration.webhookSecretRef);
    this.#deps.onChange?.(id);
  }

  /**
   * Makes `secret` (or a generated one) current; the old one keeps verifying for
   * `overlapMs`. For GitHub hooks the new secret is also set at GitHub.
   */
  async rotateSecret(tenantId: string, id: string, options: { secret?: string; overlapMs?: number } = {}): Promise<WebhookRegistrationView> {
    const registration = await this.#deps.store.webhooks.get(tenantId, id);
    if (registration === null) throw new TributaryError('NOT_FOUND', 'No such webhook registration');
    if (registration.webhookSecretRef === null) throw new TributaryError('CONFLICT', 'This registration has no signing secret yet');
    const next = options.secret ?? generateSigningSecret();
    await this.#signing.rotate(tenantId, registration.webhookSecretRef, next, this.#deps.clock.now(), options.overlapMs ?? 24 * 3600_000);
    this.#deps.onChange?.(id);
    if (registration.providerId === 'github' && registration.scheme === null && registration.providerWebhookId !== null) {
      const connection = await this.#deps.store.connections.get(tenantId, registration.connectionId);
      if (connection !== null) {
        const ctx = this.#deps.contextFor(connection, AbortSignal.timeout(30_000));
        await ctx.http.request({ method: 'PATCH', path: `${githubHooksPath(registration)}/${registration.providerWebhookId}`, body: { config: { url: registration.webhookUrl, content_type: 'json', secret: next, insecure_ssl: '0' } }, operation: 'write', bucket: 'core' });
      }
    }
    return this.#view(registration);
  }

  /**
   * Notion's verification_token, shown exactly once: the user pastes it into Notion to
   * activate the subscription. It stays in the vault as the signing secret; the claim
   * (`config.once.verificationTokenRevealedAt`) is one atomic statement, so of concurrent
   * callers only one gets it. Then ALREADY_REVEALED (410). CONFLICT (409) when the
   * registration is not Notion's or Notion has not sent its token yet.
   */
  async revealVerificationToken(tenantId: string, id: string): Promise<{ verificationToken: string }> {
    const registration = await this.#deps.store.webhooks.get(tenantId, id);
    if (registration === null) throw new TributaryError('NOT_FOUND', 'No such webhook registration');
    const state = verificationTokenState(registration);
    if (state === null) throw new TributaryError('CONFLICT', 'Only Notion registrations receive a verification token');
    if (state === 'revealed') throw new TributaryError('ALREADY_REVEALED', 'The verification token was already shown');
    if (state === 'awaiting' || registration.webhookSecretRef === null) {
      throw new TributaryError('CONFLICT', 'Notion has not sent the verification token yet: create the subscription at Notion first');
    }
    // Read before claiming: a vault failure must not use up the one reveal.
    const bundle = await this.#signing.read(tenantId, registration.webhookSecretRef);
    const at = new Date(this.#deps.clock.now()).toISOString();
    if (bundle === null || !(await this.#deps.store.webhooks.claimConfigFlag(tenantId, id, REVEALED_FLAG, at))) {
      throw new TributaryError('ALREADY_REVEALED', 'The verification token was already shown');
    }
    this.#deps.onChange?.(id);
    return { verificationToken: bundle.current };
  }

  /**
   * Checks a registration end to end: it still exists at the provider with our URL and
   * events (GitHub: the hook; Google: the channel has not expired), and, for GitHub, asks
   * for a `ping` and waits until its verified delivery is in the audit.
   */
  async verify(tenantId: string, id: string, options: { waitMs?: number } = {}): Promise<{ ok: boolean; checks: { name: string; ok: boolean; detail?: string }[] }> {
    const registration = await this.#deps.store.webhooks.get(tenantId, id);
    if (registration === null) throw new TributaryError('NOT_FOUND', 'No such webhook registration');
    const checks: { name: string; ok: boolean; detail?: string }[] = [];
    checks.push({ name: 'status', ok: registration.status !== 'disabled', detail: registration.status });
    if (registration.providerId === 'github' && registration.scheme === null && registration.providerWebhookId !== null) {
      const connection = await this.#deps.store.connections.get(tenantId, registration.connectionId);
      if (connection === null) throw new TributaryError('NOT_FOUND', "The registration's connection no longer exists");
      const ctx = this.#deps.contextFor(connection, AbortSignal.timeout(30_000));
      const path = `${githubHooksPath(registration)}/${registration.providerWebhookId}`;
      const hook = await ctx.http.request({ method: 'GET', path, operation: 'read', bucket: 'core' }).catch((error: unknown) => error);
      const body = hook instanceof Error ? null : ((hook as { body: unknown }).body as { active?: boolean; events?: string[]; config?: { url?: string } } | null);
      checks.push({ name: 'exists_at_provider', ok: body !== null, ...(body === null ? { detail: 'the hook is gone' } : {}) });
      if (body !== null) {
        checks.push({ name: 'url', ok: body.config?.url === registration.webhookUrl });
        checks.push({ name: 'events', ok: registration.events.every((e) => (body.events ?? []).includes(e) || (body.events ?? []).includes('*')) });
        checks.push({ name: 'active', ok: body.active !== false });
        const since = new Date(this.#deps.clock.now()).toISOString();
        await ctx.http.request({ method: 'POST', path: `${path}/pings`, operation: 'write', bucket: 'core' });
        checks.push({ name: 'test_delivery', ok: await this.#waitForVerified(tenantId, id, since, options.waitMs ?? 10_000) });
      }
    } else if (registration.providerId === 'google' && registration.scheme === null) {
      const live = registration.expiresAt !== null && Date.parse(registration.expiresAt) > this.#deps.clock.now();
      checks.push({ name: 'channel_live', ok: live, detail: registration.expiresAt ?? 'no channel' });
    } else {
      const recent = await this.#deps.store.webhooks.recentDeliveries(tenantId, id, 50);
      const verified = recent.find((d) => d.verified);
      checks.push({ name: 'verified_delivery_seen', ok: verified !== undefined, detail: verified ? `last at ${verified.receivedAt}` : 'no verified delivery yet: complete the manual step' });
    }
    return { ok: checks.every((c) => c.ok), checks };
  }

  /** Renews Google channels expiring within `withinMs`: opens a new channel, then stops the old one. Returns how many. */
  async renewExpiring(withinMs = 24 * 3600_000): Promise<number> {
    const due = await this.#deps.store.webhooks.listExpiring(new Date(this.#deps.clock.now() + withinMs).toISOString(), 100);
    let renewed = 0;
    for (const registration of due) {
      if (registration.providerId !== 'google' || registration.webhookSecretRef === null) continue;
      const connection = await this.#deps.store.connections.get(registration.tenantId, registration.connectionId);
      if (connection === null) continue;
      try {
        const ctx = this.#deps.contextFor(connection, AbortSignal.timeout(30_000));
        const bundle = await this.#signing.read(registration.tenantId, registration.webhookSecretRef);
        const opened = await this.#openGoogleChannel(ctx, registration, bundle?.current ?? '');
        await this.#removeAtProvider(ctx, registration).catch(() => undefined);
        await this.#deps.store.webhooks.update(registration.tenantId, registration.id, opened, new Date(this.#deps.clock.now()).toISOString());
      } catch (error) {
        if (this.#deps.onRenewalFailed === undefined) throw error;
        this.#deps.onRenewalFailed(registration, error);
        continue;
      }
      this.#deps.onChange?.(registration.id);
      renewed += 1;
    }
    return renewed;
  }

  async #waitForVerified(tenantId: string, id: string, since: string, waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const recent = await this.#deps.store.webhooks.recentDeliveries(tenantId, id, 20);
      if (recent.some((d) => d.verified && d.receivedAt >= since)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async #createGithubHook(ctx: ProviderContext, registration: StoredWebhookRegistration, secret: string) {
    const response = await ctx.http.request({
      method: 'POST', path: githubHooksPath(registration), operation: 'write', bucket: 'core',
      body: { name: 'web', active: true, events: registration.events, config: { url: registration.webhookUrl, content_type: 'json', secret, insecure_ssl: '0' } },
    });
    const hookId = (response.body as { id?: unknown }).id;
    if (typeof hookId !== 'number' && typeof hookId !== 'string') throw new TributaryError('PROVIDER_REJECTED', 'GitHub did not return a hook id');
    return { providerWebhookId: String(hookId) };
  }

  async #openGoogleChannel(ctx: ProviderContext, registration: StoredWebhookRegistration, token: string) {
    const channelId = randomUUID();
    const expiration = this.#deps.clock.now() + (this.#deps.channelTtlMs ?? 7 * 86_400_000);
    const response = await ctx.http.request({
      method: 'POST', path: googleWatchPath(registration), operation: 'write',
      body: { id: channelId, type: 'web_hook', address: registration.webhookUrl, token, expiration },
    });
    const body = response.body as { resourceId?: unknown; expiration?: unknown };
    const expiresAt = Number(body.expiration ?? expiration);
    return {
      providerWebhookId: channelId,
      expiresAt: new Date(Number.isFinite(expiresAt) ? expiresAt : expiration).toISOString(),
      config: { ...registration.config, resourceId: typeof body.resourceId === 'string' ? body.resourceId : null },
    };
  }

  async #removeAtProvider(ctx: ProviderContext, registration: StoredWebhookRegistration): Promise<void> {
    try {
      if (registration.providerId === 'github') {
        await ctx.http.request({ method: 'DELETE', path: `${githubHooksPath(registration)}/${registration.providerWebhookId}`, operation: 'write', bucket: 'core' });
      } else if (registration.providerId === 'google') {
        const path = registration.config['kind'] === 'drive' ? 'drive/v3/channels/stop' : 'calendar/v3/channels/stop';
        await ctx.http.request({ method: 'POST', path, operation: 'write', body: { id: registration.providerWebhookId, resourceId: registration.config['resourceId'] } });
      }
    } catch (error) {
      // Already gone at the provider is what unregistering wants.
      if (error instanceof TributaryError && (error.code === 'PROVIDER_REJECTED' || error.code === 'NOT_FOUND')) return;
      throw error;
    }
  }

  #publicBaseUrl(): string {
    const base = this.#deps.publicBaseUrl;
    return typeof base === 'string' ? base : base();
  }

  #view(r: StoredWebhookRegistration): WebhookRegistrationView {
    return {
      id: r.id, connectionId: r.connectionId, integrationId: r.integrationId, provider: r.providerId, scheme: r.scheme ?? r.providerId,
      url: r.webhookUrl, path: webhookPath(r.id), events: r.events, status: r.status, failureCount: r.failureCount,
      providerWebhookId: r.providerWebhookId, expiresAt: r.expiresAt, createdAt: r.createdAt, updatedAt: r.updatedAt,
      manualSteps: manualSteps(r), verificationToken: verificationTokenState(r),
    };
  }
}

/** Paths are relative to the connection's base URL (no leading slash: see ProviderHttp). */
function githubHooksPath(r: StoredWebhookRegistration): string {
  return typeof r.config['org'] === 'string' ? `orgs/${encodeURIComponent(r.config['org'])}/hooks` : `repos/${String(r.config['repo'])}/hooks`;
}

function googleWatchPath(r: StoredWebhookRegistration): string {
  if (r.config['kind'] === 'drive') return `drive/v3/changes/watch?pageToken=${encodeURIComponent(String(r.config['pageToken'] ?? '1'))}`;
  return `calendar/v3/calendars/${encodeURIComponent(String(r.config['calendarId'] ?? 'primary'))}/events/watch`;
}

const REVEALED_FLAG = 'verificationTokenRevealedAt';

function verificationTokenState(r: StoredWebhookRegistration): WebhookRegistrationView['verificationToken'] {
  if (r.providerId !== 'notion' || r.scheme !== null) return null;
  const once = r.config['once'];
  if (typeof once === 'object' && once !== null && typeof (once as Record<string, unknown>)[REVEALED_FLAG] === 'string') return 'revealed';
  return r.webhookSecretRef === null ? 'awaiting' : 'available';
}

/** A Pub/Sub push registration: on a Google connection, with the push service account; audience and object optional. */
function checkPubSubConfig(provider: string, config: Record<string, unknown>): void {
  if (provider !== 'google') throw new TributaryError('VALIDATION_FAILED', 'Pub/Sub push registrations are for Google connections', { field: 'scheme' });
  const email = config['serviceAccountEmail'];
  if (typeof email !== 'string' || !/^[^@\s]{1,200}@[^@\s]{1,200}$/.test(email)) {
    throw new TributaryError('VALIDATION_FAILED', "The push subscription's service account email is required", { field: 'config.serviceAccountEmail' });
  }
  for (const key of ['audience', 'object'] as const) {
    const value = config[key];
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > 2048)) {
      throw new TributaryError('VALIDATION_FAILED', `config.${key} must be a non-empty string`, { field: `config.${key}` });
    }
  }
}

function manualSteps(r: StoredWebhookRegistration): string[] {
  if (r.scheme === 'standard') return [`Configure the sender to POST to ${r.webhookUrl}, signing with the secret you registered.`];
  if (r.scheme === PUBSUB_SCHEME) {
    const expected = pubsubExpectation(r);
    return [
      `In Google Cloud Pub/Sub, create a push subscription with endpoint URL ${r.webhookUrl}.`,
      `Enable authentication with the service account ${expected?.serviceAccountEmail ?? '(config.serviceAccountEmail)'} and audience ${expected?.audience ?? r.webhookUrl}.`,
    ];
  }
  switch (r.providerId) {
    case 'slack':
      return [`In your Slack app's Event Subscriptions, set the Request URL to ${r.webhookUrl}; Slack's url_verification is answered automatically.`, `Subscribe to: ${r.events.join(', ')}.`];
    case 'notion':
      return [
        `In the Notion integration's Webhooks tab, create a subscription to ${r.webhookUrl} for: ${r.events.join(', ')}.`,
        `Notion sends a verification_token, which Tributary keeps as the signing secret. Reveal it once with POST /v1/webhooks/${r.id}/verification-token/reveal and paste it in Notion to activate the subscription.`,
      ];
    case 'salesforce':
      return [`In Salesforce Setup, create an Outbound Message (in a flow or workflow rule) with Endpoint URL ${r.webhookUrl} for each object to sync.`, 'Deliveries are checked against the connection\'s organisation id and acknowledged with <Ack>true</Ack>.'];
    default:
      return [];
  }
}
