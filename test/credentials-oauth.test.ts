/**
 * The credentials service against the provider sandbox over real HTTP, with a real
 * SQLite store, vault and locks: OAuth code exchange with PKCE for each provider,
 * refresh and rotation, a revoked grant, machine credentials (GitHub App installation,
 * Google service account), and that no secret value reaches logs, errors or `info()`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { isTributaryError, type TributaryError } from '../src/domain/errors.ts';
import type { ProviderId } from '../src/providers/provider.ts';
import { PROVIDERS, TENANT, authorize, control, openCredentialEnv, refreshCount, seedConnection, storedTokens, type CredentialEnv } from './fixtures/credentials-env.ts';

let sandbox: Sandbox;
let base: string;
let env: CredentialEnv;

beforeAll(async () => {
  sandbox = await createSandbox({ seed: 11, size: 40, rateLimitScale: 100 });
  base = await sandbox.listen(0);
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  await env?.close();
});

async function caught(promise: Promise<unknown>): Promise<TributaryError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isTributaryError(error)) throw new Error(`expected a TributaryError, got ${String(error)}`);
  return error;
}

/** Where each provider's API is in the sandbox, and a cheap authenticated call. */
const API: Record<ProviderId, { auth: string; api: (completedInstanceUrl?: string) => string }> = {
  github: { auth: '/github', api: () => `${base}/github` },
  slack: { auth: '/slack', api: () => `${base}/slack/api` },
  notion: { auth: '/notion', api: () => `${base}/notion` },
  google: { auth: '/google', api: () => `${base}/google` },
  salesforce: { auth: '/salesforce', api: (instance) => instance ?? `${base}/salesforce` },
};

function expectNoSecrets(haystack: string, secrets: (string | null | undefined)[]): void {
  for (const secret of secrets) {
    if (!secret) continue;
    expect(haystack.includes(secret), 'a secret value leaked').toBe(false);
  }
}

