import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';
import { createSalesforceSimulator } from './index.ts';

/** Response bodies in these tests are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

const CLIENT = { id: 'sandbox-salesforce-client', secret: 'sandbox-salesforce-secret' };
const REDIRECT = 'http://127.0.0.1:9/callback';
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function start() {
  sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 50 });
  const base = await sandbox.listen(0);
  const sf = `${base}/salesforce`;
  /** Authorize (following nothing: the 302 carries the code) then exchange the code with PKCE. */
  const login = async (verifier = randomBytes(32).toString('base64url'), sendVerifier = verifier) => {
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = `${sf}/services/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT.id, redirect_uri: REDIRECT, state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256' })}`;
    const auth = await fetch(url, { redirect: 'manual' });
    expect(auth.status).toBe(302);
    const location = new URL(auth.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code') as string;
    const res = await fetch(`${sf}/services/oauth2/token`, form({ grant_type: 'authorization_code', code, client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uri: REDIRECT, code_verifier: sendVerifier }));
    return { status: res.status, body: await res.json() as Json };
  };
  const refresh = async (refreshToken: string) => {
    const res = await fetch(`${sf}/services/oauth2/token`, form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT.id, client_secret: CLIENT.secret }));
    return { status: res.status, body: await res.json() as Json };
  };
  const api = (token: string) => fetch(`${sf}/services/data/v60.0/limits`, { headers: { authorization: `Bearer ${token}` } });
  const control = async (path: string, init?: RequestInit) => (await fetch(`${base}/_sandbox${path}`, init)).json() as Json;
  return { base, sf, login, refresh, api, control };
}

describe('salesforce OAuth', () => {
  it('issues a session through authorize + PKCE code exchange, with instance_url, id and a valid signature', async () => {
    const s = await start();
    const { status, body } = await s.login();
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: `${s.base}/salesforce`, scope: 'api refresh_token' });
    expect(body.expires_in).toBeUndefined();
    expect(body.access_token).toMatch(/^00D[a-zA-Z0-9]{12}!/);
    expect(body.refresh_token).toMatch(/^5Aep861/);
    expect(body.id).toMatch(new RegExp(`^${s.base}/salesforce/id/00D\\w{15}/005\\w{15}$`));
    // Salesforce signs id + issued_at with the client secret (HMAC-SHA256, base64).
    expect(body.signature).toBe(createHmac('sha256', CLIENT.secret).update(body.id + body.issued_at).digest('base64'));
    expect((await s.api(body.access_token)).status).toBe(200);
  });

  it('refuses a wrong PKCE verifier, a reused code and an unknown client', async () => {
    const s = await start();
    const wrong = await s.login('right-verifier-right-verifier-right-verifier', 'wrong-verifier');
    expect(wrong).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid code verifier' } });
    const bad = await fetch(`${s.sf}/services/oauth2/token`, form({ grant_type: 'authorization_code', code: 'x', client_id: 'nobody' }));
    expect(await bad.json() as Json).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
    const secret = await fetch(`${s.sf}/services/oauth2/token`, form({ grant_type: 'authorization_code', code: 'x', client_id: CLIENT.id, client_secret: 'nope' }));
    expect(await secret.json() as Json).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const grant = await fetch(`${s.sf}/services/oauth2/token`, form({ grant_type: 'password', client_id: CLIENT.id }));
    expect((await grant.json() as Json).error).toBe('unsupported_grant_type');
  });

  it('expires the session after the timeout (INVALID_SESSION_ID) and refreshes it without rotation by default', async () => {
    const s = await start();
    const { body } = await s.login();
    await s.control('/clock/advance', json('POST', { ms: 7200 * 1000 + 1000 }));
    const expired = await s.api(body.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json() as Json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const refreshed = await s.refresh(body.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toBeUndefined();
    expect(refreshed.body.instance_url).toBe(`${s.base}/salesforce`);
    expect((await s.api(refreshed.body.access_token)).status).toBe(200);
    expect((await s.refresh(body.refresh_token)).status).toBe(200);
  });

  it('keeps an active session alive: the timeout counts from the last call', async () => {
    const s = await start();
    const { body } = await s.login();
    for (let i = 0; i < 3; i++) {
      await s.control('/clock/advance', json('POST', { ms: 3600 * 1000 }));
      expect((await s.api(body.access_token)).status).toBe(200);
    }
  });

  it('rotates refresh tokens when the connected app says so and refuses the old one', async () => {
    const s = await start();
    await s.control('/salesforce/settings', json('PUT', { rotateRefreshTokens: true }));
    const { body } = await s.login();
    const next = await s.refresh(body.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).toMatch(/^5Aep861/);
    expect(next.body.refresh_token).not.toBe(body.refresh_token);
    expect((await s.api(body.access_token)).status).toBe(401);
    const reused = await s.refresh(body.refresh_token);
    expect(reused).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'expired access/refresh token' } });
    expect((await s.refresh(next.body.refresh_token)).status).toBe(200);
  });

  it('revokes a refresh token and the sessions it issued', async () => {
    const s = await start();
    const { body } = await s.login();
    const revoked = await fetch(`${s.sf}/services/oauth2/revoke`, form({ token: body.refresh_token }));
    expect(revoked.status).toBe(200);
    expect((await s.api(body.access_token)).status).toBe(401);
    expect((await s.refresh(body.refresh_token)).body.error).toBe('invalid_grant');
    expect((await fetch(`${s.sf}/services/oauth2/revoke`, form({ token: 'unknown' }))).status).toBe(400);
  });

  it('honours per-provider token lifetimes from the sandbox options', async () => {
    sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 10, tokenLifetimes: { salesforce: { accessSeconds: 2 } } });
    const base = await sandbox.listen(0);
    const minted = await (await fetch(`${base}/_sandbox/tokens`, json('POST', { provider: 'salesforce' }))).json() as Json;
    expect(minted.expiresIn).toBe(2);
    await fetch(`${base}/_sandbox/clock/advance`, json('POST', { ms: 2500 }));
    const res = await fetch(`${base}/salesforce/services/data/v60.0/limits`, { headers: { authorization: `Bearer ${minted.accessToken}` } });
    expect(res.status).toBe(401);
  });
});
