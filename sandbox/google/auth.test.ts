import { createHash, generateKeyPairSync } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startGoogle, type GoogleHarness } from './test-harness.ts';

let h: GoogleHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const CLIENT = { client_id: 'sandbox-google-client', client_secret: 'sandbox-google-secret' };
const REDIRECT = 'https://app.example.com/oauth/google';

async function authorize(base: string, extra: Record<string, string>): Promise<string> {
  const params = new URLSearchParams({ client_id: CLIENT.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'https://www.googleapis.com/auth/contacts', state: 's1', ...extra });
  const res = await fetch(`${base}/google/o/oauth2/v2/auth?${params}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(String(res.headers.get('location')));
  expect(location.searchParams.get('state')).toBe('s1');
  return String(location.searchParams.get('code'));
}

async function token(base: string, form: Record<string, string>) {
  const res = await fetch(`${base}/google/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const verifier = 'a-long-random-code-verifier-string-for-pkce-0123456789';
const challenge = createHash('sha256').update(verifier).digest('base64url');

describe('Google OAuth', () => {
  it('issues ya29 tokens for 3599 s with a refresh token only offline and on consent; refresh does not rotate', async () => {
    h = await startGoogle();
    const code = await authorize(h.base, { access_type: 'offline', code_challenge: challenge, code_challenge_method: 'S256' });
    const wrongVerifier = await token(h.base, { ...CLIENT, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'wrong-verifier' });
    expect(wrongVerifier.json.error).toBe('invalid_grant');
    // The user consented on the first round, so only prompt=consent yields a refresh token again.
    const code2 = await authorize(h.base, { access_type: 'offline', prompt: 'consent', code_challenge: challenge, code_challenge_method: 'S256' });
    const first = await token(h.base, { ...CLIENT, grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/contacts' });
    expect(String(first.json.access_token)).toMatch(/^ya29\./);
    expect(first.json.refresh_token).toBeTruthy();

    const repeat = await token(h.base, { ...CLIENT, grant_type: 'authorization_code', code: await authorize(h.base, { access_type: 'offline' }), redirect_uri: REDIRECT });
    expect(repeat.json.refresh_token).toBeUndefined();
    const consent = await token(h.base, { ...CLIENT, grant_type: 'authorization_code', code: await authorize(h.base, { access_type: 'offline', prompt: 'consent' }), redirect_uri: REDIRECT });
    expect(consent.json.refresh_token).toBeTruthy();

    const people = (access: unknown) => fetch(`${h!.base}/google/v1/people/me/connections?personFields=names`, { headers: { authorization: `Bearer ${String(access)}` } });
    expect((await people(first.json.access_token)).status).toBe(200);
    h.sandbox.ctx.clock.advance(3599_000);
    const expired = await people(first.json.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', details: [{ reason: 'ACCESS_TOKEN_EXPIRED' }] } });

    const refreshed = await token(h.base, { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).toBeUndefined();
    expect((await people(refreshed.json.access_token)).status).toBe(200);
    const again = await token(h.base, { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) });
    expect(again.status).toBe(200);
    expect(h.sandbox.ctx.tokens.refreshCount('google')).toBe(2);

    const revoked = await fetch(`${h.base}/google/revoke?token=${encodeURIComponent(String(first.json.refresh_token))}`, { method: 'POST' });
    expect(revoked.status).toBe(200);
    const afterRevoke = await token(h.base, { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) });
    expect(afterRevoke).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
  });

  it("expires a testing app's refresh token after its lifetime with invalid_grant", async () => {
    h = await startGoogle({ tokenLifetimes: { google: { refreshSeconds: 7 * 86_400 } } });
    const issued = await token(h.base, { ...CLIENT, grant_type: 'authorization_code', code: await authorize(h.base, { access_type: 'offline' }), redirect_uri: REDIRECT });
    expect(issued.json.refresh_token_expires_in).toBe(7 * 86_400);
    h.sandbox.ctx.clock.advance(7 * 86_400_000);
    const refused = await token(h.base, { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(issued.json.refresh_token) });
    expect(refused).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
    const badClient = await token(h.base, { client_id: CLIENT.client_id, client_secret: 'nope', grant_type: 'refresh_token', refresh_token: 'x' });
    expect(badClient.status).toBe(401);
  });

  it('exchanges an RS256 service-account assertion for an access token and refuses forged or stale ones', async () => {
    h = await startGoogle();
    const key = (await h.control('POST', '/google/service-accounts')).json as { client_email: string; private_key: string; token_uri: string; private_key_id: string };
    expect(key.token_uri).toBe(`${h.base}/google/token`);
    const now = Math.floor(h.sandbox.ctx.clock.now() / 1000);
    const sign = async (pem: string, claims: Record<string, unknown>) =>
      new SignJWT({ scope: 'https://www.googleapis.com/auth/drive.readonly', ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })
        .setIssuer(key.client_email)
        .setAudience('https://oauth2.googleapis.com/token')
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(await importPKCS8(pem, 'RS256'));
    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    const ok = await token(h.base, { grant_type: grant, assertion: await sign(key.private_key, {}) });
    expect(ok.status).toBe(200);
    expect(String(ok.json.access_token)).toMatch(/^ya29\.c\./);
    expect(ok.json).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    const drive = await fetch(`${h.base}/google/drive/v3/changes/startPageToken`, { headers: { authorization: `Bearer ${String(ok.json.access_token)}` } });
    expect(drive.status).toBe(200);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await token(h.base, { grant_type: grant, assertion: await sign(other, {}) });
    expect(forged).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
    h.sandbox.ctx.clock.advance(2 * 3600_000);
    const stale = await token(h.base, { grant_type: grant, assertion: await sign(key.private_key, {}) });
    expect(stale.status).toBe(400);
    expect(String(stale.json.error_description)).toContain('short-lived token');
  });
});
