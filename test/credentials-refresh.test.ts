/**
 * Refresh paths other than the load test's: a Salesforce session (no expires_in) that
 * lapses and is refreshed on the 401, the token-refresher's scan, transient token
 * endpoint failures retried with backoff, and tenant isolation of the service.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { isTributaryError } from '../src/domain/errors.ts';
import { PROVIDERS, TENANT, authorize, control, openCredentialEnv, refreshCount, seedConnection, storedTokens, type CredentialEnv } from './fixtures/credentials-env.ts';

let sandbox: Sandbox | null = null;
let env: CredentialEnv | null = null;

afterEach(async () => {
  await env?.close();
  env = null;
  await sandbox?.close();
  sandbox = null;
});

async function start(options: Parameters<typeof createSandbox>[0] = {}): Promise<string> {
  sandbox = await createSandbox({ seed: 9, size: 30, rateLimitScale: 100, ...options });
  return sandbox.listen(0);
}

describe('refresh', () => {
  it('Salesforce: a lapsed session (no expires_in) is refreshed once on the 401 and the call succeeds', async () => {
    const base = await start();
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_sf', 'salesforce');
    const completed = await authorize(env.service, { connectionId: 'con_sf', provider: 'salesforce', authBaseUrl: `${base}/salesforce` });
    expect(completed.credential).toMatchObject({ expiresAt: null, refreshable: true, metadata: { sessionSliding: true } });
    const instance = completed.tokenResponse.instanceUrl ?? '';
    const ctx = { http: env.http('con_sf', 'salesforce', instance), connection: { id: 'con_sf', tenantId: TENANT, baseUrl: instance, settings: {} } };
    const account = await PROVIDERS.salesforce.validate(ctx);
    const before = await storedTokens(env, completed.credential.id);

    await control(base, '/clock/advance', 'POST', { ms: 2 * 3600_000 + 60_000 });
    expect((await PROVIDERS.salesforce.validate(ctx)).accountId).toBe(account.accountId);
    expect(await refreshCount(base, 'salesforce')).toBe(1);
    expect((await storedTokens(env, completed.credential.id)).accessToken).not.toBe(before.accessToken);
    expect((await env.service.info(TENANT, completed.credential.id)).refreshCount).toBe(1);
  });

  it('refreshExpiring refreshes what expires within the window, across tenants, and leaves the rest', async () => {
    const base = await start();
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_google', 'google');
    await seedConnection(env.store, 'con_notion', 'notion');
    const google = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    await env.service.create({ tenantId: TENANT, connectionId: 'con_notion', provider: 'notion', authBaseUrl: `${base}/notion`, credential: { type: 'api_key', apiKey: 'ntn_static' } });

    // Google tokens live 3599 s: inside a 60-minute window, outside a 10-minute one.
    expect(await env.service.refreshExpiring(10 * 60_000)).toEqual({ refreshed: 0, failed: 0, skipped: 0 });
    expect(await env.service.refreshExpiring(60 * 60_000)).toEqual({ refreshed: 1, failed: 0, skipped: 0 });
    expect(await refreshCount(base, 'google')).toBe(1);
    expect(await env.service.info(TENANT, google.credential.id)).toMatchObject({ refreshCount: 1, status: 'valid' });
  });

  it('retries a token endpoint that answers 503 twice, then stores the token (one audit row)', async () => {
    const base = await start();
    env = await openCredentialEnv({ service: { refreshBackoffMs: 20 } });
    await seedConnection(env.store, 'con_google', 'google');
    const completed = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    await control(base, '/faults', 'POST', { provider: 'google', kind: 'status', status: 503, path: '^/token', method: 'POST', count: 2 });
    const outcome = await env.service.refresh(TENANT, completed.credential.id, 'unauthorized');
    expect(outcome).toMatchObject({ outcome: 'success', credential: { status: 'valid', refreshCount: 1 } });
    const audit = await env.store.tokenRefreshAudit.list(TENANT, { credentialId: completed.credential.id });
    expect(audit.items.map((row) => row.outcome)).toEqual(['success']);
    expect(await env.store.connections.get(TENANT, 'con_google')).toMatchObject({ status: 'pending' });
  });

  it('a token endpoint that stays down fails the refresh as retryable and does not ask for re-authorisation', async () => {
    const base = await start();
    env = await openCredentialEnv({ service: { refreshBackoffMs: 10 } });
    await seedConnection(env.store, 'con_google', 'google');
    const completed = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    await control(base, '/faults', 'POST', { provider: 'google', kind: 'status', status: 503, path: '^/token', method: 'POST' });
    const outcome = await env.service.refresh(TENANT, completed.credential.id, 'unauthorized');
    expect(outcome).toMatchObject({ outcome: 'failed', errorCode: 'PROVIDER_UNAVAILABLE', credential: { status: 'valid' } });
    // Told as failing (a notification), never as needing re-authorisation.
    expect(env.events.map((e) => e.type)).toEqual(['token_refresh.failing']);
    // The current token still works, so uses go on.
    expect(await env.service.tokenSource({ tenantId: TENANT, connectionId: 'con_google', provider: 'google' }).accessToken()).toBe((await storedTokens(env, completed.credential.id)).accessToken);
  });

  it('keeps tenants apart: another tenant cannot read, refresh or use a credential', async () => {
    const base = await start();
    env = await openCredentialEnv();
    await seedConnection(env.store, 'con_google', 'google');
    const completed = await authorize(env.service, { connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google` });
    const at = new Date().toISOString();
    await env.store.tenants.insert({ id: 'ten_other', name: 'Other', metadata: {}, createdAt: at, updatedAt: at });
    const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isTributaryError(error) ? error.code : String(error)));
    expect(await codeOf(env.service.info('ten_other', completed.credential.id))).toBe('NOT_FOUND');
    expect(await codeOf(env.service.material('ten_other', completed.credential.id))).toBe('NOT_FOUND');
    expect(await codeOf(env.service.refresh('ten_other', completed.credential.id, 'unauthorized'))).toBe('NOT_FOUND');
    expect(await codeOf(env.service.revokeAndDestroy('ten_other', completed.credential.id))).toBe('NOT_FOUND');
    expect(await codeOf(env.service.tokenSource({ tenantId: 'ten_other', connectionId: 'con_google', provider: 'google' }).accessToken())).toBe('NOT_FOUND');
    expect(await codeOf(env.service.beginAuthorization({ tenantId: 'ten_other', connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google`, redirectUri: 'https://a.example/cb' }))).toBe('NOT_FOUND');
    expect(await codeOf(env.service.create({ tenantId: 'ten_other', connectionId: 'con_google', provider: 'google', authBaseUrl: `${base}/google`, credential: { type: 'oauth2_authorization_code' } }))).toBe('NOT_FOUND');
    expect(await env.service.info(TENANT, completed.credential.id)).toMatchObject({ status: 'valid' });
  });
});
