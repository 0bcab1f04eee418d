/**
 * Salesforce's server-to-server credentials through the credential service, against the
 * sandbox: a JWT bearer credential (the connected app's key signs an assertion for the
 * pre-authorised user) and a client-credentials one each get a session on create, the
 * Salesforce provider's `validate` works with it, and a lapsed session is minted again on
 * the 401. A refused assertion fails the create with PROVIDER_AUTH_FAILED and stores nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { isTributaryError } from '../src/domain/errors.ts';
import type { Clock } from '../src/ports/clock.ts';
import { PROVIDERS, TENANT, control, openCredentialEnv, seedConnection, storedTokens, type CredentialEnv } from './fixtures/credentials-env.ts';

interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  username: string;
  privateKeyPem: string;
}

let sandbox: Sandbox | null = null;
let env: CredentialEnv | null = null;

afterEach(async () => {
  await env?.close();
  env = null;
  await sandbox?.close();
  sandbox = null;
});

/** The sandbox, its connected app, and a clock that follows the sandbox's (JWT claims are stamped with it). */
async function start(): Promise<{ base: string; app: ConnectedApp; clock: Clock; advance(ms: number): Promise<void> }> {
  sandbox = await createSandbox({ seed: 5, size: 20, rateLimitScale: 100 });
  const base = await sandbox.listen(0);
  const app = await control<ConnectedApp>(base, '/salesforce/connected-app');
  let offset = 0;
  return {
    base,
    app,
    clock: { now: () => Date.now() + offset },
    async advance(ms) {
      await control(base, '/clock/advance', 'POST', { ms });
      offset += ms;
    },
  };
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isTributaryError(error) ? error.code : String(error)));

function validateContext(base: string) {
  const instance = `${base}/salesforce`;
  return { http: (env as CredentialEnv).http('con_sf', 'salesforce', instance), connection: { id: 'con_sf', tenantId: TENANT, baseUrl: instance, settings: {} } };
}

describe('Salesforce JWT bearer credential', () => {
  it('gets a session on create, validates, and mints a new session when the old one lapses', async () => {
    const s = await start();
    env = await openCredentialEnv({ service: { clock: s.clock } });
    await seedConnection(env.store, 'con_sf', 'salesforce');
    const info = await env.service.create({
      tenantId: TENANT,
      connectionId: 'con_sf',
      provider: 'salesforce',
      authBaseUrl: `${s.base}/salesforce`,
      credential: { type: 'jwt_bearer', issuer: s.app.clientId, subject: s.app.username, privateKeyPem: s.app.privateKeyPem },
    });
    expect(info).toMatchObject({ type: 'jwt_bearer', status: 'valid', expiresAt: null });
    const first = await storedTokens(env, info.id);
    expect(first.accessToken).toMatch(/^00D\w{12}!AR/);
    expect(first.refreshToken).toBeNull();

    const ctx = validateContext(s.base);
    const account = await PROVIDERS.salesforce.validate(ctx);
    expect(account.accountId).toMatch(/^00D/);

    // Past the 2 h session timeout: the 401 triggers a new assertion, not a refresh token.
    await s.advance(2 * 3600_000 + 60_000);
    expect((await PROVIDERS.salesforce.validate(ctx)).accountId).toBe(account.accountId);
    const second = await storedTokens(env, info.id);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).toBeNull();
    expect((await env.service.info(TENANT, info.id)).refreshCount).toBe(1);
    expect(env.logs()).not.toContain(second.accessToken);
    expect(env.logs()).not.toContain('PRIVATE KEY');
  });

  // The sandbox answers these with "invalid assertion", "user hasn't approved this consumer"
  // and "audience is invalid" (sandbox/salesforce/oauth-grants.test.ts checks the bodies).
  it.each([
    ['an expired assertion', 'expired'],
    ['a user who has not approved the app', 'unapproved'],
    ['a wrong audience', 'audience'],
  ])('refuses %s with PROVIDER_AUTH_FAILED and stores nothing', async (_name, kind) => {
    const s = await start();
    // The expired case: our clock runs 10 minutes behind the sandbox's, so exp is already past.
    const clock: Clock = kind === 'expired' ? { now: () => Date.now() - 10 * 60_000 } : s.clock;
    env = await openCredentialEnv({ service: { clock } });
    await seedConnection(env.store, 'con_sf', 'salesforce');
    const credential = {
      type: 'jwt_bearer' as const,
      issuer: s.app.clientId,
      subject: kind === 'unapproved' ? 'stranger@sandbox.example.com' : s.app.username,
      privateKeyPem: s.app.privateKeyPem,
      ...(kind === 'audience' ? { audience: 'https://elsewhere.example.com' } : {}),
    };
    const failure = await env.service
      .create({ tenantId: TENANT, connectionId: 'con_sf', provider: 'salesforce', authBaseUrl: `${s.base}/salesforce`, credential })
      .then(() => null, (error: unknown) => error);
    expect(isTributaryError(failure) && failure.code).toBe('PROVIDER_AUTH_FAILED');
    expect(isTributaryError(failure) && failure.details).toMatchObject({ provider: 'salesforce', status: 400, oauthError: 'invalid_grant' });
    const requests = await control<{ requests?: Array<{ status?: number }> }>(s.base, '/requests?provider=salesforce&path=/services/oauth2/token');
    expect(JSON.stringify(requests)).toContain('/services/oauth2/token');
    expect((await env.store.credentials.listByConnection(TENANT, 'con_sf'))).toEqual([]);
    expect(await env.store.connections.get(TENANT, 'con_sf')).toMatchObject({ credentialId: null, status: 'pending' });
  });
});

describe('Salesforce client-credentials credential', () => {
  it('gets a session on create with the consumer key and secret, and validates', async () => {
    const s = await start();
    env = await openCredentialEnv({ service: { clock: s.clock } });
    await seedConnection(env.store, 'con_sf', 'salesforce');
    const info = await env.service.create({
      tenantId: TENANT,
      connectionId: 'con_sf',
      provider: 'salesforce',
      authBaseUrl: `${s.base}/salesforce`,
      credential: { type: 'oauth2_client_credentials', clientId: s.app.clientId, clientSecret: s.app.clientSecret },
    });
    expect(info).toMatchObject({ type: 'oauth2_client_credentials', status: 'valid' });
    const tokens = await storedTokens(env, info.id);
    expect(tokens.refreshToken).toBeNull();
    expect((await PROVIDERS.salesforce.validate(validateContext(s.base))).accountId).toMatch(/^00D/);
    expect(JSON.stringify(info)).not.toContain(s.app.clientSecret);
  });

  it('a wrong secret fails the create with PROVIDER_AUTH_FAILED and stores nothing', async () => {
    const s = await start();
    env = await openCredentialEnv({ service: { clock: s.clock } });
    await seedConnection(env.store, 'con_sf', 'salesforce');
    const create = env.service.create({
      tenantId: TENANT,
      connectionId: 'con_sf',
      provider: 'salesforce',
      authBaseUrl: `${s.base}/salesforce`,
      credential: { type: 'oauth2_client_credentials', clientId: s.app.clientId, clientSecret: 'not-the-secret' },
    });
    expect(await codeOf(create)).toBe('PROVIDER_AUTH_FAILED');
    expect((await env.store.credentials.listByConnection(TENANT, 'con_sf'))).toEqual([]);
  });
});
