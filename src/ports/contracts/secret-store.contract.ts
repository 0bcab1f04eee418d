import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecretStore } from '../secret-store.ts';

/** One backend's SecretStore, set up for the contract suite. */
export interface SecretStoreHarness {
  readonly secrets: SecretStore;
  /** Closes the store and removes whatever the harness created. */
  close(): Promise<void>;
}

const TENANT = 'ten_contract_a';
const OTHER = 'ten_contract_b';

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

/**
 * The behaviour every SecretStore backend must show (STYLE.md 3): round trips, tenant
 * isolation (another tenant's ref is SECRET_NOT_FOUND), in-place update, idempotent
 * delete, rotation that keeps every value, and no value in any error or info.
 */
export function runSecretStoreContract(name: string, create: () => Promise<SecretStoreHarness>): void {
  describe(`SecretStore contract: ${name}`, () => {
    let h: SecretStoreHarness;

    beforeEach(async () => {
      h = await create();
    });

    afterEach(async () => {
      await h.close();
    });

    it('returns what was put, with info that holds no value', async () => {
      const value = 'xoxb-contract-token-1';
      const info = await h.secrets.put(TENANT, 'slack bot token', value);
      expect(info.ref).toMatch(/^sec_/);
      expect(info).toMatchObject({ tenantId: TENANT, label: 'slack bot token' });
      expect(info.keyVersion).toBeGreaterThanOrEqual(1);
      expect(Date.parse(info.createdAt)).not.toBeNaN();
      expect(info.updatedAt).toBe(info.createdAt);
      expect(JSON.stringify(info)).not.toContain(value);
      expect(await h.secrets.get(TENANT, info.ref)).toBe(value);
      expect(await h.secrets.info(TENANT, info.ref)).toEqual(info);
    });

    it('keeps empty, unicode and large values exactly', async () => {
      for (const value of ['', 'ünïcødé 🔑 "quoted" \\ \n newline', JSON.stringify({ access: 'a', refresh: 'r' }), 'z'.repeat(64 * 1024)]) {
        const { ref } = await h.secrets.put(TENANT, 'v', value);
        expect(await h.secrets.get(TENANT, ref)).toBe(value);
      }
    });

    it('gives every put its own ref, even for the same value', async () => {
      const a = await h.secrets.put(TENANT, 'same', 'same value');
      const b = await h.secrets.put(TENANT, 'same', 'same value');
      expect(a.ref).not.toBe(b.ref);
    });

    it('replaces a value in place on update', async () => {
      const created = await h.secrets.put(TENANT, 'oauth', 'old-token');
      const updated = await h.secrets.update(TENANT, created.ref, 'new-token');
      expect(updated).toMatchObject({ ref: created.ref, tenantId: TENANT, label: 'oauth', createdAt: created.createdAt });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect(await h.secrets.get(TENANT, created.ref)).toBe('new-token');
      expect(await h.secrets.info(TENANT, created.ref)).toEqual(updated);
    });

    it("treats another tenant's secret as not found, and leaves it alone", async () => {
      const value = 'tenant-a-only';
      const { ref } = await h.secrets.put(TENANT, 'mine', value);
      for (const attempt of [h.secrets.get(OTHER, ref), h.secrets.info(OTHER, ref), h.secrets.update(OTHER, ref, 'overwritten')]) {
        const error = await failure(attempt);
        expect(error).toMatchObject({ code: 'SECRET_NOT_FOUND' });
        expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(value);
      }
      await h.secrets.delete(OTHER, ref);
      expect(await h.secrets.get(TENANT, ref)).toBe(value);
    });

    it('reports an unknown ref as not found', async () => {
      await expect(h.secrets.get(TENANT, 'sec_missing')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
      await expect(h.secrets.info(TENANT, 'sec_missing')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
      await expect(h.secrets.update(TENANT, 'sec_missing', 'v')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    });

    it('deletes, and deleting again does nothing', async () => {
      const { ref } = await h.secrets.put(TENANT, 'temp', 'short-lived');
      await h.secrets.delete(TENANT, ref);
      await expect(h.secrets.get(TENANT, ref)).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
      await h.secrets.delete(TENANT, ref);
    });

    it('keeps every value across a master key rotation, under a newer key version', async () => {
      const before = await Promise.all(['one', 'two', 'three'].map((v, i) => h.secrets.put(i === 2 ? OTHER : TENANT, v, `value-${v}`)));
      const result = await h.secrets.rotateMasterKey();
      expect(result.keyVersion).toBeGreaterThan(Math.max(...before.map((i) => i.keyVersion)));
      expect(result.rewrapped).toBeGreaterThanOrEqual(before.length);
      for (const [i, info] of before.entries()) {
        const tenant = i === 2 ? OTHER : TENANT;
        expect(await h.secrets.get(tenant, info.ref)).toBe(`value-${['one', 'two', 'three'][i]}`);
        expect((await h.secrets.info(tenant, info.ref)).keyVersion).toBe(result.keyVersion);
      }
      const after = await h.secrets.put(TENANT, 'new', 'after rotation');
      expect(after.keyVersion).toBe(result.keyVersion);
    });
  });
}
