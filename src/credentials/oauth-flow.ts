import { createHash, randomBytes } from 'node:crypto';
import type { Credential } from '../domain/connection.ts';
import { TributaryError } from '../domain/errors.ts';
import type { ProviderId } from '../providers/provider.ts';
import { assertConnection, isRefreshable, iso, newCredentialId, readSecret, toInfo, type ResolvedOptions, type StoredSecretValue, type StoredTokens } from './context.ts';
import { oauthEndpoints, oauthSpecOf } from './endpoints.ts';
import type { BeginAuthorizationRequest, CompletedAuthorization } from './service.ts';
import { exchangeCode, type OAuthClientSecret } from './token-client.ts';

/**
 * The OAuth authorization code flow. `begin` makes the authorize URL with a random
 * `state` and a PKCE S256 challenge (where the provider takes PKCE); the state row keeps
 * the verifier, the redirect URI and where to exchange the code, server-side, for 10
 * minutes. `complete` takes the state row (once: a replayed callback finds nothing),
 * exchanges the code and stores the tokens as the connection's credential.
 */

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

async function clientFor(ctx: ResolvedOptions, provider: ProviderId, tenantId: string, credentialId: string | null): Promise<OAuthClientSecret> {
  if (credentialId !== null) {
    const row = await ctx.store.credentials.get(tenantId, credentialId);
    if (!row) throw new TributaryError('NOT_FOUND', `Credential ${credentialId} not found`, { field: 'credentialId' });
    const { material } = await readSecret(ctx, row, 'oauth_client');
    if (material.type === 'oauth2_authorization_code' && material.clientId && material.clientSecret) {
      return { clientId: material.clientId, clientSecret: material.clientSecret };
    }
  }
  const client = ctx.oauthClients(provider);
  if (!client) throw new TributaryError('VALIDATION_FAILED', `No OAuth client is configured for ${provider}: configure one, or pass credentials.clientId and credentials.clientSecret`, { field: 'credentials.clientId' });
  return client;
}

export async function beginAuthorization(ctx: ResolvedOptions, input: BeginAuthorizationRequest): Promise<{ authorizeUrl: string; state: string; expiresAt: string }> {
  const spec = oauthSpecOf(input.provider);
  await assertConnection(ctx, input.tenantId, input.connectionId, input.provider);
  const endpoints = oauthEndpoints(input.provider, input.authBaseUrl);
  await ctx.tokenDeps.egress(endpoints.tokenUrl, 'connection.authBaseUrl');
  let redirect: URL;
  try {
    redirect = new URL(input.redirectUri);
  } catch {
    throw new TributaryError('VALIDATION_FAILED', 'redirectUri is not an absolute URL', { field: 'redirectUri' });
  }
  const client = await clientFor(ctx, input.provider, input.tenantId, input.credentialId ?? null);
  const state = b64url(randomBytes(32));
  const verifier = b64url(randomBytes(48));
  const scopes = input.scopes ?? spec.defaultScopes;

  const url = new URL(endpoints.authorizeUrl);
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', redirect.toString());
  url.searchParams.set('response_type', 'code');
  if (scopes.length > 0) url.searchParams.set('scope', scopes.join(spec.scopeSeparator));
  url.searchParams.set('state', state);
  if (spec.pkce) {
    url.searchParams.set('code_challenge', b64url(createHash('sha256').update(verifier).digest()));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [key, value] of Object.entries({ ...spec.extraAuthorizeParams, ...input.extraParams })) url.searchParams.set(key, value);

  const now = ctx.clock.now();
  const expiresAt = iso(now + ctx.oauthStateTtlMs);
  await ctx.store.oauthStates.insert({
    state,
    tenantId: input.tenantId,
    connectionId: input.connectionId,
    provider: input.provider,
    data: {
      authBaseUrl: input.authBaseUrl,
      redirectUri: redirect.toString(),
      scopes,
      returnUrl: input.returnUrl ?? null,
      credentialId: input.credentialId ?? null,
      pkce: spec.pkce,
    },
    codeVerifier: verifier,
    createdAt: iso(now),
    expiresAt,
  });
  return { authorizeUrl: url.toString(), state, expiresAt };
}

