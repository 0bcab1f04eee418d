import { describe, expect, it } from 'vitest';
import { runSharedBudget } from './ratelimit-run.fixture.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two processes, four workers each, one GitHub token whose limit the sandbox lowers to a
 * few hundred calls for its hourly window. The limiter shares the budget through Redis
 * and learns it from the x-ratelimit headers. (The sandbox's windows are an hour long,
 * so "the window" here is spending the whole allowance, not a few seconds of rate.)
 */
describe('a budget shared by 8 workers in two processes through Redis', () => {
  it('uses at least 90% of the allowed budget without a single 429', async () => {
    const result = await runSharedBudget({ limit: 300, processes: 2, workersPerProcess: 4, redisUrl: REDIS_URL });
    expect(result.provider429s).toBe(0);
    expect(result.workers.map((w) => w.refused)).toEqual([0, 0]);
    expect(result.utilisation).toBeGreaterThanOrEqual(0.9);
    expect(result.used).toBeLessThanOrEqual(300);
    // Both processes did part of the work and stopped because the budget was gone.
    for (const w of result.workers) {
      expect(w.ok).toBeGreaterThan(30);
      expect(w.stoppedBy).toEqual(['budget-exhausted']);
    }
  });

  it('follows a provider that lowers its limit mid-run within a few calls', async () => {
    const result = await runSharedBudget({ limit: 400, lowerTo: 250, lowerAfter: 100, processes: 2, workersPerProcess: 4, redisUrl: REDIS_URL });
    expect(result.allowed).toBe(250);
    // At most the calls already in flight when the limit fell can be refused.
    expect(result.provider429s).toBeLessThanOrEqual(8);
    expect(result.used).toBeLessThanOrEqual(250);
    expect(result.utilisation).toBeGreaterThanOrEqual(0.9);
  });
});
