/**
 * The connection service (the reference's IntegrationConnectionService): a tenant
 * connects a provider account, Tributary checks who it is (`validate`) and what it holds
 * (`discover`), and later features reach the provider through `providerContext`.
 *
 * Secrets never pass through here except on their way into the credentials feature:
 * connections hold a credential id, and every view carries credential METADATA only.
 * Tenant scoping: every method takes the tenant and treats another tenant's connection
 * as absent (NOT_FOUND), exactly like an id that does not exist.
 */
import type { Connection, ConnectionStatus } from '../domain/connection.ts';
import { TributaryError, isTributaryError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor } from '../domain/tenancy.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Page, PageRequest, Store } from '../ports/store.ts';
import { parseCredentialInput } from '../credentials/index.ts';
import type { CredentialInfo, CredentialInput, CredentialService } from '../credentials/index.ts';
import { providerById } from '../providers/index.ts';
import type { ObjectSchema, Provider, ProviderContext, ProviderId } from '../providers/index.ts';
import { profileOf, toView } from './connection-view.ts';
import type { ConnectionProfile, ConnectionView, CredentialSummary } from './connection-view.ts';
import { assertEgressAllowed } from './egress.ts';
import type { EgressPolicy } from './egress.ts';
import { createProviderHttp } from './provider-http.ts';
import type { CallLimiter } from './provider-http.ts';

/** Who acts, under which request: what the audit log records (the runtime's ActionContext fits). */
export interface ConnectionActionContext {
  readonly actor: Actor;
  readonly requestId: string | null;
}

export interface ConnectInput {
  provider: string;
  name: string;
  /** The credential, by type; OAuth authorization code needs no secret here (the redirect flow gets the tokens). */
  credential: CredentialInput;
  /** The provider API's base URL (Salesforce instance, GitHub Enterprise, the sandbox); checked by the egress policy. */
  baseUrl?: string;
  /** Where the provider's OAuth endpoints live; checked by the egress policy. */
  authBaseUrl?: string;
  settings?: Record<string, unknown>;
  /** OAuth scopes; default: the provider's. */
  scopes?: string[];
  /** OAuth: where the callback sends the browser once connected. */
  returnUrl?: string;
  /** OAuth: extra authorize parameters (`login`, `login_hint`, ...). */
  authorizeParams?: Record<string, string>;
}

export interface ConnectResult {
  readonly connection: ConnectionView;
  /** OAuth: where to send the person who authorises; null for the other credential types. */
  readonly authorizeUrl: string | null;
}

export interface CallbackResult {
  readonly connection: ConnectionView;
  readonly returnUrl: string | null;
}

export interface ConnectionServiceOptions {
  store: Pick<Store, 'connections' | 'audit' | 'transaction'>;
  credentials: CredentialService;
  egress: EgressPolicy;
  clock: Clock;
  /**
   * The OAuth redirect URI registered with the providers: `<public URL>/v1/oauth/callback`.
   * Read at each authorisation: with `--port 0` the port is known only once listening.
   */
  redirectUri: () => string;
  /** The rate limiter for a connection's calls, when there is one. */
  limiterFor?: (connection: Connection) => CallLimiter | undefined;
  logger?: Logger;
  fetch?: typeof fetch;
}

/** Field names as the credentials feature reports them (`credentials.apiKey`) -> as our API's body names them. */
const CREDENTIAL_FIELD = /^credentials?\./;

export class ConnectionService {
  readonly #options: ConnectionServiceOptions;

  constructor(options: ConnectionServiceOptions) {
    this.#options = options;
  }