describe('OAuth authorization code', () => {
  it.each(['github', 'slack', 'notion', 'google', 'salesforce'] as const)(
    '%s: exchanges the code (PKCE where the provider takes it), calls the API, refreshes and stores a rotated pair atomically',
    async (provider) => {
      env = await openCredentialEnv();
      const connectionId = `con_${provider}`;
      await seedConnection(env.store, connectionId, provider);
      const completed = await authorize(env.service, { connectionId, provider, authBaseUrl: `${base}${API[provider].auth}` });
      expect(completed.credential).toMatchObject({ type: 'oauth2_authorization_code', status: 'valid', provider, refreshCount: 0 });
      const connection = await env.store.connections.get(TENANT, connectionId);
      expect(connection?.credentialId).toBe(completed.credential.id);
      if (provider === 'salesforce') {
        expect(completed.tokenResponse.instanceUrl).toBe(`${base}/salesforce`);
        expect(connection?.baseUrl).toBe(`${base}/salesforce`);
      }
      if (provider === 'slack') expect(completed.tokenResponse.account).toMatchObject({ teamId: expect.any(String), botUserId: expect.any(String) });
      if (provider === 'notion') expect(completed.tokenResponse.account).toMatchObject({ workspaceId: expect.any(String) });

      const http = env.http(connectionId, provider, API[provider].api(completed.tokenResponse.instanceUrl));
      const ctx = { http, connection: { id: connectionId, tenantId: TENANT, baseUrl: API[provider].api(completed.tokenResponse.instanceUrl), settings: {} } };
      const account = await PROVIDERS[provider].validate(ctx);
      expect(account.accountId).toBeTruthy();

      const before = await storedTokens(env, completed.credential.id);
      expect(before.refreshToken).toBeTruthy();
      const sandboxBefore = await refreshCount(base, provider);
      const outcome = await env.service.refresh(TENANT, completed.credential.id, 'unauthorized');
      expect(outcome).toMatchObject({ outcome: 'success', credential: { refreshCount: 1, status: 'valid' } });
      expect(await refreshCount(base, provider)).toBe(sandboxBefore + 1);
      const after = await storedTokens(env, completed.credential.id);
      expect(after.accessToken).not.toBe(before.accessToken);
      const rotates = provider === 'github' || provider === 'slack' || provider === 'notion';
      if (rotates) expect(after.refreshToken).not.toBe(before.refreshToken);
      else expect(after.refreshToken).toBe(before.refreshToken);
      // The stored (possibly rotated) refresh token is the live one: a second refresh works.
      expect((await env.service.refresh(TENANT, completed.credential.id, 'unauthorized')).outcome).toBe('success');
      expect((await PROVIDERS[provider].validate(ctx)).accountId).toBe(account.accountId);

      const audit = await env.store.tokenRefreshAudit.list(TENANT, { credentialId: completed.credential.id });
      expect(audit.items.map((row) => row.outcome)).toEqual(['success', 'success']);
      const latest = await storedTokens(env, completed.credential.id);
      const info = await env.service.info(TENANT, completed.credential.id);
      expect(info.refreshCount).toBe(2);
      expectNoSecrets(env.logs() + JSON.stringify(info) + JSON.stringify(completed) + JSON.stringify(audit), [
        before.accessToken,
        before.refreshToken,
        latest.accessToken,
        latest.refreshToken,
        `sandbox-${provider}-secret`,
      ]);
    },
  );

  it('puts an S256 challenge in the authorize URL and keeps the verifier server-side, for providers that take PKCE', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_g', 'google');
    const begun = await env.service.beginAuthorization({ tenantId: TENANT, connectionId: 'con_g', provider: 'google', authBaseUrl: `${base}/google`, redirectUri: 'https://app.example/cb' });
    const url = new URL(begun.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${base}/google/o/oauth2/v2/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(begun.authorizeUrl).not.toContain('verifier');
  });

  it('takes an OAuth state once: a replayed or unknown callback is NOT_FOUND', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_gh', 'github');
    const begun = await env.service.beginAuthorization({ tenantId: TENANT, connectionId: 'con_gh', provider: 'github', authBaseUrl: `${base}/github`, redirectUri: 'https://app.example/cb' });
    const location = new URL((await fetch(begun.authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    const code = location.searchParams.get('code') ?? '';
    await env.service.completeAuthorization({ state: begun.state, code });
    expect((await caught(env.service.completeAuthorization({ state: begun.state, code }))).code).toBe('NOT_FOUND');
    expect((await caught(env.service.completeAuthorization({ state: 'forged', code }))).field).toBe('state');
  });

  it('a bad code fails with PROVIDER_AUTH_FAILED and stores nothing', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_gh', 'github');
    const begun = await env.service.beginAuthorization({ tenantId: TENANT, connectionId: 'con_gh', provider: 'github', authBaseUrl: `${base}/github`, redirectUri: 'https://app.example/cb' });
    const error = await caught(env.service.completeAuthorization({ state: begun.state, code: 'not-a-code' }));
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.details).toMatchObject({ oauthError: 'bad_verification_code' });
    expect(await env.store.credentials.listByConnection(TENANT, 'con_gh')).toEqual([]);
  });
});

describe('a refresh that fails for good', () => {
  it('marks the connection needs_reauth, emits one event, calls the token endpoint once and then fails fast', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_google', 'google');
    const completed = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    const tokens = await storedTokens(env, completed.credential.id);
    // The user revokes the grant at Google: the refresh token and its access token die.
    const revoke = await fetch(`${base}/google/revoke?token=${encodeURIComponent(tokens.refreshToken ?? '')}`, { method: 'POST' });
    expect(revoke.status).toBe(200);
    await control(base, '/requests', 'DELETE');

    const http = env.http('con_google', 'google', `${base}/google`);
    const ctx = { http, connection: { id: 'con_google', tenantId: TENANT, baseUrl: `${base}/google`, settings: {} } };
    const errors: TributaryError[] = [];
    for (let i = 0; i < 5; i++) errors.push(await caught(PROVIDERS.google.validate(ctx)));
    expect(errors.every((e) => e.code === 'PROVIDER_AUTH_FAILED')).toBe(true);

    const tokenCalls = await control<{ requests?: unknown[]; items?: unknown[] } | unknown[]>(base, '/requests?provider=google&method=POST&path=/token');
    const list = Array.isArray(tokenCalls) ? tokenCalls : (tokenCalls.requests ?? tokenCalls.items ?? []);
    expect(list).toHaveLength(1);
    expect(await env.store.connections.get(TENANT, 'con_google')).toMatchObject({ status: 'needs_reauth' });
    expect(await env.service.info(TENANT, completed.credential.id)).toMatchObject({ status: 'refresh_failed' });
    expect(env.events).toEqual([expect.objectContaining({ type: 'connection.needs_reauth', connectionId: 'con_google', credentialId: completed.credential.id, provider: 'google', reason: 'invalid_grant' })]);
    const audit = await env.store.tokenRefreshAudit.list(TENANT, { credentialId: completed.credential.id });
    expect(audit.items).toEqual([expect.objectContaining({ outcome: 'failed', errorCode: 'PROVIDER_AUTH_FAILED' })]);
    // The public refresh reports the state without calling the provider again.
    expect(await env.service.refresh(TENANT, completed.credential.id, 'unauthorized')).toMatchObject({ outcome: 'failed', errorCode: 'PROVIDER_AUTH_FAILED' });
    expectNoSecrets(env.logs() + errors.map((e) => `${e.message} ${JSON.stringify(e.details)}`).join(' '), [tokens.accessToken, tokens.refreshToken]);

    // Authorising again replaces the dead credential; calls work again.
    const again = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    expect(again.credential.id).not.toBe(completed.credential.id);
    expect((await env.store.connections.get(TENANT, 'con_google'))?.credentialId).toBe(again.credential.id);
    expect((await caught(env.service.info(TENANT, completed.credential.id))).code).toBe('NOT_FOUND');
    expect((await PROVIDERS.google.validate(ctx)).accountId).toBeTruthy();
  });
});

