import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSandboxClock } from './clock.ts';
import { createTokenService, defaultClient } from './tokens.ts';
import type { IssueOptions, TokenGrant } from './types.ts';

const grant: TokenGrant = { provider: 'github', clientId: 'sandbox-github-client', account: 'octo', scopes: ['repo'], extra: {} };
const rotating: IssueOptions = { accessPrefix: 'ghu_', refreshPrefix: 'ghr_', accessSeconds: 60, refreshSeconds: 3600, rotateRefresh: true };

function setup(lifetimes = {}) {
  const clock = createSandboxClock();
  return { clock, tokens: createTokenService(clock, { tokenLifetimes: lifetimes }) };
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describe('token service', () => {
  it('exchanges a code once with a correct S256 verifier and refuses a wrong one', () => {
    const { tokens } = setup();
    const verifier = 'a'.repeat(43) + 'verifier';
    const code = tokens.createCode({ grant, redirectUri: 'http://app/cb', codeChallenge: s256(verifier), codeChallengeMethod: 'S256' });
    const ok = tokens.exchangeCode('github', { code, clientId: grant.clientId, redirectUri: 'http://app/cb', codeVerifier: verifier }, rotating);
    expect(ok.ok).toBe(true);
    expect(tokens.exchangeCode('github', { code, clientId: grant.clientId, codeVerifier: verifier }, rotating)).toEqual({ ok: false, reason: 'invalid_code' });

    const code2 = tokens.createCode({ grant, redirectUri: 'http://app/cb', codeChallenge: s256(verifier), codeChallengeMethod: 'S256' });
    expect(tokens.exchangeCode('github', { code: code2, clientId: grant.clientId, codeVerifier: 'wrong' }, rotating)).toEqual({ ok: false, reason: 'pkce_failed' });
  });

  it('supports plain PKCE, checks the redirect URI and expires codes after 10 minutes', () => {
    const { tokens, clock } = setup();
    const plain = tokens.createCode({ grant, redirectUri: 'http://app/cb', codeChallenge: 'plain-verifier', codeChallengeMethod: 'plain' });
    expect(tokens.exchangeCode('github', { code: plain, clientId: grant.clientId, codeVerifier: 'plain-verifier' }, rotating).ok).toBe(true);
    const other = tokens.createCode({ grant, redirectUri: 'http://app/cb' });
    expect(tokens.exchangeCode('github', { code: other, clientId: grant.clientId, redirectUri: 'http://evil/cb' }, rotating)).toEqual({ ok: false, reason: 'redirect_mismatch' });
    const late = tokens.createCode({ grant, redirectUri: 'http://app/cb' });
    clock.advance(10 * 60 * 1000 + 1);
    expect(tokens.exchangeCode('github', { code: late, clientId: grant.clientId }, rotating)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('checks Bearer headers with reasons and expires access tokens when the clock advances', () => {
    const { tokens, clock } = setup();
    const issued = tokens.issue(grant, rotating);
    expect(issued.accessToken.startsWith('ghu_')).toBe(true);
    expect(tokens.check('github', `Bearer ${issued.accessToken}`)).toEqual({ ok: true, grant });
    expect(tokens.check('github', undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(tokens.check('github', 'Basic abc def')).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.check('github', 'Bearer nope')).toEqual({ ok: false, reason: 'unknown' });
    expect(tokens.check('slack', `Bearer ${issued.accessToken}`)).toEqual({ ok: false, reason: 'unknown' });
    clock.advance(60_000);
    expect(tokens.check('github', `Bearer ${issued.accessToken}`)).toEqual({ ok: false, reason: 'expired' });
  });

  it('rotates refresh tokens: the old pair is revoked and reusing the old refresh token is refused', () => {
    const { tokens } = setup();
    const first = tokens.issue(grant, rotating);
    const second = tokens.refresh('github', first.refreshToken as string, grant.clientId, rotating);
    expect(second.ok).toBe(true);
    if (!second.ok) return;
    expect(second.tokens.refreshToken).not.toBe(first.refreshToken);
    expect(tokens.check('github', `Bearer ${first.accessToken}`)).toEqual({ ok: false, reason: 'revoked' });
    expect(tokens.check('github', `Bearer ${second.tokens.accessToken}`).ok).toBe(true);
    expect(tokens.refresh('github', first.refreshToken as string, grant.clientId, rotating)).toEqual({ ok: false, reason: 'reused' });
    expect(tokens.refresh('github', second.tokens.refreshToken as string, 'other-client', rotating)).toEqual({ ok: false, reason: 'client_mismatch' });
    expect(tokens.refreshCount('github')).toBe(1);
  });

  it('keeps the refresh token without rotation and honours per-provider lifetime overrides', () => {
    const { tokens, clock } = setup({ github: { accessSeconds: 2, refreshSeconds: 5 } });
    const first = tokens.issue(grant, { ...rotating, rotateRefresh: false });
    expect(first.expiresIn).toBe(2);
    const again = tokens.refresh('github', first.refreshToken as string, grant.clientId, { ...rotating, rotateRefresh: false });
    expect(again.ok && again.tokens.refreshToken).toBe(first.refreshToken);
    expect(tokens.check('github', `Bearer ${first.accessToken}`).ok).toBe(true);
    clock.advance(5000);
    expect(tokens.refresh('github', first.refreshToken as string, grant.clientId, rotating)).toEqual({ ok: false, reason: 'expired' });
  });

  it('slides an inactivity timeout forward on every successful check', () => {
    const { tokens, clock } = setup();
    const issued = tokens.issue(grant, { accessPrefix: 'x!', accessSeconds: 10, rotateRefresh: false, slidingAccess: true });
    for (let i = 0; i < 3; i++) {
      clock.advance(8000);
      expect(tokens.check('github', `Bearer ${issued.accessToken}`).ok).toBe(true);
    }
    clock.advance(10_000);
    expect(tokens.check('github', `Bearer ${issued.accessToken}`)).toEqual({ ok: false, reason: 'expired' });
  });

  it('revokes a refresh token together with its access token, and knows the default clients', () => {
    const { tokens } = setup();
    const issued = tokens.issue(grant, rotating);
    expect(tokens.revoke('github', issued.refreshToken as string)).toBe(true);
    expect(tokens.check('github', `Bearer ${issued.accessToken}`)).toEqual({ ok: false, reason: 'revoked' });
    expect(tokens.refresh('github', issued.refreshToken as string, grant.clientId, rotating)).toEqual({ ok: false, reason: 'revoked' });
    expect(tokens.revoke('github', 'nothing')).toBe(false);
    expect(defaultClient('slack')).toEqual({ clientId: 'sandbox-slack-client', clientSecret: 'sandbox-slack-secret' });
    expect(tokens.verifyClient('slack', 'sandbox-slack-client', 'sandbox-slack-secret')).toBe('ok');
    expect(tokens.verifyClient('slack', 'sandbox-slack-client', 'bad')).toBe('bad_secret');
    expect(tokens.verifyClient('slack', 'nobody')).toBe('unknown_client');
  });
});
