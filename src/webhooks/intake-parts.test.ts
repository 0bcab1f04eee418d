import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.ts';
import { RegistrationCache, type CachedRegistration } from './registration-cache.ts';
import { activeSecrets, parseSecretBundle } from './signing-secrets.ts';
import { TokenBuckets } from './token-bucket.ts';

describe('TokenBuckets', () => {
  it('allows a burst, refuses beyond it, refills at the rate, and keeps keys apart', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 3 });
    expect([1, 2, 3, 4].map(() => buckets.take('a', 0))).toEqual([true, true, true, false]);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('a', 99)).toBe(false);
    expect(buckets.take('a', 100)).toBe(true);
    expect(buckets.take('a', 100)).toBe(false);
  });
});

describe('activeSecrets', () => {
  it('gives the previous secret only within its overlap', () => {
    const bundle = parseSecretBundle(JSON.stringify({ current: 'new', previous: 'old', previousUntil: 1000 }));
    expect(activeSecrets(bundle, 999)).toEqual(['new', 'old']);
    expect(activeSecrets(bundle, 1000)).toEqual(['new']);
    expect(activeSecrets(null, 0)).toEqual([]);
    expect(() => parseSecretBundle('not json')).toThrow(/expected shape/);
  });
});

describe('Coalescer', () => {
  it('runs at most one in flight and one waiting per key, sharing the waiting run', async () => {
    const coalescer = new Coalescer();
    const starts: string[] = [];
    let release: () => void = () => undefined;
    const slow = () => new Promise<void>((resolve) => {
      starts.push('run');
      release = resolve;
    });
    const first = coalescer.run('k', slow);
    const second = coalescer.run('k', slow);
    const third = coalescer.run('k', slow);
    expect(second).toBe(third);
    expect(starts).toHaveLength(1);
    release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(starts).toHaveLength(2);
    release();
    await second;
    await coalescer.run('other', async () => void starts.push('other'));
    expect(starts).toEqual(['run', 'run', 'other']);
  });
});

describe('RegistrationCache', () => {
  it('loads once for concurrent misses, serves from cache within the TTL, and forgets on invalidate', async () => {
    let now = 0;
    let loads = 0;
    const value = { registration: { id: 'whk_1' }, secrets: null } as unknown as CachedRegistration;
    const cache = new RegistrationCache({ ttlMs: 1000, maxEntries: 2, now: () => now, load: async (id) => (loads++, id === 'whk_1' ? value : null) });
    await Promise.all([cache.get('whk_1'), cache.get('whk_1')]);
    expect(loads).toBe(1);
    now = 999;
    expect(await cache.get('whk_1')).toBe(value);
    expect(loads).toBe(1);
    now = 1500;
    await cache.get('whk_1');
    expect(loads).toBe(2);
    cache.invalidate('whk_1');
    await cache.get('whk_1');
    expect(loads).toBe(3);
    expect(await cache.get('whk_unknown')).toBeNull();
    expect(await cache.get('whk_unknown')).toBeNull();
    expect(loads).toBe(4);
  });
});