export async function completeAuthorization(ctx: ResolvedOptions, input: { state: string; code: string }): Promise<CompletedAuthorization> {
  if (typeof input.state !== 'string' || input.state === '') throw new TributaryError('VALIDATION_FAILED', 'state is required', { field: 'state' });
  if (typeof input.code !== 'string' || input.code === '') throw new TributaryError('VALIDATION_FAILED', 'code is required', { field: 'code' });
  const row = await ctx.store.oauthStates.take(input.state, iso(ctx.clock.now()));
  if (!row) throw new TributaryError('NOT_FOUND', 'Unknown or expired OAuth state; start the authorisation again', { field: 'state' });
  const provider = row.provider as ProviderId;
  const data = row.data as { authBaseUrl: string; redirectUri: string; scopes: string[]; returnUrl: string | null; credentialId: string | null; pkce: boolean };
  const client = await clientFor(ctx, provider, row.tenantId, data.credentialId);
  const answer = await exchangeCode(ctx.tokenDeps, {
    provider,
    authBaseUrl: data.authBaseUrl,
    client,
    code: input.code,
    redirectUri: data.redirectUri,
    codeVerifier: data.pkce ? row.codeVerifier : null,
  });

  const now = ctx.clock.now();
  const tokens: StoredTokens = {
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken ?? null,
    expiresAt: answer.expiresIn === undefined ? null : now + answer.expiresIn * 1000,
    issuedAt: now,
  };
  const metadata: Record<string, unknown> = {
    provider,
    authBaseUrl: data.authBaseUrl,
    apiBaseUrl: answer.instanceUrl ?? null,
    scopes: answer.scopes ?? data.scopes,
    tokenType: answer.tokenType ?? 'bearer',
    clientId: client.clientId,
    refreshable: isRefreshable('oauth2_authorization_code', tokens),
  };
  if (answer.account) metadata.account = answer.account;
  if (answer.instanceUrl) metadata.instanceUrl = answer.instanceUrl;
  // Salesforce sends no lifetime: the session slides (2 h by default); refresh on 401.
  if (provider === 'salesforce' && answer.expiresIn === undefined) metadata.sessionSliding = true;

  const stamp = iso(now);
  let credential: Credential | null = null;
  if (data.credentialId !== null) {
    const existing = await ctx.store.credentials.get(row.tenantId, data.credentialId);
    if (existing?.secretRef) {
      const secret = await readSecret(ctx, existing, 'oauth_tokens');
      const value: StoredSecretValue = { ...secret, tokens };
      await ctx.secrets.update(row.tenantId, existing.secretRef, JSON.stringify(value));
      credential = await ctx.store.credentials.update(
        row.tenantId,
        existing.id,
        { status: 'valid', expiryTime: tokens.expiresAt === null ? null : iso(tokens.expiresAt), lastRefreshedAt: stamp, metadata: { ...existing.metadata, ...metadata }, accessTokenRef: existing.secretRef, refreshTokenRef: tokens.refreshToken ? existing.secretRef : null },
        stamp,
      );
    }
  }
  if (credential === null) {
    const id = newCredentialId();
    const value: StoredSecretValue = { v: 1, material: { type: 'oauth2_authorization_code', scopes: data.scopes }, tokens };
    const info = await ctx.secrets.put(row.tenantId, `credential:${id}`, JSON.stringify(value));
    credential = {
      id,
      tenantId: row.tenantId,
      connectionId: row.connectionId,
      integrationId: null,
      type: 'oauth2_authorization_code',
      accessTokenRef: info.ref,
      refreshTokenRef: tokens.refreshToken ? info.ref : null,
      secretRef: info.ref,
      expiryTime: tokens.expiresAt === null ? null : iso(tokens.expiresAt),
      enabled: true,
      lastRefreshedAt: stamp,
      refreshCount: 0,
      status: 'valid',
      metadata,
      createdAt: stamp,
      updatedAt: stamp,
    };
    try {
      await ctx.store.credentials.insert(credential);
    } catch (error) {
      await ctx.secrets.delete(row.tenantId, info.ref).catch(() => undefined);
      throw error;
    }
  }
  const patch: { credentialId: string; baseUrl?: string } = { credentialId: credential.id };
  if (answer.instanceUrl) patch.baseUrl = answer.instanceUrl;
  const previous = (await ctx.store.connections.get(row.tenantId, row.connectionId))?.credentialId ?? null;
  await ctx.store.connections.update(row.tenantId, row.connectionId, patch, stamp);
  if (previous !== null && previous !== credential.id) await discardReplaced(ctx, row.tenantId, previous);
  ctx.logger?.info({ connectionId: row.connectionId, credentialId: credential.id, provider }, 'OAuth authorisation completed');

  const tokenResponse: CompletedAuthorization['tokenResponse'] = {};
  if (answer.instanceUrl) tokenResponse.instanceUrl = answer.instanceUrl;
  if (answer.account) tokenResponse.account = answer.account;
  return { tenantId: row.tenantId, connectionId: row.connectionId, credential: toInfo(credential, tokens), returnUrl: data.returnUrl, tokenResponse };
}

/**
 * A re-authorisation replaced the connection's credential: the old one (usually
 * `refresh_failed`) goes, secret and row. It is not revoked at the provider: for Google
 * that would revoke the whole grant, the new tokens included.
 */
async function discardReplaced(ctx: ResolvedOptions, tenantId: string, credentialId: string): Promise<void> {
  const old = await ctx.store.credentials.get(tenantId, credentialId);
  if (!old || old.type === 'webhook_signing_secret') return;
  if (old.secretRef) await ctx.secrets.delete(tenantId, old.secretRef);
  await ctx.store.credentials.delete(tenantId, credentialId);
}
