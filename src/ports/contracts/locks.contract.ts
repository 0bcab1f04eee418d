import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lease, Locks } from '../locks.ts';

/** One backend's Locks, set up for the contract suite. */
export interface LocksHarness {
  /** The Locks under test. */
  readonly locks: Locks;
  /** A second client on the same shared state (another connection, as another process would have). */
  readonly second: Locks;
  /** Moves the backend's notion of time forward by `ms` (a manual clock, or a real wait). */
  advance(ms: number): Promise<void>;
  /** Closes both clients and removes whatever the harness created. */
  close(): Promise<void>;
}

const TTL = 300;

/**
 * The behaviour every Locks backend must show (STYLE.md 3). Time moves only through
 * `advance`, in steps of a few hundred ms, so a backend on real time stays fast.
 */
export function runLocksContract(name: string, create: () => Promise<LocksHarness>): void {
  describe(`Locks contract: ${name}`, () => {
    let h: LocksHarness;

    beforeEach(async () => {
      h = await create();
    });

    afterEach(async () => {
      await h.close();
    });

    async function expectNotHeld(promise: Promise<unknown>): Promise<void> {
      await expect(promise).rejects.toMatchObject({ code: 'LOCK_NOT_HELD', category: 'transient' });
    }

    it('grants a free lock and reports its holder', async () => {
      const lease = await h.locks.acquire('sync:int_1', 'worker-a', TTL);
      expect(lease).toMatchObject({ name: 'sync:int_1', owner: 'worker-a' });
      expect(lease?.token).toBeGreaterThanOrEqual(1);
      expect(await h.locks.holder('sync:int_1')).toEqual(lease);
      expect(await h.second.holder('sync:int_1')).toEqual(lease);
    });

    it('reports no holder for a name never taken', async () => {
      expect(await h.locks.holder('never-taken')).toBeNull();
    });

    it('refuses a held lock to every other owner, on any client', async () => {
      const lease = await h.locks.acquire('l', 'worker-a', TTL);
      expect(await h.locks.acquire('l', 'worker-b', TTL)).toBeNull();
      expect(await h.second.acquire('l', 'worker-c', TTL)).toBeNull();
      expect(await h.second.holder('l')).toEqual(lease);
    });

    it('keeps different names independent', async () => {
      const a = await h.locks.acquire('one', 'worker-a', TTL);
      const b = await h.second.acquire('two', 'worker-b', TTL);
      expect(a).not.toBeNull();
      expect(b).not.toBeNull();
    });

    it('renews the lease when its holder acquires again, keeping the token', async () => {
      const first = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.advance(TTL - 100);
      const again = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      expect(again.token).toBe(first.token);
      expect(again.expiresAt).toBeGreaterThan(first.expiresAt);
      await h.advance(200);
      expect((await h.locks.holder('l'))?.owner).toBe('worker-a');
    });

    it('lets another owner take an expired lease, with a higher token', async () => {
      const first = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.advance(TTL + 1);
      expect(await h.locks.holder('l')).toBeNull();
      const taken = (await h.second.acquire('l', 'worker-b', TTL)) as Lease;
      expect(taken.owner).toBe('worker-b');
      expect(taken.token).toBeGreaterThan(first.token);
    });

    it('gives a new token when the holder re-acquires its own expired lease', async () => {
      const first = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.advance(TTL + 1);
      const again = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      expect(again.token).toBeGreaterThan(first.token);
      await expectNotHeld(h.locks.renew(first, TTL));
    });

    it('extends a lease that its holder renews in time', async () => {
      const lease = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.advance(TTL - 100);
      const renewed = await h.locks.renew(lease, TTL);
      expect(renewed.token).toBe(lease.token);
      expect(renewed.expiresAt).toBeGreaterThan(lease.expiresAt);
      await h.advance(200);
      expect(await h.second.acquire('l', 'worker-b', TTL)).toBeNull();
      expect((await h.second.holder('l'))?.token).toBe(lease.token);
    });

    it('fails to renew a lease that expired, even if nobody took it', async () => {
      const lease = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.advance(TTL + 1);
      await expectNotHeld(h.locks.renew(lease, TTL));
    });

    it('fails renewal and ignores release by a stale holder', async () => {
      const stale = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.advance(TTL + 1);
      const current = (await h.second.acquire('l', 'worker-b', TTL)) as Lease;
      await expectNotHeld(h.locks.renew(stale, TTL));
      await h.locks.release(stale);
      expect(await h.locks.holder('l')).toEqual(current);
      expect(await h.locks.acquire('l', 'worker-a', TTL)).toBeNull();
    });

    it('frees the lock on release, and the next holder gets a higher token', async () => {
      const first = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.locks.release(first);
      expect(await h.locks.holder('l')).toBeNull();
      await expectNotHeld(h.locks.renew(first, TTL));
      const next = (await h.second.acquire('l', 'worker-b', TTL)) as Lease;
      expect(next.token).toBeGreaterThan(first.token);
      const back = (await h.locks.acquire('x', 'worker-a', TTL)) as Lease;
      await h.locks.release(back);
      const backAgain = (await h.locks.acquire('x', 'worker-a', TTL)) as Lease;
      expect(backAgain.token).toBeGreaterThan(back.token);
    });

    it('treats releasing twice, or a lease never granted, as a no-op', async () => {
      const lease = (await h.locks.acquire('l', 'worker-a', TTL)) as Lease;
      await h.locks.release(lease);
      await h.locks.release(lease);
      await h.locks.release({ name: 'ghost', owner: 'nobody', token: 7, expiresAt: 0 });
      expect(await h.locks.holder('ghost')).toBeNull();
    });

    it('grants a contended lock to exactly one of many concurrent callers', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? h.locks : h.second).acquire('hot', `worker-${i}`, TTL));
      const granted = (await Promise.all(attempts)).filter((lease) => lease !== null);
      expect(granted).toHaveLength(1);
      expect(await h.locks.holder('hot')).toEqual(granted[0]);
    });

    it('rejects a non-positive ttl', async () => {
      await expect(h.locks.acquire('l', 'worker-a', 0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', field: 'ttlMs' });
      await expect(h.locks.acquire('l', 'worker-a', -5)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
