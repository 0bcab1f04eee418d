import { describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../webhooks/index.ts';
import { DEFAULT_RETRY_SCHEDULE_MS, nextRetryDelay } from './schedule.ts';
import { newWhsecSecret, signStandardWebhook } from './signing.ts';

describe('signStandardWebhook', () => {
  it('produces signatures the Standard Webhooks verifier accepts, one per active secret', () => {
    const [a, b] = [newWhsecSecret(), newWhsecSecret()];
    const body = '{"type":"entity.created"}';
    const signature = signStandardWebhook('msg_1', 1_767_600_000, body, [a, b]);
    expect(signature.split(' ').map((entry) => entry.slice(0, 3))).toEqual(['v1,', 'v1,']);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1767600000', 'webhook-signature': signature };
    for (const secret of [a, b]) expect(verifyStandardWebhook(Buffer.from(body), headers, [secret], 1_767_600_000_000).ok).toBe(true);
    expect(verifyStandardWebhook(Buffer.from(`${body} `), headers, [a], 1_767_600_000_000).ok).toBe(false);
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the spec's reference libraries' tests (secret, msg id, timestamp, payload).
    const signature = signStandardWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']);
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('nextRetryDelay', () => {
  it('follows the schedule for at least a day, with ±10 % jitter, never before Retry-After', () => {
    expect(DEFAULT_RETRY_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(86_400_000);
    expect(nextRetryDelay([1000, 2000], 1, () => 0.5, null)).toBe(1000);
    expect(nextRetryDelay([1000, 2000], 2, () => 0, null)).toBe(1800);
    expect(nextRetryDelay([1000, 2000], 2, () => 0.999999, null)).toBe(2200);
    expect(nextRetryDelay([1000, 2000], 1, () => 0.5, 30_000)).toBe(30_000);
    expect(nextRetryDelay([1000, 2000], 3, () => 0.5, null)).toBeNull();
  });
});
