import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../provider.ts';
import { classifySalesforceError, DEFAULT_LIMIT_RETRY_MS, limitRetryAfterMs } from './errors.ts';

const read: HttpRequest = { method: 'GET', path: 'services/data/v60.0/query/', operation: 'read' };
const classify = (status: number, body: unknown, headers: Record<string, string> = {}) => classifySalesforceError({ status, headers, body }, read);

describe('salesforce error classification', () => {
  it('lets successes and 304 through', () => {
    expect(classify(200, { done: true })).toBeNull();
    expect(classify(204, null)).toBeNull();
    expect(classify(304, null)).toBeNull();
  });

  it('reads auth failures from REST, OAuth and identity answers', () => {
    expect(classify(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(classify(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' })?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(classify(400, { error: 'invalid_client', error_description: 'invalid client credentials' })?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(classify(403, 'Bad_OAuth_Token')?.code).toBe('PROVIDER_AUTH_FAILED');
  });

  it('estimates the wait for the rolling daily allocation from Sforce-Limit-Info', () => {
    const error = classify(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], { 'sforce-limit-info': 'api-usage=100500/100000' });
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: Math.round((501 * 86_400_000) / 100_000) });
    expect(limitRetryAfterMs({ 'sforce-limit-info': 'api-usage=100001/100000' })).toBe(60_000);
    expect(limitRetryAfterMs({ 'sforce-limit-info': 'api-usage=190000/100000' })).toBe(3_600_000);
    expect(limitRetryAfterMs({})).toBe(DEFAULT_LIMIT_RETRY_MS);
  });

  it('maps validation to bad data with the field, preconditions to conflicts, the rest by status', () => {
    expect(classify(400, [{ message: 'Required fields are missing: [LastName]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }])).toMatchObject({
      code: 'PROVIDER_BAD_DATA',
      field: 'LastName',
      details: { errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'], status: 400 },
    });
    expect(classify(412, [{ message: 'modified', errorCode: 'PRECONDITION_FAILED' }])?.code).toBe('CONFLICT');
    expect(classify(403, [{ message: 'no access', errorCode: 'INSUFFICIENT_ACCESS' }])?.code).toBe('PROVIDER_REJECTED');
    expect(classify(404, [{ message: 'gone', errorCode: 'NOT_FOUND' }])?.code).toBe('PROVIDER_REJECTED');
    expect(classify(503, [{ message: 'busy', errorCode: 'SERVER_UNAVAILABLE' }])?.code).toBe('PROVIDER_UNAVAILABLE');
    expect(classify(502, '<html>Bad Gateway</html>')?.code).toBe('PROVIDER_UNAVAILABLE');
  });
});