describe('machine credentials', () => {
  it('GitHub App installation: signs an app JWT, buys a 1 h installation token, and buys a new one on refresh', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_app', 'github');
    const app = await control<{ appId: number; installationId: number; privateKey: string }>(base, '/github/app');
    const info = await env.service.create({
      tenantId: TENANT,
      connectionId: 'con_app',
      provider: 'github',
      authBaseUrl: `${base}/github`,
      apiBaseUrl: `${base}/github`,
      credential: { type: 'github_app_installation', appId: String(app.appId), installationId: String(app.installationId), privateKeyPem: app.privateKey },
    });
    expect(info).toMatchObject({ type: 'github_app_installation', status: 'valid', refreshable: true, metadata: { appId: String(app.appId), installationId: String(app.installationId) } });
    const lifetime = Date.parse(info.expiresAt ?? '') - Date.now();
    expect(lifetime).toBeGreaterThan(55 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000);
    const first = await storedTokens(env, info.id);
    expect(first.accessToken).toMatch(/^ghs_/);
    const response = await env.http('con_app', 'github', `${base}/github`).request({ method: 'GET', path: 'installation/repositories', operation: 'read' });
    expect(response.status).toBe(200);
    expect((await env.service.refresh(TENANT, info.id, 'unauthorized')).outcome).toBe('success');
    expect((await storedTokens(env, info.id)).accessToken).not.toBe(first.accessToken);
    expectNoSecrets(env.logs() + JSON.stringify(await env.service.info(TENANT, info.id)), [first.accessToken, app.privateKey.split('\n')[1]]);
  });

  it('Google service account: takes the JSON key file, exchanges an RS256 JWT-bearer assertion with a scope claim', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_sa', 'google');
    const keyFile = await control<Record<string, string>>(base, '/google/service-accounts', 'POST');
    const info = await env.service.create({
      tenantId: TENANT,
      connectionId: 'con_sa',
      provider: 'google',
      authBaseUrl: `${base}/google`,
      credential: { type: 'jwt_bearer', serviceAccountKey: JSON.stringify(keyFile), scopes: ['https://www.googleapis.com/auth/calendar.events'] },
    });
    expect(info).toMatchObject({ type: 'jwt_bearer', status: 'valid', metadata: { issuer: keyFile.client_email, keyId: keyFile.private_key_id } });
    const first = await storedTokens(env, info.id);
    expect(first.accessToken).toMatch(/^ya29\.c\./);
    expect((await env.service.refresh(TENANT, info.id, 'unauthorized')).outcome).toBe('success');
    expect((await storedTokens(env, info.id)).accessToken).not.toBe(first.accessToken);
    expectNoSecrets(env.logs() + JSON.stringify(await env.service.info(TENANT, info.id)), [first.accessToken, keyFile.private_key?.split('\n')[1]]);
  });

  it('a JWT signed with the wrong key is refused and nothing is stored', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_sa', 'google');
    const keyFile = await control<Record<string, string>>(base, '/google/service-accounts', 'POST');
    const other = await control<Record<string, string>>(base, '/google/service-accounts', 'POST');
    const error = await caught(
      env.service.create({
        tenantId: TENANT,
        connectionId: 'con_sa',
        provider: 'google',
        authBaseUrl: `${base}/google`,
        credential: { type: 'jwt_bearer', serviceAccountKey: { ...keyFile, private_key: other.private_key }, scopes: ['https://www.googleapis.com/auth/contacts'] },
      }),
    );
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(await env.store.credentials.listByConnection(TENANT, 'con_sa')).toEqual([]);
  });

  it('refuses a token endpoint the egress policy does not allow, before any request', async () => {
    env = await openCredentialEnv({ service: { egress: async (url, field) => (await import('../src/connections/index.ts')).assertEgressAllowed(url, { allowPrivate: false }, field) } });
    await seedConnection(env.store, 'con_sf', 'salesforce');
    const error = await caught(
      env.service.create({ tenantId: TENANT, connectionId: 'con_sf', provider: 'salesforce', authBaseUrl: `${base}/salesforce`, credential: { type: 'oauth2_client_credentials', clientId: 'a', clientSecret: 'b' } }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'connection.authBaseUrl' });
  });
});

