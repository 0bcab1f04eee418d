import type { Credential } from '../domain/connection.ts';
import { TributaryError, isTributaryError } from '../domain/errors.ts';
import type { ProviderId } from '../providers/provider.ts';
import { assertConnection, isRefreshable, iso, loadRow, newCredentialId, providerOf, readSecret, resolveOptions, toInfo, type ResolvedOptions, type StoredSecretValue, type StoredTokens } from './context.ts';
import { providerFor } from './endpoints.ts';
import { beginAuthorization, completeAuthorization } from './oauth-flow.ts';
import { Refresher, reauthNeeded } from './refresher.ts';
import type { CreateCredentialRequest, CredentialInfo, CredentialService, CredentialServiceOptions, CredentialTokenSource, RefreshOutcome } from './service.ts';
import { machineToken, revokeToken } from './token-client.ts';
import { parseCredentialInput, type CredentialMaterial } from './validation.ts';

/** How far ahead the token-refresher role looks (the reference's TokenRefresher: 60 minutes). */
export const SCHEDULED_REFRESH_WINDOW_MS = 60 * 60 * 1000;
const EXPIRING_BATCH = 500;

/**
 * Builds the CredentialService (see service.ts for the contract). One per process: its
 * single-flight map is what makes concurrent tasks of this process share a refresh.
 */
export function createCredentialService(options: CredentialServiceOptions): CredentialService {
  const ctx = resolveOptions(options);
  const refresher = new Refresher(ctx);

  return {
    create: (input) => create(ctx, input),
    beginAuthorization: (input) => beginAuthorization(ctx, input),
    completeAuthorization: (input) => completeAuthorization(ctx, input),
    tokenSource: (connection) => tokenSource(ctx, refresher, connection),

    refresh(tenantId, credentialId, reason): Promise<RefreshOutcome> {
      const staleness =
        reason === 'unauthorized'
          ? ({ kind: 'force' } as const)
          : ({ kind: 'within', ms: reason === 'expiring' ? ctx.refreshMarginMs : SCHEDULED_REFRESH_WINDOW_MS } as const);
      return refresher.outcome(tenantId, credentialId, staleness);
    },

    async refreshExpiring(withinMs) {
      const counts = { refreshed: 0, failed: 0, skipped: 0 };
      const due = await ctx.store.credentials.listExpiring(iso(ctx.clock.now() + withinMs), EXPIRING_BATCH);
      for (const row of due) {
        if (!isRefreshable(row.type, { accessToken: '', refreshToken: row.refreshTokenRef, expiresAt: null, issuedAt: 0 })) {
          counts.skipped++;
          continue;
        }
        const outcome = await refresher.outcome(row.tenantId, row.id, { kind: 'within', ms: withinMs }).catch(() => null);
        if (outcome === null) counts.skipped++; // deleted meanwhile
        else if (outcome.outcome === 'success') counts.refreshed++;
        else if (outcome.outcome === 'failed') counts.failed++;
        else counts.skipped++;
      }
      return counts;
    },

    async info(tenantId, credentialId) {
      return toInfo(await loadRow(ctx, tenantId, credentialId));
    },

    async material(tenantId, credentialId) {
      const row = await loadRow(ctx, tenantId, credentialId);
      return (await readSecret(ctx, row, 'material')).material;
    },

    async revokeAndDestroy(tenantId, credentialId) {
      const row = await loadRow(ctx, tenantId, credentialId);
      const provider = providerOf(row);
      if (row.secretRef) {
        const secret = await readSecret(ctx, row, 'revoke').catch(() => null);
        const token = secret?.tokens?.refreshToken ?? secret?.tokens?.accessToken;
        if (token && row.type === 'oauth2_authorization_code') {
          const authBaseUrl = String(row.metadata.authBaseUrl ?? providerFor(provider).defaultAuthBaseUrl);
          // GitHub revokes by access token with the app's client credentials; the others take either token.
          const material = secret?.material;
          const ownClient = material?.type === 'oauth2_authorization_code' && material.clientId && material.clientSecret ? { clientId: material.clientId, clientSecret: material.clientSecret } : null;
          const client = ownClient ?? ctx.oauthClients(provider) ?? undefined;
          const accessToken = secret?.tokens?.accessToken;
          const apiBaseUrl = typeof row.metadata.apiBaseUrl === 'string' ? row.metadata.apiBaseUrl : undefined;
          const revoked = await revokeToken(ctx.tokenDeps, {
            provider,
            authBaseUrl,
            token,
            ...(accessToken ? { accessToken } : {}),
            ...(client ? { client } : {}),
            ...(apiBaseUrl ? { apiBaseUrl } : {}),
          });
          ctx.logger?.info({ credentialId, provider, revoked }, 'credential revoked at the provider');
        }
        await ctx.secrets.delete(tenantId, row.secretRef);
      }
      await ctx.store.credentials.delete(tenantId, credentialId);
      const connection = await ctx.store.connections.get(tenantId, row.connectionId);
      if (connection?.credentialId === credentialId) {
        await ctx.store.connections.update(tenantId, row.connectionId, { credentialId: null }, iso(ctx.clock.now()));
      }
    },

    async rewrapAll() {
      return ctx.secrets.rotateMasterKey();
    },
  };
}

