/**
 * The simulator's server-to-server grants: JWT bearer (an RS256 assertion signed with the
 * connected app's key, checked as Salesforce checks it) and client_credentials (consumer
 * key and secret, body or Basic). Neither answers a refresh token.
 */
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';
import { createSalesforceSimulator } from './index.ts';
import { JWT_BEARER_GRANT } from './oauth.ts';

interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  tokenUrl: string;
  username: string;
  privateKeyPem: string;
}

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

async function start() {
  sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 20 });
  const base = await sandbox.listen(0);
  const app = (await (await fetch(`${base}/_sandbox/salesforce/connected-app`)).json()) as ConnectedApp;
  const post = async (fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(app.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const limits = (token: string) => fetch(`${base}/salesforce/services/data/v60.0/limits`, { headers: { authorization: `Bearer ${token}` } });
  return { base, app, post, limits };
}

function assertion(app: ConnectedApp, overrides: { iss?: string; sub?: string; aud?: string; lifetime?: number; key?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(overrides.iss ?? app.clientId)
    .setSubject(overrides.sub ?? app.username)
    .setAudience(overrides.aud ?? app.loginUrl)
    .setExpirationTime(now + (overrides.lifetime ?? 170))
    .sign(createPrivateKey(overrides.key ?? app.privateKeyPem));
}

describe('salesforce JWT bearer grant', () => {
  it('answers a session without refresh token for a valid assertion, and the session works', async () => {
    const s = await start();
    const { status, body } = await s.post({ grant_type: JWT_BEARER_GRANT, assertion: await assertion(s.app) });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: `${s.base}/salesforce`, scope: 'api' });
    expect(body.access_token).toMatch(/^00D\w{12}!AR/);
    expect(body.refresh_token).toBeUndefined();
    expect(body.id).toMatch(/\/salesforce\/id\/00D\w+\/005\w+$/);
    expect((await s.limits(String(body.access_token))).status).toBe(200);
  });

  it("refuses with Salesforce's error descriptions", async () => {
    const s = await start();
    const cases: Array<[Promise<string> | string, string, string]> = [
      ['not-a-jwt', 'invalid_grant', 'invalid assertion'],
      [assertion(s.app, { lifetime: -30 }), 'invalid_grant', 'invalid assertion'],
      [assertion(s.app, { lifetime: 3600 }), 'invalid_grant', 'invalid assertion'],
      [assertion(s.app, { aud: 'https://elsewhere.example.com' }), 'invalid_grant', 'audience is invalid'],
      [assertion(s.app, { sub: 'someone@else.example.com' }), 'invalid_grant', "user hasn't approved this consumer"],
      [assertion(s.app, { iss: 'unknown-consumer' }), 'invalid_client_id', 'client identifier invalid'],
    ];
    for (const [jwt, error, description] of cases) {
      const { status, body } = await s.post({ grant_type: JWT_BEARER_GRANT, assertion: await jwt });
      expect({ status, body }).toEqual({ status: 400, body: { error, error_description: description } });
    }
  });

  it('refuses an assertion signed with another key', async () => {
    const s = await start();
    const other = await createSandbox({ providers: [createSalesforceSimulator()], size: 5 });
    try {
      const otherBase = await other.listen(0);
      const otherApp = (await (await fetch(`${otherBase}/_sandbox/salesforce/connected-app`)).json()) as ConnectedApp;
      const { status, body } = await s.post({ grant_type: JWT_BEARER_GRANT, assertion: await assertion(s.app, { key: otherApp.privateKeyPem }) });
      expect({ status, body }).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid assertion' } });
    } finally {
      await other.close();
    }
  });
});

describe('salesforce client_credentials grant', () => {
  it('answers a session without refresh token for the secret in the body or in Basic', async () => {
    const s = await start();
    const inBody = await s.post({ grant_type: 'client_credentials', client_id: s.app.clientId, client_secret: s.app.clientSecret });
    const basic = `Basic ${Buffer.from(`${s.app.clientId}:${s.app.clientSecret}`).toString('base64')}`;
    const inBasic = await s.post({ grant_type: 'client_credentials' }, { authorization: basic });
    for (const { status, body } of [inBody, inBasic]) {
      expect(status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', instance_url: `${s.base}/salesforce` });
      expect(body.refresh_token).toBeUndefined();
      expect((await s.limits(String(body.access_token))).status).toBe(200);
    }
  });

  it('refuses a wrong or missing secret and an unknown client', async () => {
    const s = await start();
    expect(await s.post({ grant_type: 'client_credentials', client_id: s.app.clientId, client_secret: 'wrong' })).toEqual({ status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } });
    expect(await s.post({ grant_type: 'client_credentials', client_id: s.app.clientId })).toEqual({ status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } });
    expect(await s.post({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' })).toEqual({ status: 400, body: { error: 'invalid_client_id', error_description: 'client identifier invalid' } });
  });
});
