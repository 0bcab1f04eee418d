import { describe, expect, it } from 'vitest';
import { parseGithub, parseGoogle, parseNotion, parseObservation, parseSalesforce, parseSlack } from './index.ts';

const RESET_S = 1_800_003_600;

describe('GitHub answers', () => {
  const headers = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4987', 'x-ratelimit-used': '13', 'x-ratelimit-reset': String(RESET_S), 'x-ratelimit-resource': 'core' };

  it('reads the budget from the x-ratelimit headers of a success', () => {
    expect(parseGithub(200, headers, '[]')).toEqual({
      provider: 'github', status: 200, limited: false, resource: 'core', limit: 5000, remaining: 4987, used: 13, resetsAt: RESET_S * 1000, serverError: false,
    });
  });

  it('treats 403 with remaining 0 as the primary limit, waiting for the reset', () => {
    const body = { message: 'API rate limit exceeded for user ID 583231. If you reach out to GitHub Support for help, please include the request ID ABCD.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' };
    const o = parseGithub(403, { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000' }, JSON.stringify(body));
    expect(o).toMatchObject({ limited: true, resource: 'core', reason: 'primary_rate_limit', remaining: 0, retryAt: RESET_S * 1000 });
  });

  it('treats a secondary-limit message with retry-after as secondary, honouring retry-after', () => {
    const body = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/...' };
    const o = parseGithub(429, { ...headers, 'retry-after': '37' }, body);
    expect(o).toMatchObject({ limited: true, resource: 'secondary', retryAfterMs: 37_000, reason: 'secondary_rate_limit' });
  });

  it('waits at least a minute on a secondary limit without retry-after', () => {
    const o = parseGithub(403, headers, { message: 'You have exceeded a secondary rate limit and have been temporarily blocked from content creation.' });
    expect(o).toMatchObject({ limited: true, resource: 'secondary', retryAfterMs: 60_000 });
  });

  it('does not mistake a permission 403 for a limit', () => {
    const o = parseGithub(403, headers, { message: 'Resource not accessible by integration' });
    expect(o.limited).toBe(false);
  });

  it('reads headers from a fetch Headers object', () => {
    const o = parseGithub(200, new Headers({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '59', 'X-RateLimit-Reset': String(RESET_S), 'X-RateLimit-Resource': 'search' }), null);
    expect(o).toMatchObject({ resource: 'search', limit: 60, remaining: 59 });
  });
});

describe('Salesforce answers', () => {
  it('reads api-usage from Sforce-Limit-Info', () => {
    const o = parseSalesforce(200, { 'Sforce-Limit-Info': 'api-usage=10018/100000' }, '{}');
    expect(o).toMatchObject({ limited: false, resource: 'api-usage', used: 10018, limit: 100000, remaining: 89982 });
  });

  it('reads api-usage among older per-app entries', () => {
    const o = parseSalesforce(200, { 'sforce-limit-info': 'per-app-api-usage=17/250(appName=sample), api-usage=25/5000' }, null);
    expect(o).toMatchObject({ used: 25, limit: 5000 });
  });

  it('treats 403 REQUEST_LIMIT_EXCEEDED as the daily limit and other 403s as not', () => {
    const body = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
    expect(parseSalesforce(403, { 'sforce-limit-info': 'api-usage=5001/5000' }, JSON.stringify(body))).toMatchObject({ limited: true, scope: 'account', reason: 'REQUEST_LIMIT_EXCEEDED' });
    expect(parseSalesforce(403, {}, [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'no' }]).limited).toBe(false);
    expect(parseSalesforce(503, {}, null)).toMatchObject({ limited: false, serverError: true });
  });
});

describe('Slack answers', () => {
  it('reads a 429 with Retry-After and the ratelimited body', () => {
    expect(parseSlack(429, { 'retry-after': '30' }, '{"ok":false,"error":"ratelimited"}')).toMatchObject({ limited: true, retryAfterMs: 30_000, reason: 'ratelimited', scope: 'method' });
  });

  it('passes a normal answer', () => {
    expect(parseSlack(200, {}, { ok: true })).toEqual({ provider: 'slack', status: 200, limited: false, serverError: false });
  });
});

describe('Notion answers', () => {
  it('names the workspace budget from additional_data.rate_limit_reason', () => {
    const body = { object: 'error', status: 429, code: 'rate_limited', message: 'You have been rate limited. Please try again in a few minutes.', additional_data: { rate_limit_reason: 'workspace_rate_limit' } };
    expect(parseNotion(429, { 'Retry-After': '90' }, JSON.stringify(body))).toMatchObject({ limited: true, scope: 'workspace', retryAfterMs: 90_000, reason: 'workspace_rate_limit' });
  });

  it('defaults a plain rate_limited answer to the connection budget', () => {
    expect(parseNotion(429, { 'retry-after': '1' }, { object: 'error', status: 429, code: 'rate_limited', message: 'x' })).toMatchObject({ scope: 'connection', retryAfterMs: 1_000 });
  });

  it('treats 529 service_overload as a slow-down, not a budget', () => {
    expect(parseNotion(529, {}, { object: 'error', status: 529, code: 'service_overload' })).toMatchObject({ limited: false, serverError: true, reason: 'service_overload' });
  });
});

describe('Google answers', () => {
  it('blocks the user on 403 userRateLimitExceeded', () => {
    const body = { error: { errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }], code: 403, message: 'User Rate Limit Exceeded' } };
    expect(parseGoogle(403, {}, body)).toMatchObject({ limited: true, scope: 'user', reason: 'userRateLimitExceeded' });
  });

  it('blocks the project on 403 rateLimitExceeded', () => {
    const body = { error: { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }], code: 403, message: 'Rate Limit Exceeded' } };
    expect(parseGoogle(403, {}, body)).toMatchObject({ limited: true, scope: 'project', reason: 'rateLimitExceeded' });
  });

  it('reads a v1 429 RESOURCE_EXHAUSTED, per user when the quota limit says so', () => {
    const body = {
      error: {
        code: 429, message: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'", status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', metadata: { quota_limit: 'ReadRequestsPerMinutePerUser', service: 'people.googleapis.com' } }],
      },
    };
    expect(parseGoogle(429, { 'retry-after': '5' }, body)).toMatchObject({ limited: true, scope: 'user', retryAfterMs: 5_000 });
  });

  it('does not treat a permission 403 as a limit', () => {
    const body = { error: { errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }], code: 403 } };
    expect(parseGoogle(403, {}, body).limited).toBe(false);
  });
});

describe('Retry-After and unknown providers', () => {
  it('turns an HTTP-date Retry-After into an absolute retry time', () => {
    expect(parseObservation('other', 429, { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, null)).toMatchObject({ limited: true, retryAt: Date.UTC(2026, 9, 21, 7, 28) });
  });
});