async function create(ctx: ResolvedOptions, input: CreateCredentialRequest): Promise<CredentialInfo> {
  const provider = providerFor(input.provider);
  // A webhook signing secret belongs to any connection that receives webhooks.
  const allowed = [...provider.auth.credentialTypes, 'webhook_signing_secret' as const];
  const material = parseCredentialInput(input.credential, input.provider, allowed);
  await assertConnection(ctx, input.tenantId, input.connectionId, input.provider);
  await ctx.tokenDeps.egress(input.authBaseUrl, 'connection.authBaseUrl');
  if (input.apiBaseUrl) await ctx.tokenDeps.egress(input.apiBaseUrl, 'connection.baseUrl');

  // Machine credentials get their first token now: a wrong key fails here, not at first use.
  let tokens: StoredTokens | null = null;
  let first: Awaited<ReturnType<typeof machineToken>> | null = null;
  if (material.type === 'oauth2_client_credentials' || material.type === 'jwt_bearer' || material.type === 'github_app_installation') {
    first = await machineToken(ctx.tokenDeps, { provider: input.provider, authBaseUrl: input.authBaseUrl, apiBaseUrl: input.apiBaseUrl ?? provider.defaultBaseUrl, material });
    const now = ctx.clock.now();
    tokens = { accessToken: first.accessToken, refreshToken: null, expiresAt: first.expiresIn === undefined ? null : now + first.expiresIn * 1000, issuedAt: now };
  } else if (material.type === 'api_key' || material.type === 'bearer_token') {
    tokens = { accessToken: material.type === 'api_key' ? material.apiKey : material.token, refreshToken: null, expiresAt: null, issuedAt: ctx.clock.now() };
  }

  const id = newCredentialId();
  const stamp = iso(ctx.clock.now());
  const value: StoredSecretValue = { v: 1, material, tokens };
  const secret = await ctx.secrets.put(input.tenantId, `credential:${id}`, JSON.stringify(value));
  const row: Credential = {
    id,
    tenantId: input.tenantId,
    connectionId: input.connectionId,
    integrationId: null,
    type: material.type,
    accessTokenRef: tokens ? secret.ref : null,
    refreshTokenRef: null,
    secretRef: secret.ref,
    expiryTime: tokens?.expiresAt == null ? null : iso(tokens.expiresAt),
    enabled: true,
    lastRefreshedAt: first ? stamp : null,
    refreshCount: 0,
    status: material.type === 'oauth2_authorization_code' ? 'pending' : 'valid',
    metadata: publicMetadata(input, material, first),
    createdAt: stamp,
    updatedAt: stamp,
  };
  try {
    await ctx.store.credentials.insert(row);
  } catch (error) {
    await ctx.secrets.delete(input.tenantId, secret.ref).catch(() => undefined);
    throw error;
  }
  // The connection's current credential, unless this is only its webhook secret.
  if (material.type !== 'webhook_signing_secret') {
    await ctx.store.connections.update(input.tenantId, input.connectionId, { credentialId: id }, stamp);
  }
  return toInfo(row, tokens);
}

