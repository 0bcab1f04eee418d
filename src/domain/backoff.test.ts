import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideRetry, rateLimitDelayMs } from './backoff.ts';

const policy = { baseMs: 1000, maxMs: 300_000 };
const fixed = (value: number) => () => value;

describe('backoffDelayMs (full jitter)', () => {
  it('doubles the window with each attempt', () => {
    const nearlyOne = fixed(0.999999);
    expect(backoffDelayMs(1, policy, nearlyOne)).toBe(999);
    expect(backoffDelayMs(2, policy, nearlyOne)).toBe(1999);
    expect(backoffDelayMs(4, policy, nearlyOne)).toBe(7999);
  });

  it('spreads the delay uniformly over the window', () => {
    expect(backoffDelayMs(3, policy, fixed(0))).toBe(0);
    expect(backoffDelayMs(3, policy, fixed(0.5))).toBe(2000);
    expect(backoffDelayMs(3, policy, fixed(0.25))).toBe(1000);
  });

  it('never exceeds maxMs, even after many attempts', () => {
    expect(backoffDelayMs(40, policy, fixed(0.999999))).toBeLessThan(300_000);
    expect(backoffDelayMs(10_000, policy, fixed(0.5))).toBe(150_000);
  });

  it('tolerates a random source that strays outside [0, 1)', () => {
    expect(backoffDelayMs(1, policy, fixed(1))).toBeLessThan(1000);
    expect(backoffDelayMs(1, policy, fixed(-3))).toBe(0);
    expect(backoffDelayMs(1, policy, fixed(Number.NaN))).toBe(0);
  });
});

describe('rateLimitDelayMs', () => {
  it('never retries before Retry-After and adds at most a tenth (capped at baseMs) of jitter', () => {
    expect(rateLimitDelayMs(5000, policy, fixed(0))).toBe(5000);
    expect(rateLimitDelayMs(5000, policy, fixed(0.999999))).toBe(5499);
    expect(rateLimitDelayMs(60_000, policy, fixed(0.999999))).toBe(60_999);
  });

  it('honours a Retry-After longer than maxMs', () => {
    expect(rateLimitDelayMs(3_600_000, policy, fixed(0))).toBe(3_600_000);
  });
});

describe('decideRetry', () => {
  it.each(['auth', 'permanent', 'bad_data'] as const)('sends %s failures straight to the dead letters', (category) => {
    expect(decideRetry({ category, attempt: 1, maxAttempts: 5 }, policy, fixed(0.5))).toEqual({
      kind: 'dead-letter',
      reason: 'not-retryable',
    });
  });

  it('retries transient failures with backoff until attempts run out', () => {
    expect(decideRetry({ category: 'transient', attempt: 2, maxAttempts: 3 }, policy, fixed(0.5))).toEqual({
      kind: 'retry',
      delayMs: 1000,
    });
    expect(decideRetry({ category: 'transient', attempt: 3, maxAttempts: 3 }, policy, fixed(0.5))).toEqual({
      kind: 'dead-letter',
      reason: 'attempts-exhausted',
    });
  });

  it('waits for retryAfterMs on a rate limit, and backs off when none was given', () => {
    expect(decideRetry({ category: 'rate_limit', retryAfterMs: 30_000, attempt: 1, maxAttempts: 5 }, policy, fixed(0))).toEqual({
      kind: 'retry',
      delayMs: 30_000,
    });
    expect(decideRetry({ category: 'rate_limit', attempt: 1, maxAttempts: 5 }, policy, fixed(0.5))).toEqual({
      kind: 'retry',
      delayMs: 500,
    });
  });

  it('dead-letters a rate-limited job that has used all its attempts', () => {
    expect(decideRetry({ category: 'rate_limit', retryAfterMs: 10, attempt: 5, maxAttempts: 5 }, policy, fixed(0))).toEqual({
      kind: 'dead-letter',
      reason: 'attempts-exhausted',
    });
  });
});