  /**
   * Creates a connection. Input mistakes (unknown provider, a credential type the
   * provider does not take, a base URL the egress policy refuses, a malformed
   * credential) throw VALIDATION_FAILED naming the body field and store nothing. For
   * OAuth the connection stays `pending` and the answer carries the authorize URL; for
   * the other types the credential is stored, then validated and discovered: the
   * connection is `active`, or `needs_reauth` / `error` with `lastError` saying why.
   */
  async connect(context: ConnectionActionContext, tenantId: string, input: ConnectInput): Promise<ConnectResult> {
    const provider = providerById(input.provider, 'body.provider');
    const type = input.credential.type;
    if (!provider.auth.credentialTypes.includes(type)) {
      throw new TributaryError('VALIDATION_FAILED', `${provider.label} does not take ${type} credentials (expected one of: ${provider.auth.credentialTypes.join(', ')})`, {
        field: 'body.credential.type',
      });
    }
    // The credential's shape first (no secret in the error), before anything is stored.
    try {
      parseCredentialInput(input.credential, provider.id, provider.auth.credentialTypes);
    } catch (error) {
      throw renameCredentialField(error);
    }
    const baseUrl = input.baseUrl === undefined ? null : await this.#checkedUrl(input.baseUrl, 'body.baseUrl');
    const authBaseUrl = input.authBaseUrl === undefined ? null : await this.#checkedUrl(input.authBaseUrl, 'body.authBaseUrl');
    if (input.returnUrl !== undefined) checkReturnUrl(input.returnUrl);

    const now = this.#now();
    const profile: ConnectionProfile = { account: null, settings: input.settings ?? {}, authBaseUrl, objects: null, lastError: null };
    const connection: Connection = {
      id: newId('con'),
      tenantId,
      provider: provider.id,
      name: input.name,
      status: 'pending',
      baseUrl,
      account: profile as Record<string, unknown>,
      credentialId: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#options.store.transaction(async (tx) => {
      await tx.connections.insert(connection);
      await tx.audit.append(this.#audit(context, 'connection.create', connection, { provider: provider.id, credentialType: type, name: input.name }));
    });

    let credential: CredentialInfo | null = null;
    try {
      const oauth = type === 'oauth2_authorization_code';
      const ownClient = input.credential.type === 'oauth2_authorization_code' && input.credential.clientId !== undefined;
      if (!oauth || ownClient) {
        credential = await this.#options.credentials.create({
          tenantId,
          connectionId: connection.id,
          provider: provider.id,
          authBaseUrl: authBaseUrl ?? provider.defaultAuthBaseUrl,
          apiBaseUrl: baseUrl ?? provider.defaultBaseUrl,
          credential: input.credential,
        });
        await this.#update(tenantId, connection.id, { credentialId: credential.id });
      }
      if (oauth) {
        const begun = await this.#options.credentials.beginAuthorization({
          tenantId,
          connectionId: connection.id,
          provider: provider.id,
          authBaseUrl: authBaseUrl ?? provider.defaultAuthBaseUrl,
          redirectUri: this.#options.redirectUri(),
          ...(input.scopes === undefined ? {} : { scopes: input.scopes }),
          ...(input.returnUrl === undefined ? {} : { returnUrl: input.returnUrl }),
          ...(credential === null ? {} : { credentialId: credential.id }),
          ...(input.authorizeParams === undefined ? {} : { extraParams: input.authorizeParams }),
        });
        return { connection: await this.#view(await this.#require(tenantId, connection.id)), authorizeUrl: begun.authorizeUrl };
      }
    } catch (error) {
      // Nothing half-made stays behind when the input was refused.
      await this.#discard(connection, credential);
      throw renameCredentialField(error);
    }
    const active = await this.#activate(await this.#require(tenantId, connection.id));
    return { connection: await this.#view(active), authorizeUrl: null };
  }

  /**
   * The OAuth callback: exchanges the code (the state is single-use and expiring: an
   * unknown, used or expired one is NOT_FOUND), stores the tokens, takes the
   * Salesforce instance URL as the base URL, then validates and discovers.
   */
  async completeAuthorization(input: { state: string; code: string }): Promise<CallbackResult> {
    const completed = await this.#options.credentials.completeAuthorization(input);
    const existing = await this.#require(completed.tenantId, completed.connectionId);
    const instanceUrl = completed.tokenResponse.instanceUrl;
    const baseUrl = instanceUrl === undefined ? existing.baseUrl : await this.#checkedUrl(instanceUrl, 'instance_url');
    const profile: ConnectionProfile = { ...profileOf(existing), grantAccount: completed.tokenResponse.account ?? null };
    const updated = await this.#update(completed.tenantId, completed.connectionId, {
      credentialId: completed.credential.id,
      baseUrl,
      account: profile as Record<string, unknown>,
    });
    const active = await this.#activate(updated);
    return { connection: await this.#view(active), returnUrl: completed.returnUrl };
  }

  async get(tenantId: string, id: string): Promise<ConnectionView> {
    return this.#view(await this.#require(tenantId, id));
  }

  /** The stored connection itself (for the sync engine); NOT_FOUND when absent in this tenant. */
  connection(tenantId: string, id: string): Promise<Connection> {
    return this.#require(tenantId, id);
  }

  async list(tenantId: string, page: PageRequest = {}): Promise<Page<ConnectionView>> {
    const found = await this.#options.store.connections.list(tenantId, page);
    return { items: await Promise.all(found.items.map((connection) => this.#view(connection))), nextCursor: found.nextCursor };
  }

  /** Runs validate and discover again; the connection's status says how it went. */
  async validate(context: ConnectionActionContext, tenantId: string, id: string): Promise<ConnectionView> {
    const connection = await this.#require(tenantId, id);
    if (connection.credentialId === null) {
      throw new TributaryError('CONFLICT', `Connection ${id} has no credential yet: finish the authorisation first`);
    }
    const after = await this.#activate(connection);
    await this.#options.store.audit.append(this.#audit(context, 'connection.validate', after, { status: after.status }));
    return this.#view(after);
  }

  /** The discovered object schemas (discovered now when the connection has none yet). */
  async objects(tenantId: string, id: string): Promise<ObjectSchema[]> {
    const connection = await this.#require(tenantId, id);
    const known = profileOf(connection).objects;
    if (known !== undefined && known !== null) return known;
    if (connection.status !== 'active') {
      throw new TributaryError('CONFLICT', `Connection ${id} is ${connection.status}; its objects are known once it is active`);
    }
    const objects = await providerOf(connection).discover(this.providerContext(connection));
    await this.#update(tenantId, id, { account: { ...profileOf(connection), objects } as Record<string, unknown> });
    return objects;
  }

  /**
   * Revokes the credential at the provider where it allows (best effort), destroys its
   * secrets, then removes the connection (and what hangs off it).
   */
  async delete(context: ConnectionActionContext, tenantId: string, id: string): Promise<void> {
    const connection = await this.#require(tenantId, id);
    if (connection.credentialId !== null) await this.#options.credentials.revokeAndDestroy(tenantId, connection.credentialId);
    await this.#options.store.transaction(async (tx) => {
      await tx.connections.delete(tenantId, id);
      await tx.audit.append(this.#audit(context, 'connection.delete', connection, { provider: connection.provider }));
    });
  }

  /**
   * What a provider call needs for this connection: the provider HTTP client with the
   * connection's credential (refreshed before expiry and once on a 401), the egress
   * policy, the rate limiter when there is one, and the clock.
   */
  providerContext(connection: Connection, options: { signal?: AbortSignal } = {}): ProviderContext {
    const provider = providerOf(connection);
    const info = {
      id: connection.id,
      tenantId: connection.tenantId,
      baseUrl: connection.baseUrl ?? provider.defaultBaseUrl,
      settings: profileOf(connection).settings ?? {},
    };
    const tokens = this.#options.credentials.tokenSource({ tenantId: connection.tenantId, connectionId: connection.id, provider: provider.id });
    const limiter = this.#options.limiterFor?.(connection);
    const http = createProviderHttp({
      provider,
      connection: info,
      tokens,
      egress: this.#options.egress,
      ...(limiter === undefined ? {} : { limiter }),
      ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const clock = this.#options.clock;
    return { http, connection: info, now: () => clock.now(), ...(options.signal === undefined ? {} : { signal: options.signal }) };
  }

  /** validate + discover; records the outcome on the connection. Never throws for a provider failure. */
  async #activate(connection: Connection): Promise<Connection> {
    const provider = providerOf(connection);
    const context = this.providerContext(connection);
    try {
      const account = await provider.validate(context);
      const objects = await provider.discover(context);
      return this.#update(connection.tenantId, connection.id, {
        status: 'active',
        account: { ...profileOf(connection), account, objects, lastError: null } as Record<string, unknown>,
      });
    } catch (error) {
      if (!isTributaryError(error) || error.code === 'INTERNAL' || error.code === 'STORE_UNAVAILABLE') throw error;
      const status: ConnectionStatus = error.category === 'auth' ? 'needs_reauth' : 'error';
      this.#options.logger?.warn({ connectionId: connection.id, provider: provider.id, code: error.code, status }, 'connection validation failed');
      return this.#update(connection.tenantId, connection.id, {
        status,
        account: { ...profileOf(connection), lastError: { code: error.code, message: error.message, at: this.#now() } } as Record<string, unknown>,
      });
    }
  }

  async #discard(connection: Connection, credential: CredentialInfo | null): Promise<void> {
    try {
      if (credential !== null) await this.#options.credentials.revokeAndDestroy(connection.tenantId, credential.id);
      await this.#options.store.connections.delete(connection.tenantId, connection.id);
    } catch (error) {
      this.#options.logger?.error({ err: error, connectionId: connection.id }, 'could not discard a connection whose creation failed');
    }
  }

  async #view(connection: Connection): Promise<ConnectionView> {
    let credential: CredentialSummary | null = null;
    if (connection.credentialId !== null) {
      try {
        credential = summarize(await this.#options.credentials.info(connection.tenantId, connection.credentialId));
      } catch (error) {
        if (!isTributaryError(error) || error.code !== 'NOT_FOUND') throw error;
      }
    }
    return toView(connection, providerOf(connection).defaultBaseUrl, credential);
  }

  async #require(tenantId: string, id: string): Promise<Connection> {
    const connection = await this.#options.store.connections.get(tenantId, id);
    if (connection === null) throw new TributaryError('NOT_FOUND', `Connection ${id} not found`, { field: 'params.id' });
    return connection;
  }

  async #update(tenantId: string, id: string, patch: Parameters<Store['connections']['update']>[2]): Promise<Connection> {
    const updated = await this.#options.store.connections.update(tenantId, id, patch, this.#now());
    if (updated === null) throw new TributaryError('NOT_FOUND', `Connection ${id} not found`, { field: 'params.id' });
    return updated;
  }

  async #checkedUrl(url: string, field: string): Promise<string> {
    const checked = await assertEgressAllowed(url, this.#options.egress, field);
    return checked.toString().replace(/\/+$/, '');
  }

  #audit(context: ConnectionActionContext, action: string, connection: Connection, details: Record<string, unknown>) {
    return {
      id: newId('aud'),
      at: this.#now(),
      actor: context.actor,
      action,
      tenantId: connection.tenantId,
      target: connection.id,
      details,
      requestId: context.requestId,
    };
  }

  #now(): string {
    return new Date(this.#options.clock.now()).toISOString();
  }
}

function providerOf(connection: Connection): Provider {
  return providerById(connection.provider as ProviderId, 'provider');
}

function summarize(info: CredentialInfo): CredentialSummary {
  return {
    id: info.id,
    type: info.type,
    status: info.status,
    expiresAt: info.expiresAt,
    lastRefreshedAt: info.lastRefreshedAt,
    refreshCount: info.refreshCount,
    scopes: info.scopes,
  };
}

function checkReturnUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TributaryError('VALIDATION_FAILED', 'body.returnUrl is not a valid absolute URL', { field: 'body.returnUrl' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TributaryError('VALIDATION_FAILED', 'body.returnUrl must use http or https', { field: 'body.returnUrl' });
  }
}

/** The credentials feature names fields `credentials.<name>`; the API's body calls it `credential`. */
function renameCredentialField(error: unknown): unknown {
  if (!isTributaryError(error) || error.field === undefined || !CREDENTIAL_FIELD.test(error.field)) return error;
  const field = error.field.replace(CREDENTIAL_FIELD, 'body.credential.');
  return new TributaryError(error.code, error.message.replace(error.field, field), { field, cause: error, ...(error.details ? { details: error.details } : {}) });
}
