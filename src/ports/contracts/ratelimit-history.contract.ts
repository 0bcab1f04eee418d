import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimitSample, Store } from '../store.ts';

/**
 * The rate-limit history repository of the Store port (usage samples: idempotent record,
 * filtered oldest-first pages, tenant isolation, expiry by `purgeExpired`), registered as
 * vitest cases; every backend's suite calls it. Only the port is used. `create` gives a
 * fresh, NOT yet migrated store and its cleanup.
 */
export function runRateLimitHistoryContract(name: string, create: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`Store contract (rate-limit history): ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const T0 = Date.parse('2026-01-01T00:00:00.000Z');
    const MINUTE = 60_000;
    const iso = (ms: number): string => new Date(T0 + ms).toISOString();

    const sample = (key: string, minute: number, used: number, extra: Partial<RateLimitSample> = {}): RateLimitSample => ({
      key, at: iso(minute * MINUTE), level: 'connection', kind: 'window', rule: 'core', provider: 'github', tenantId: 'ten_a', connectionId: 'con_a',
      used, limit: 5000, windowMs: 3_600_000, expiresAt: iso(minute * MINUTE + 7 * 86_400_000), ...extra,
    });
    const connA = (minute: number, used: number): RateLimitSample => sample('connection:github:core:con_a', minute, used);
    const connB = (minute: number, used: number): RateLimitSample => sample('connection:github:core:con_b', minute, used, { tenantId: 'ten_b', connectionId: 'con_b' });
    const global = (minute: number, used: number): RateLimitSample =>
      sample('global:*', minute, used, { level: 'global', rule: 'global', provider: null, tenantId: null, connectionId: null, limit: 100, windowMs: 1000 });

    beforeEach(async () => {
      const fixture = await create();
      store = fixture.store;
      cleanup = fixture.cleanup;
      await store.migrate();
    });

    afterEach(async () => {
      await cleanup();
    });

    it('stores each (budget, time) once: recording the same interval again keeps the first sample', async () => {
      expect(await store.rateLimitHistory.record([connA(0, 3), connA(1, 7)])).toBe(2);
      // A second sampler of minute 1 (a leader hand-over) and a new minute.
      expect(await store.rateLimitHistory.record([connA(1, 9), connA(2, 11)])).toBe(1);
      const page = await store.rateLimitHistory.list({ key: 'connection:github:core:con_a' });
      expect(page.items.map((s) => [s.at, s.used])).toEqual([[iso(0), 3], [iso(MINUTE), 7], [iso(2 * MINUTE), 11]]);
      expect(page.items[0]).toEqual(connA(0, 3));
      expect(await store.rateLimitHistory.record([])).toBe(0);
    });

    it('lists oldest first, filtered by tenant, connection, provider, level and a half-open time range', async () => {
      await store.rateLimitHistory.record([connA(0, 1), connB(0, 2), global(0, 3), connA(1, 4), connB(1, 5), global(1, 6), connA(2, 7)]);
      const all = await store.rateLimitHistory.list();
      expect(all.items.map((s) => s.used)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      // A tenant's samples are its own: neither the other tenant's nor the tenant-less global budget.
      expect((await store.rateLimitHistory.list({ tenantId: 'ten_a' })).items.map((s) => s.used)).toEqual([1, 4, 7]);
      expect((await store.rateLimitHistory.list({ tenantId: 'ten_b' })).items.map((s) => s.used)).toEqual([2, 5]);
      expect((await store.rateLimitHistory.list({ tenantId: 'ten_b', connectionId: 'con_a' })).items).toEqual([]);
      expect((await store.rateLimitHistory.list({ connectionId: 'con_b' })).items.map((s) => s.used)).toEqual([2, 5]);
      expect((await store.rateLimitHistory.list({ level: 'global' })).items.map((s) => s.used)).toEqual([3, 6]);
      expect((await store.rateLimitHistory.list({ provider: 'github', level: 'connection' })).items.map((s) => s.used)).toEqual([1, 2, 4, 5, 7]);
      expect((await store.rateLimitHistory.list({ since: iso(MINUTE), until: iso(2 * MINUTE) })).items.map((s) => s.used)).toEqual([4, 5, 6]);
    });

    it('pages through samples with a cursor, each once', async () => {
      await store.rateLimitHistory.record([connA(0, 1), connB(0, 2), connA(1, 3), connB(1, 4), connA(2, 5)]);
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.rateLimitHistory.list({ limit: 2, cursor });
        seen.push(...page.items.map((s) => s.used));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(pages).toBe(3);
    });

    it('purges samples whose retention passed and keeps the rest', async () => {
      await store.rateLimitHistory.record([
        { ...connA(0, 1), expiresAt: iso(10 * MINUTE) },
        { ...connA(1, 2), expiresAt: iso(20 * MINUTE) },
        { ...global(0, 3), expiresAt: iso(10 * MINUTE) },
      ]);
      expect(await store.purgeExpired(T0 + 10 * MINUTE)).toBeGreaterThanOrEqual(2);
      expect((await store.rateLimitHistory.list()).items.map((s) => s.used)).toEqual([2]);
    });
  });
}