describe('static credentials', () => {
  it('stores API keys and tokens in the vault, returns them as the access token, and shows only metadata', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_n', 'notion');
    const minted = await control<{ accessToken: string }>(base, '/tokens', 'POST', { provider: 'notion' });
    const info = await env.service.create({ tenantId: TENANT, connectionId: 'con_n', provider: 'notion', authBaseUrl: `${base}/notion`, credential: { type: 'api_key', apiKey: minted.accessToken } });
    expect(info).toMatchObject({ type: 'api_key', status: 'valid', expiresAt: null, refreshable: false });
    expect(await env.service.tokenSource({ tenantId: TENANT, connectionId: 'con_n', provider: 'notion' }).accessToken()).toBe(minted.accessToken);
    const ctx = { http: env.http('con_n', 'notion', `${base}/notion`), connection: { id: 'con_n', tenantId: TENANT, baseUrl: `${base}/notion`, settings: {} } };
    expect((await PROVIDERS.notion.validate(ctx)).accountId).toBeTruthy();
    const row = await env.store.credentials.get(TENANT, info.id);
    expectNoSecrets(JSON.stringify(row) + JSON.stringify(info) + env.logs(), [minted.accessToken]);
    expect(await env.service.material(TENANT, info.id)).toEqual({ type: 'api_key', apiKey: minted.accessToken });
  });

  it('revokeAndDestroy deletes the secret and the row and unlinks the connection', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_google', 'google');
    const completed = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    const tokens = await storedTokens(env, completed.credential.id);
    const row = await env.store.credentials.get(TENANT, completed.credential.id);
    await env.service.revokeAndDestroy(TENANT, completed.credential.id);
    expect((await caught(env.service.info(TENANT, completed.credential.id))).code).toBe('NOT_FOUND');
    expect((await caught(env.secrets.get(TENANT, row?.secretRef ?? ''))).code).toBe('SECRET_NOT_FOUND');
    expect((await env.store.connections.get(TENANT, 'con_google'))?.credentialId).toBeNull();
    // Google revoked the refresh token: it no longer refreshes.
    const answer = await fetch(`${base}/google/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '', client_id: 'sandbox-google-client', client_secret: 'sandbox-google-secret' }).toString(),
    });
    expect(answer.status).toBe(400);
  });

  it('rewrapAll re-wraps every secret under a new master key version and the credentials still work', async () => {
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_n', 'notion');
    const info = await env.service.create({ tenantId: TENANT, connectionId: 'con_n', provider: 'notion', authBaseUrl: `${base}/notion`, credential: { type: 'api_key', apiKey: 'ntn_static_value' } });
    const rotated = await env.service.rewrapAll();
    expect(rotated.keyVersion).toBe(2);
    expect(rotated.rewrapped).toBeGreaterThanOrEqual(1);
    expect(await env.service.material(TENANT, info.id)).toEqual({ type: 'api_key', apiKey: 'ntn_static_value' });
  });
});
