import { describe, expect, it } from 'vitest';
import { TributaryError } from '../domain/errors.ts';
import { classifyFailure, redactSecrets } from './job-failure.ts';

describe('classifyFailure', () => {
  it("keeps a TributaryError's code, category and retryAfterMs", () => {
    const error = new TributaryError('PROVIDER_RATE_LIMITED', 'Slow down', { retryAfterMs: 1234 });
    expect(classifyFailure(error)).toEqual({ category: 'rate_limit', code: 'PROVIDER_RATE_LIMITED', message: 'Slow down', retryAfterMs: 1234 });
  });

  it('classifies foreign errors as transient JOB_FAILED, keeping the name and first line only', () => {
    const error = new TypeError('fetch failed\n    at connect (net.js:1:1)');
    expect(classifyFailure(error)).toEqual({ category: 'transient', code: 'JOB_FAILED', message: 'TypeError: fetch failed', retryAfterMs: undefined });
  });

  it('describes thrown non-errors without their value', () => {
    expect(classifyFailure('sk_live_secret').message).toBe('Handler threw a non-error value (string)');
    expect(classifyFailure(null).message).toBe('Handler threw a non-error value (null)');
  });

  it('bounds the message length', () => {
    expect(classifyFailure(new Error('x'.repeat(5000))).message.length).toBeLessThanOrEqual(500);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop'],
    ['GET https://alice:pa55word@api.example.com/v1', 'pa55word'],
    ['refresh failed: {"refresh_token": "1//0gXyZ-secret"}', '1//0gXyZ-secret'],
    ['callback?code_verifier=x&client_secret=shh-123&state=1', 'shh-123'],
    ['apiKey=AKIA1234567890', 'AKIA1234567890'],
    ['slack said xoxb-1234567890-abcdefghij is revoked', 'xoxb-1234567890-abcdefghij'],
    ['github token ghp_abcdefghijklmnopqrstuvwxyz0123 expired', 'ghp_abcdefghijklmnopqrstuvwxyz0123'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig-part-here', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0'],
  ])('removes the secret from %j', (text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('[redacted]');
  });

  it('leaves ordinary messages alone', () => {
    const text = 'Contact 003xx000004TmiQ not found (HTTP 404), error code 17';
    expect(redactSecrets(text)).toBe(text);
  });
});
