import { describe, expect, it } from 'vitest';
import { isTributaryError, type TributaryError } from '../domain/errors.ts';
import type { ProviderId } from '../providers/provider.ts';
import { isDeadGrant, parseTokenAnswer } from './token-response.ts';

function failure(provider: ProviderId, status: number, body: unknown): TributaryError {
  try {
    parseTokenAnswer(provider, status, body);
  } catch (error) {
    if (isTributaryError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('parseTokenAnswer', () => {
  it('reads GitHub errors answered with HTTP 200, JSON or form-encoded, as dead grants', () => {
    const json = failure('github', 200, { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' });
    expect(json.code).toBe('PROVIDER_AUTH_FAILED');
    expect(isDeadGrant(json)).toBe(true);
    expect(isDeadGrant(failure('github', 200, 'error=bad_refresh_token&error_description=x'))).toBe(true);
    expect(isDeadGrant(failure('github', 200, { error: 'incorrect_client_credentials' }))).toBe(false);
  });

  it('reads Slack: ok:false errors, a bot token with token_type "bot", rotation fields, and a user-only install', () => {
    expect(isDeadGrant(failure('slack', 200, { ok: false, error: 'invalid_refresh_token' }))).toBe(true);
    expect(failure('slack', 200, { ok: false, error: 'bad_client_secret' }).code).toBe('PROVIDER_AUTH_FAILED');
    expect(
      parseTokenAnswer('slack', 200, { ok: true, access_token: 'xoxe.xoxb-1', token_type: 'bot', expires_in: 43200, refresh_token: 'xoxe-1', scope: 'a,b', team: { id: 'T1', name: 'Team' }, bot_user_id: 'U9', app_id: 'A1', authed_user: { id: 'U1' } }),
    ).toEqual({ accessToken: 'xoxe.xoxb-1', tokenType: 'bot', expiresIn: 43200, refreshToken: 'xoxe-1', scopes: ['a', 'b'], account: { teamId: 'T1', teamName: 'Team', appId: 'A1', botUserId: 'U9', authedUserId: 'U1' } });
    expect(parseTokenAnswer('slack', 200, { ok: true, team: { id: 'T1' }, authed_user: { id: 'U1', access_token: 'xoxp-1', token_type: 'user', scope: 'x' } })).toMatchObject({ accessToken: 'xoxp-1', tokenType: 'user' });
  });

  it('reads Salesforce: instance_url, no expires_in', () => {
    const answer = parseTokenAnswer('salesforce', 200, { access_token: '00D!AR', refresh_token: '5Aep', instance_url: 'https://na1.example', id: 'https://login/id/00D/005', token_type: 'Bearer', issued_at: '1' });
    expect(answer).toMatchObject({ accessToken: '00D!AR', refreshToken: '5Aep', instanceUrl: 'https://na1.example', tokenType: 'bearer' });
    expect(answer.expiresIn).toBeUndefined();
    expect(isDeadGrant(failure('salesforce', 400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }))).toBe(true);
  });

  it('reads Google and Notion answers, and tells passing trouble from refusals', () => {
    expect(parseTokenAnswer('google', 200, { access_token: 'ya29.a', expires_in: 3599, scope: 'openid email', token_type: 'Bearer' })).toMatchObject({ expiresIn: 3599, scopes: ['openid', 'email'] });
    expect(parseTokenAnswer('notion', 200, { access_token: 'ntn_1', refresh_token: null, workspace_id: 'w', bot_id: 'b' })).toMatchObject({ accessToken: 'ntn_1', account: { workspaceId: 'w', botId: 'b' } });
    expect(failure('google', 503, { error: 'backendError' }).code).toBe('PROVIDER_UNAVAILABLE');
    expect(failure('google', 429, 'slow down').code).toBe('PROVIDER_RATE_LIMITED');
    expect(failure('google', 200, {}).code).toBe('PROVIDER_UNAVAILABLE');
    expect(failure('notion', 400, { error: 'unsupported_grant_type' }).code).toBe('PROVIDER_REJECTED');
  });

  it('never puts a token value in an error', () => {
    const error = failure('google', 400, { error: 'invalid_grant', access_token: 'ya29.SECRET' });
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('SECRET');
  });
});
