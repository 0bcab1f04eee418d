import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createSlackSimulator } from './index.ts';

type Json = Record<string, unknown>;

const CLIENT = { client_id: 'sandbox-slack-client', client_secret: 'sandbox-slack-secret' };
const REDIRECT = 'http://127.0.0.1:1/slack/callback';
const HOUR = 3_600_000;

let sandbox: Sandbox;
let base: string;

async function control(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Json;
}

async function form(method: string, args: Record<string, string>, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(`${base}/slack/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(args).toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

const authTest = (token: string) => form('auth.test', {}, { authorization: `Bearer ${token}` });

async function install(extra: Record<string, string> = {}): Promise<Json> {
  const query = new URLSearchParams({ client_id: CLIENT.client_id, scope: 'channels:read,chat:write,users:read', user_scope: 'users:read', redirect_uri: REDIRECT, state: 's-1', ...extra });
  const redirect = await fetch(`${base}/slack/oauth/v2/authorize?${query}`, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const location = new URL(redirect.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('s-1');
  const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64');
  return form('oauth.v2.access', { code: location.searchParams.get('code') ?? '', redirect_uri: REDIRECT }, { authorization: `Basic ${basic}` });
}

beforeAll(async () => {
  sandbox = await createSandbox({ providers: [createSlackSimulator()], seed: 8, size: 40 });
  base = await sandbox.listen(0);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('Slack OAuth and token rotation', () => {
  it('installs with a rotating bot token and a user token, both 12 h, with refresh tokens', async () => {
    const installed = await install();
    expect(installed).toMatchObject({ ok: true, token_type: 'bot', scope: 'channels:read,chat:write,users:read', expires_in: 43200, team: { id: expect.stringMatching(/^T/) } });
    expect(installed.access_token).toMatch(/^xoxe\.xoxb-/);
    expect(installed.refresh_token).toMatch(/^xoxe-/);
    expect(installed.authed_user).toMatchObject({ scope: 'users:read', token_type: 'user', expires_in: 43200 });
    expect((installed.authed_user as Json).access_token).toMatch(/^xoxe\.xoxp-/);
    expect(await authTest(String(installed.access_token))).toMatchObject({ ok: true, bot_id: expect.stringMatching(/^B/), user_id: installed.bot_user_id });
  });

  it('expires tokens after 12 h, refreshes with rotation, and refuses the used refresh token', async () => {
    const installed = await install();
    sandbox.ctx.clock.advance(12 * HOUR + 1_000);
    expect(await authTest(String(installed.access_token))).toEqual({ ok: false, error: 'token_expired' });

    const refreshed = await form('oauth.v2.access', { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(installed.refresh_token) });
    expect(refreshed).toMatchObject({ ok: true, token_type: 'bot', expires_in: 43200 });
    expect(refreshed.access_token).toMatch(/^xoxe\.xoxb-/);
    expect(refreshed.refresh_token).not.toBe(installed.refresh_token);
    expect((await authTest(String(refreshed.access_token))).ok).toBe(true);

    const reused = await form('oauth.v2.access', { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(installed.refresh_token) });
    expect(reused).toEqual({ ok: false, error: 'invalid_refresh_token' });
    expect(sandbox.ctx.tokens.refreshCount('slack')).toBe(1);

    const user = installed.authed_user as Json;
    const userRefreshed = await form('oauth.v2.access', { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(user.refresh_token) });
    expect(userRefreshed).toMatchObject({ ok: true, token_type: 'user' });
    expect(userRefreshed.access_token).toMatch(/^xoxe\.xoxp-/);
    expect(await authTest(String(userRefreshed.access_token))).toMatchObject({ ok: true, user_id: user.id });
  });

  it('keeps the old access token working until it expires when rotating early', async () => {
    const installed = await install();
    sandbox.ctx.clock.advance(10 * HOUR);
    const refreshed = await form('oauth.v2.access', { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(installed.refresh_token) });
    expect(refreshed.ok).toBe(true);
    expect((await authTest(String(installed.access_token))).ok).toBe(true);
    sandbox.ctx.clock.advance(2 * HOUR + 1_000);
    expect(await authTest(String(installed.access_token))).toEqual({ ok: false, error: 'token_expired' });
    expect((await authTest(String(refreshed.access_token))).ok).toBe(true);
    const again = await form('oauth.v2.access', { ...CLIENT, grant_type: 'refresh_token', refresh_token: String(refreshed.refresh_token) });
    expect(again.access_token).toMatch(/^xoxe\.xoxb-/);
  });

  it('issues non-expiring xoxb- tokens without refresh tokens when rotation is off', async () => {
    await control('POST', '/slack/settings', { tokenRotation: false });
    try {
      const installed = await install();
      expect(installed.access_token).toMatch(/^xoxb-\d+-\d+-/);
      expect(installed.refresh_token).toBeUndefined();
      expect(installed.expires_in).toBeUndefined();
      sandbox.ctx.clock.advance(365 * 24 * HOUR);
      expect((await authTest(String(installed.access_token))).ok).toBe(true);
    } finally {
      await control('POST', '/slack/settings', { tokenRotation: true });
    }
  });

  it('answers Slack errors for bad codes and client secrets', async () => {
    expect(await form('oauth.v2.access', { ...CLIENT, code: 'nope' })).toEqual({ ok: false, error: 'invalid_code' });
    expect(await form('oauth.v2.access', { client_id: CLIENT.client_id, client_secret: 'wrong', code: 'nope' })).toEqual({ ok: false, error: 'bad_client_secret' });
    expect(await form('oauth.v2.access', { client_id: 'unknown', client_secret: 'x', code: 'nope' })).toEqual({ ok: false, error: 'invalid_client_id' });
  });

  it('takes the token from the header or a form field, not from a JSON body, and revokes with auth.revoke', async () => {
    const token = String((await control('POST', '/tokens', { provider: 'slack' })).accessToken);
    expect((await form('auth.test', { token })).ok).toBe(true);
    expect(await form('auth.test', {})).toEqual({ ok: false, error: 'not_authed' });
    expect(await form('auth.test', { token: 'xoxb-not-a-token' })).toEqual({ ok: false, error: 'invalid_auth' });

    const json = (headers: Record<string, string>) =>
      fetch(`${base}/slack/api/auth.test`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify({ token }) }).then(
        (response) => response.json() as Promise<Json>,
      );
    expect(await json({})).toEqual({ ok: false, error: 'not_authed' });
    expect((await json({ authorization: `Bearer ${token}` })).ok).toBe(true);

    expect(await form('auth.revoke', { token })).toEqual({ ok: true, revoked: true });
    expect(await authTest(token)).toEqual({ ok: false, error: 'token_revoked' });
  });

  it('follows SandboxOptions.tokenLifetimes', async () => {
    const short = await createSandbox({ providers: [createSlackSimulator()], seed: 8, size: 20, tokenLifetimes: { slack: { accessSeconds: 5 } } });
    try {
      const tokens = short.core.simulators[0]?.mint(short.ctx, {});
      expect(tokens?.expiresIn).toBe(5);
      short.ctx.clock.advance(6_000);
      expect(short.ctx.tokens.check('slack', `Bearer ${tokens?.accessToken}`)).toEqual({ ok: false, reason: 'expired' });
    } finally {
      await short.close();
    }
  });
});
