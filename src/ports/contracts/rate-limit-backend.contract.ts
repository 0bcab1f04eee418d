import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CounterTake, RateLimitBackend, WindowTake } from '../rate-limit-backend.ts';

/**
 * The behaviour every RateLimitBackend must show (STYLE.md 3), run by the memory and the
 * Redis suites. Time is passed to every call, so no test sleeps. (Belongs in
 * src/ports/contracts/ beside the other contracts; kept here by ownership for now.)
 */
export interface RateLimitBackendHarness {
  readonly backend: RateLimitBackend;
  /** A second client on the same shared state (for Redis: another connection); the same backend for memory. */
  readonly second: RateLimitBackend;
  close(): Promise<void>;
}

const T0 = 1_800_000_000_000;
const win = (key: string, limit: number, windowMs = 10_000, extra: Partial<WindowTake> = {}): WindowTake => ({
  kind: 'window', key, limit, scale: 1, windowMs, cost: 1, observed: false, ...extra,
});

export function runRateLimitBackendContract(name: string, create: () => Promise<RateLimitBackendHarness>): void {
  describe(`RateLimitBackend contract: ${name}`, () => {
    let h: RateLimitBackendHarness;

    beforeEach(async () => {
      h = await create();
    });

    afterEach(async () => {
      await h.close();
    });

    async function takeN(takes: CounterTake[], n: number, now: number): Promise<number> {
      let ok = 0;
      for (let i = 0; i < n; i++) if ((await h.backend.take(takes, `l${i}`, now)).ok) ok++;
      return ok;
    }

    it('allows exactly the limit within a window and says when room comes back', async () => {
      expect(await takeN([win('a', 5)], 8, T0)).toBe(5);
      const refused = await h.backend.take([win('a', 5)], 'x', T0 + 1);
      expect(refused).toMatchObject({ ok: false, blocked: 0 });
      if (refused.ok) throw new Error('unreachable');
      // Every bucket overlapping the last 10 s counts: room returns once T0's bucket leaves.
      expect(refused.retryAfterMs).toBeGreaterThan(9_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(10_500);
      expect((await h.backend.take([win('a', 5)], 'y', T0 + 1 + refused.retryAfterMs)).ok).toBe(true);
    });

    it('never allows more than the limit in any window-long interval (sliding, not fixed)', async () => {
      const times = [0, 2_500, 5_000, 7_500, 9_999, 10_001, 12_000, 15_000, 19_000, 20_600];
      const granted: number[] = [];
      for (const t of times) for (let i = 0; i < 3; i++) if ((await h.backend.take([win('s', 4)], `l${t}${i}`, T0 + t)).ok) granted.push(t);
      for (const start of granted) expect(granted.filter((t) => t >= start && t < start + 10_000).length).toBeLessThanOrEqual(4);
      expect(granted.length).toBeGreaterThanOrEqual(8);
    });

    it('takes from every counter or from none', async () => {
      const takes = [win('outer', 10), win('inner', 2)];
      expect(await takeN(takes, 3, T0)).toBe(2);
      const outer = await h.backend.peek('outer', 10, 1, 10_000, T0);
      expect(outer.used).toBe(2);
      const refused = await h.backend.take(takes, 'z', T0);
      expect(refused).toMatchObject({ ok: false, blocked: 1 });
    });

    it('scales the limit and charges the cost', async () => {
      expect(await takeN([win('scaled', 10, 10_000, { scale: 0.5 })], 10, T0)).toBe(5);
      expect(await takeN([win('costly', 10, 10_000, { cost: 5 })], 3, T0)).toBe(2);
    });

    it('shares counts with a second client', async () => {
      expect(await takeN([win('shared', 3)], 2, T0)).toBe(2);
      expect((await h.second.take([win('shared', 3)], 'b1', T0)).ok).toBe(true);
      expect((await h.second.take([win('shared', 3)], 'b2', T0)).ok).toBe(false);
    });

    it('lets the provider figures win while its window lasts, then returns to the sliding count', async () => {
      expect(await takeN([win('gh', 100, 10_000, { observed: true })], 3, T0)).toBe(3);
      // Provider: 10 used of 12, reset in 5 s; one of our three is still in flight.
      await h.backend.observe('gh', { limit: 12, used: 10, resetsAt: T0 + 5_000, rolling: false }, true, T0);
      expect(await h.backend.peek('gh', 100, 1, 10_000, T0)).toEqual({ used: 12, limit: 12, resetsAt: T0 + 5_000 });
      expect((await h.backend.take([win('gh', 100)], 'n', T0 + 1)).ok).toBe(false);
      // Within the same window an answer overtaken by a later one cannot lower the count;
      // one fewer call is in flight now.
      await h.backend.observe('gh', { limit: 12, used: 8, resetsAt: T0 + 5_000, rolling: false }, true, T0 + 2);
      expect((await h.backend.peek('gh', 100, 1, 10_000, T0 + 2)).used).toBe(11);
      // A call the provider did not count (a 304) leaves no trace once answered.
      expect((await h.backend.take([win('gh', 100, 10_000, { observed: true })], 'c', T0 + 3)).ok).toBe(true);
      await h.backend.observe('gh', { limit: 12, used: 10, resetsAt: T0 + 5_000, rolling: false }, true, T0 + 4);
      expect((await h.backend.peek('gh', 100, 1, 10_000, T0 + 4)).used).toBe(11);
      // After the reset the overlay is gone.
      expect((await h.backend.take([win('gh', 100)], 'n2', T0 + 5_001)).ok).toBe(true);
    });

    it('replaces the count for a rolling window and blocks until a 429 says', async () => {
      await h.backend.observe('sf', { limit: 100, used: 40, resetsAt: T0 + 60_000, rolling: true }, false, T0);
      await h.backend.observe('sf', { limit: 100, used: 30, resetsAt: T0 + 60_001, rolling: true }, false, T0 + 1);
      expect((await h.backend.peek('sf', 1_000, 1, 86_400_000, T0 + 1)).used).toBe(30);
      await h.backend.block('slack', T0 + 30_000, T0);
      const refused = await h.backend.take([win('slack', 50)], 'q', T0 + 10);
      expect(refused).toMatchObject({ ok: false, retryAfterMs: 29_990 });
      expect((await h.backend.take([win('slack', 50)], 'q', T0 + 30_000)).ok).toBe(true);
    });

    it('keeps a block even when the provider then reports room', async () => {
      await h.backend.block('gh2', T0 + 60_000, T0);
      await h.backend.observe('gh2', { limit: 5_000, used: 10, resetsAt: T0 + 3_600_000, rolling: false }, false, T0 + 1);
      expect(await h.backend.take([win('gh2', 100)], 'q', T0 + 2)).toMatchObject({ ok: false, retryAfterMs: 59_998 });
      expect((await h.backend.take([win('gh2', 100)], 'q', T0 + 60_000)).ok).toBe(true);
    });

    it('holds concurrency leases until released or expired', async () => {
      const slot = { kind: 'concurrency', key: 'conc', limit: 2, leaseMs: 1_000 } as const;
      expect((await h.backend.take([slot], 'a', T0)).ok).toBe(true);
      expect((await h.backend.take([slot], 'b', T0)).ok).toBe(true);
      expect((await h.backend.take([slot], 'c', T0)).ok).toBe(false);
      await h.backend.release(['conc'], 'a');
      expect((await h.backend.take([slot], 'c', T0)).ok).toBe(true);
      expect((await h.backend.peekConcurrency('conc', 2, T0)).used).toBe(2);
      expect((await h.backend.take([slot], 'd', T0 + 1_001)).ok).toBe(true);
    });

    it('keeps multipliers, overrides and the registry, and resets counters', async () => {
      expect(await h.backend.getMultiplier('con_1')).toBeNull();
      await h.backend.setMultiplier('con_1', 0.625);
      expect(await h.second.getMultiplier('con_1')).toBe(0.625);
      await h.backend.setOverride('global', '{"limit":5,"windowMs":1000}');
      expect(await h.second.getOverrides()).toEqual({ global: '{"limit":5,"windowMs":1000}' });
      await h.backend.setOverride('global', null);
      expect(await h.second.getOverrides()).toEqual({});
      await h.backend.register('k', '{"a":1}');
      expect(await h.second.registry()).toEqual({ k: '{"a":1}' });
      expect(await takeN([win('r', 1)], 1, T0)).toBe(1);
      await h.backend.reset(['r']);
      expect(await takeN([win('r', 1)], 1, T0)).toBe(1);
      await h.backend.ping();
    });
  });
}