/** What may be shown about a credential: ids, never a value. */
function publicMetadata(input: CreateCredentialRequest, material: CredentialMaterial, first: { scopes?: string[]; tokenType?: string; account?: Record<string, unknown> } | null): Record<string, unknown> {
  const metadata: Record<string, unknown> = { provider: input.provider, authBaseUrl: input.authBaseUrl, apiBaseUrl: input.apiBaseUrl ?? null };
  switch (material.type) {
    case 'oauth2_authorization_code':
      if (material.clientId) metadata.clientId = material.clientId;
      metadata.scopes = material.scopes ?? [];
      break;
    case 'oauth2_client_credentials':
      metadata.clientId = material.clientId;
      metadata.scopes = first?.scopes ?? material.scopes ?? [];
      break;
    case 'jwt_bearer':
      metadata.issuer = material.issuer;
      if (material.subject) metadata.subject = material.subject;
      if (material.keyId) metadata.keyId = material.keyId;
      metadata.scopes = material.scopes ?? [];
      break;
    case 'github_app_installation':
      metadata.appId = material.appId;
      metadata.installationId = material.installationId;
      break;
    case 'basic':
      metadata.username = material.username;
      break;
    default:
      break;
  }
  if (first?.tokenType) metadata.tokenType = first.tokenType;
  if (first?.account) metadata.account = first.account;
  metadata.refreshable = isRefreshable(material.type, null);
  return metadata;
}

/** The current credential of a connection. */
async function currentCredential(ctx: ResolvedOptions, tenantId: string, connectionId: string): Promise<Credential> {
  const connection = await ctx.store.connections.get(tenantId, connectionId);
  if (!connection) throw new TributaryError('NOT_FOUND', `Connection ${connectionId} not found`, { details: { connectionId } });
  if (!connection.credentialId) throw new TributaryError('PROVIDER_AUTH_FAILED', `Connection ${connectionId} has no credential yet; authorise it first`, { details: { connectionId } });
  return loadRow(ctx, tenantId, connection.credentialId);
}

function tokenSource(ctx: ResolvedOptions, refresher: Refresher, connection: { tenantId: string; connectionId: string; provider: ProviderId }): CredentialTokenSource {
  const { tenantId, connectionId } = connection;
  return {
    async accessToken() {
      const row = await currentCredential(ctx, tenantId, connectionId);
      if (row.status === 'refresh_failed' || row.status === 'revoked') throw reauthNeeded(row);
      if (row.status === 'pending') throw new TributaryError('PROVIDER_AUTH_FAILED', `Connection ${connectionId} is not authorised yet`, { details: { connectionId } });
      const { tokens } = await readSecret(ctx, row, 'provider_call');
      if (!tokens) throw new TributaryError('VALIDATION_FAILED', `A ${row.type} credential carries no access token`, { field: 'credentials.type' });
      const now = ctx.clock.now();
      if (tokens.expiresAt === null || tokens.expiresAt - now > ctx.refreshMarginMs || !isRefreshable(row.type, tokens)) return tokens.accessToken;
      try {
        return (await refresher.refresh(tenantId, row.id, { kind: 'within', ms: ctx.refreshMarginMs })).tokens.accessToken;
      } catch (error) {
        // A passing failure while the current token still works: use it, refresh next time.
        if (isTributaryError(error) && error.retryable && tokens.expiresAt > ctx.clock.now()) return tokens.accessToken;
        throw error;
      }
    },

    async refreshAfterUnauthorized(rejected) {
      const row = await currentCredential(ctx, tenantId, connectionId);
      if (row.status !== 'valid') return null;
      const { tokens } = await readSecret(ctx, row, 'unauthorized_retry');
      if (!tokens) return null;
      // Another task already replaced the refused token: use the stored one.
      if (tokens.accessToken !== rejected) return tokens.accessToken;
      if (!isRefreshable(row.type, tokens)) return null;
      try {
        return (await refresher.refresh(tenantId, row.id, { kind: 'rejected', token: rejected })).tokens.accessToken;
      } catch (error) {
        if (isTributaryError(error) && error.category === 'auth') return null;
        throw error;
      }
    },
  };
}
