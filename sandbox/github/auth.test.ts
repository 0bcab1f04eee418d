import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createGithubSimulator } from './index.ts';

const HOUR = 3_600_000;
const CLIENT = { client_id: 'sandbox-github-client', client_secret: 'sandbox-github-secret' };
const REDIRECT = 'http://127.0.0.1:1/callback';

let sandbox: Sandbox;
let base: string;

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

async function authorize(extra: Record<string, string> = {}): Promise<{ code: string; state: string | null }> {
  const query = new URLSearchParams({ client_id: CLIENT.client_id, redirect_uri: REDIRECT, state: 'st-42', scope: 'repo', ...extra });
  const response = await fetch(`${base}/github/login/oauth/authorize?${query}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe(REDIRECT);
  return { code: location.searchParams.get('code') ?? '', state: location.searchParams.get('state') };
}

async function tokenCall(fields: Record<string, string>, json = true): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${base}/github/login/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(json ? { accept: 'application/json' } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  const body = json ? (JSON.parse(text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(text));
  return { status: response.status, body };
}

async function user(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/github/user`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  sandbox = await createSandbox({ providers: [createGithubSimulator()], seed: 3, size: 60 });
  base = await sandbox.listen(0);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('GitHub App user tokens', () => {
  it('exchanges a PKCE code for an 8 h ghu_ token and a 6 month ghr_ refresh token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const { code, state } = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    expect(state).toBe('st-42');
    const { status, body } = await tokenCall({ ...CLIENT, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(status).toBe(200);
    expect(body.access_token).toMatch(/^ghu_/);
    expect(body.refresh_token).toMatch(/^ghr_/);
    expect(body).toMatchObject({ expires_in: 28800, refresh_token_expires_in: 15811200, scope: '', token_type: 'bearer' });
    expect((await user(body.access_token ?? '')).status).toBe(200);
  });

  it('refuses a wrong PKCE verifier and a reused code with HTTP 200 bad_verification_code', async () => {
    const challenge = createHash('sha256').update('the-right-verifier-the-right-verifier-123').digest('base64url');
    const { code } = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await tokenCall({ ...CLIENT, code, code_verifier: 'not-the-verifier-not-the-verifier-000000' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.error).toBe('bad_verification_code');
    const { code: plainCode } = await authorize();
    expect((await tokenCall({ ...CLIENT, code: plainCode })).body.access_token).toMatch(/^ghu_/);
    expect((await tokenCall({ ...CLIENT, code: plainCode })).body.error).toBe('bad_verification_code');
  });

  it('answers form-encoded when the client does not ask for JSON', async () => {
    const { code } = await authorize();
    const { body } = await tokenCall({ ...CLIENT, code }, false);
    expect(body.access_token).toMatch(/^ghu_/);
    expect(body.token_type).toBe('bearer');
  });

  it('expires the access token after 8 h, rotates on refresh, and refuses the used refresh token and its access token', async () => {
    const { code } = await authorize();
    const first = (await tokenCall({ ...CLIENT, code })).body;
    sandbox.ctx.clock.advance(8 * HOUR + 1_000);
    const expired = await user(first.access_token ?? '');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ message: 'Bad credentials' });

    const refreshed = await tokenCall({ ...CLIENT, grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(refreshed.body.access_token).toMatch(/^ghu_/);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect((await user(refreshed.body.access_token ?? '')).status).toBe(200);

    const reused = await tokenCall({ ...CLIENT, grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(reused.status).toBe(200);
    expect(reused.body).toMatchObject({ error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' });

    // Rotation also retires the access token that came with the used refresh token.
    const second = await tokenCall({ ...CLIENT, grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token ?? '' });
    expect(second.body.access_token).toMatch(/^ghu_/);
    expect((await user(refreshed.body.access_token ?? '')).status).toBe(401);
    expect((await user(second.body.access_token ?? '')).status).toBe(200);
  });

  it('refuses wrong client credentials on the token endpoint', async () => {
    const { code } = await authorize();
    const { body } = await tokenCall({ client_id: CLIENT.client_id, client_secret: 'wrong', code });
    expect(body.error).toBe('incorrect_client_credentials');
    const { code: another } = await authorize();
    expect((await tokenCall({ client_id: CLIENT.client_id, code: another })).body.error).toBe('incorrect_client_credentials');
  });

  it('issues non-expiring gho_ tokens without refresh tokens when the client is an OAuth App', async () => {
    await control('POST', '/github/settings', { oauthKind: 'oauth_app' });
    try {
      const { code } = await authorize();
      const { body } = await tokenCall({ ...CLIENT, code });
      expect(body.access_token).toMatch(/^gho_/);
      expect(body.refresh_token).toBeUndefined();
      expect(body.expires_in).toBeUndefined();
      expect(body.scope).toBe('repo');
      sandbox.ctx.clock.advance(300 * 24 * HOUR);
      expect((await user(body.access_token ?? '')).status).toBe(200);
    } finally {
      await control('POST', '/github/settings', { oauthKind: 'github_app' });
    }
  });
});

describe('GitHub App installation tokens', () => {
  async function appJwt(claims: { iatOffset?: number; expOffset?: number; iss?: string | number }, key?: string): Promise<string> {
    const app = await control('GET', '/github/app');
    const now = Math.floor(sandbox.ctx.clock.now() / 1000);
    const privateKey = await importPKCS8(key ?? String(app.privateKeyPkcs8), 'RS256');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt(now + (claims.iatOffset ?? -60))
      .setExpirationTime(now + (claims.expOffset ?? 540))
      .setIssuer(String(claims.iss ?? app.appId))
      .sign(privateKey);
  }

  async function installationToken(jwt: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const app = await control('GET', '/github/app');
    const response = await fetch(`${base}/github/app/installations/${String(app.installationId)}/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, accept: 'application/vnd.github+json' },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('exchanges a signed app JWT for a ghs_ token that works for an hour', async () => {
    const { status, body } = await installationToken(await appJwt({}));
    expect(status).toBe(201);
    expect(body.token).toMatch(/^ghs_/);
    const expiresAt = Date.parse(String(body.expires_at));
    expect(Math.abs(expiresAt - (sandbox.ctx.clock.now() + HOUR))).toBeLessThan(5_000);

    const headers = { authorization: `Bearer ${String(body.token)}` };
    const repos = await fetch(`${base}/github/installation/repositories`, { headers });
    expect(repos.status).toBe(200);
    expect(((await repos.json()) as { total_count: number }).total_count).toBeGreaterThan(0);
    expect(Number(repos.headers.get('x-ratelimit-limit'))).toBeGreaterThanOrEqual(5000);
    const notUser = await fetch(`${base}/github/user`, { headers });
    expect(notUser.status).toBe(403);
    expect(await notUser.json()).toMatchObject({ message: 'Resource not accessible by integration' });

    sandbox.ctx.clock.advance(HOUR + 1_000);
    const expired = await fetch(`${base}/github/installation/repositories`, { headers });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ message: 'Bad credentials' });
  });

  it('refuses JWTs that expire more than 10 minutes ahead, have expired, or are signed by another key', async () => {
    const tooLong = await installationToken(await appJwt({ iatOffset: 0, expOffset: 1200 }));
    expect(tooLong.status).toBe(401);
    expect(String(tooLong.body.message)).toContain("'Expiration time' claim ('exp') is too far in the future");

    const expired = await installationToken(await appJwt({ iatOffset: -700, expOffset: -100 }));
    expect(expired.status).toBe(401);

    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await installationToken(await appJwt({}, stranger));
    expect(forged.status).toBe(401);
    expect(forged.body.message).toBe('A JSON web token could not be decoded');
  });
});

describe('GitHub token lifetimes', () => {
  it('follows SandboxOptions.tokenLifetimes', async () => {
    const short = await createSandbox({ providers: [createGithubSimulator()], seed: 3, size: 30, tokenLifetimes: { github: { accessSeconds: 2 } } });
    try {
      const tokens = short.core.simulators[0]?.mint(short.ctx, {});
      expect(tokens?.expiresIn).toBe(2);
      const url = await short.listen(0);
      const ok = await fetch(`${url}/github/user`, { headers: { authorization: `token ${tokens?.accessToken}` } });
      expect(ok.status).toBe(200);
      short.ctx.clock.advance(2_500);
      const expired = await fetch(`${url}/github/user`, { headers: { authorization: `token ${tokens?.accessToken}` } });
      expect(expired.status).toBe(401);
    } finally {
      await short.close();
    }
  });
});
