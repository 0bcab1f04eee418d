import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../provider.ts';
import { classifyGithubError, DEFAULT_RATE_LIMIT_WAIT_MS, githubRetryAfterMs } from './errors.ts';

const read: HttpRequest = { method: 'GET', path: 'repos/o/r/issues', operation: 'read' };
const classify = (status: number, body: unknown, headers: Record<string, string> = {}, request = read) => classifyGithubError({ status, headers, body }, request);

describe('github error classification', () => {
  it('lets successes and 304 through', () => {
    expect(classify(200, [])).toBeNull();
    expect(classify(304, null)).toBeNull();
  });

  it('turns a 200 from the token endpoint with an error field into an auth error', () => {
    const token: HttpRequest = { method: 'POST', path: 'https://github.com/login/oauth/access_token', operation: 'write' };
    expect(classify(200, { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' }, {}, token)).toMatchObject({
      code: 'PROVIDER_AUTH_FAILED',
      details: { oauthError: 'bad_refresh_token' },
    });
    expect(classify(200, 'error=bad_verification_code&error_description=expired', {}, token)?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(classify(200, { access_token: 'gho_x' }, {}, token)).toBeNull();
  });

  it('tells rate limits (primary and secondary, 403 or 429) from other refusals', () => {
    expect(classify(401, { message: 'Bad credentials' })?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(classify(429, { message: 'secondary' }, { 'retry-after': '30' })).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 30_000 });
    expect(classify(403, { message: 'You have exceeded a secondary rate limit.' })).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS });
    expect(classify(403, { message: 'API rate limit exceeded for user ID 1.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4102444800' })?.code).toBe('PROVIDER_RATE_LIMITED');
    expect(classify(403, { message: 'Resource not accessible by integration' })?.code).toBe('PROVIDER_REJECTED');
    expect(classify(404, { message: 'Not Found' })?.code).toBe('PROVIDER_REJECTED');
    expect(classify(410, { message: 'This issue was deleted' })?.code).toBe('PROVIDER_REJECTED');
  });

  it('waits for retry-after, else the reset time, else a minute', () => {
    expect(githubRetryAfterMs({ 'retry-after': '5' }, 0)).toBe(5_000);
    expect(githubRetryAfterMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1000' }, 900_000)).toBe(100_000);
    expect(githubRetryAfterMs({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '1000' }, 900_000)).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
  });

  it('maps validation to bad data with GitHub\'s errors and the field, 5xx to unavailable', () => {
    const error = classify(422, { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'invalid', field: 'color' }] });
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_DATA', field: 'color', details: { errors: [{ resource: 'Label', code: 'invalid', field: 'color' }] } });
    expect(classify(400, { message: 'Problems parsing JSON' })?.code).toBe('PROVIDER_BAD_DATA');
    expect(classify(503, { message: 'Service Unavailable' })?.code).toBe('PROVIDER_UNAVAILABLE');
  });
});
