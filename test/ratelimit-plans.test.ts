import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import { RateLimiter } from '../src/ratelimit/limiter.ts';
import { ManualTimers } from '../src/ratelimit/manual-timers.ts';
import type { RateCall, RateLimitPolicy } from '../src/ratelimit/types.ts';

const T0 = 1_800_000_000_000;

/** Ten calls a second per connection; writes cost 2. */
const POLICY: RateLimitPolicy = {
  provider: 'test',
  rules: [{ name: 'calls', level: 'connection', per: 'connection', limit: 10, windowMs: 1_000, cost: (c) => (c.operation === 'write' ? 2 : 1) }],
  concurrency: [],
  defaultRetryAfterMs: 5_000,
  observationTtlMs: 60_000,
};

const CALL: RateCall = { provider: 'test', tenantId: 'ten_a', connectionId: 'con_1', operation: 'read' };

function setup(): RateLimiter {
  const clock = new ManualClock(T0);
  return new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, timers: new ManualTimers(clock), random: () => 0.5, policies: { test: POLICY } });
}

/** How many calls of `call` pass before the first refusal (at most 50). */
async function passing(limiter: RateLimiter, call: RateCall): Promise<number> {
  for (let n = 0; n < 50; n++) {
    try {
      await limiter.acquire(call, { timeoutMs: 0 });
    } catch {
      return n;
    }
  }
  return 50;
}

describe('RateLimiter plans of repeated calls', () => {
  it('applies a multiplier lowered after the same call was planned', async () => {
    const limiter = setup();
    await limiter.acquire(CALL, { timeoutMs: 0 });
    await limiter.acquire(CALL, { timeoutMs: 0 });
    await limiter.setMultiplier('con_1', 0.5);
    expect(await passing(limiter, CALL)).toBe(3);
  });

  it('applies an override set, then cleared, after the same call was planned', async () => {
    const limiter = setup();
    await limiter.acquire(CALL, { timeoutMs: 0 });
    await limiter.setOverride('connection:con_1', { limit: 3, windowMs: 1_000 });
    expect(await passing(limiter, CALL)).toBe(3);
    await limiter.setOverride('connection:con_1', null);
    expect(await passing(limiter, CALL)).toBe(6);
  });

  it('plans calls that differ only in operation apart (a write costs its own price)', async () => {
    const limiter = setup();
    await limiter.acquire(CALL, { timeoutMs: 0 });
    // Writes cost 2: four of them fill the remaining 9 to 1.
    expect(await passing(limiter, { ...CALL, operation: 'write' })).toBe(4);
    expect(await passing(limiter, CALL)).toBe(1);
  });
});
