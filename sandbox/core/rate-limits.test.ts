import { describe, expect, it } from 'vitest';
import { createSandboxClock } from './clock.ts';
import { createRateLimits } from './rate-limits.ts';

describe('rate limits', () => {
  it('scales the real limit (at least 1) and refuses past it until the fixed window resets', () => {
    const clock = createSandboxClock();
    const limits = createRateLimits(clock, () => 0.01);
    const rule = { key: 'github:core:u1', limit: 500, windowMs: 3_600_000 };
    for (let i = 0; i < 5; i++) expect(limits.take(rule).allowed).toBe(true);
    const refused = limits.take(rule);
    expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0, used: 5 });
    expect(refused.retryAfterSeconds).toBeGreaterThan(3500);
    clock.advance(3_600_000);
    expect(limits.take(rule)).toMatchObject({ allowed: true, used: 1, remaining: 4 });
    expect(limits.take({ key: 'tiny', limit: 10, windowMs: 1000 }).limit).toBe(1);
  });

  it('counts costs and applies the longest matching override prefix, which can be cleared', () => {
    const clock = createSandboxClock();
    const limits = createRateLimits(clock, () => 1);
    const rule = { key: 'github:secondary:u1', limit: 900, windowMs: 60_000, cost: 5 };
    limits.override('github:', 100);
    limits.override('github:secondary:', 10);
    expect(limits.take(rule)).toMatchObject({ allowed: true, limit: 10, used: 5 });
    expect(limits.take(rule)).toMatchObject({ allowed: true, used: 10 });
    expect(limits.take(rule).allowed).toBe(false);
    limits.override('github:secondary:', null);
    expect(limits.take(rule)).toMatchObject({ allowed: true, limit: 100, used: 15 });
    expect(limits.usage()).toEqual([expect.objectContaining({ key: 'github:secondary:u1', used: 15, limit: 100 })]);
  });

  it('frees a sliding window call by call as the oldest calls age out', () => {
    const clock = createSandboxClock();
    const limits = createRateLimits(clock, () => 1);
    const rule = { key: 'sf', limit: 3, windowMs: 10_000, sliding: true };
    limits.take(rule);
    clock.advance(4000);
    limits.take(rule);
    limits.take(rule);
    expect(limits.take(rule).allowed).toBe(false);
    clock.advance(6000);
    expect(limits.peek(rule)).toMatchObject({ allowed: true, used: 2 });
    expect(limits.take(rule).allowed).toBe(true);
    expect(limits.take(rule).allowed).toBe(false);
  });

  it('counts rejections per provider', () => {
    const limits = createRateLimits(createSandboxClock(), () => 1);
    limits.recordRejection('slack');
    limits.recordRejection('slack');
    limits.recordRejection('github');
    expect(limits.rejections('slack')).toBe(2);
    expect(limits.rejections()).toBe(3);
  });
});
