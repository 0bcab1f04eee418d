import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTributaryError, type ErrorCode } from '../../domain/errors.ts';
import type { ApiKey, AuditEntry, Tenant } from '../../domain/tenancy.ts';
import type { SecretRow, Store } from '../store.ts';
import { runConnectionRepositoriesContract } from './store-connections.contract.ts';

/**
 * What a backend's test gives the contract: a fresh, empty, NOT yet migrated store,
 * and how to dispose of it (cleanup must also work after the store was closed).
 * `openSecond`, when the backend can, opens another store on the same database as a
 * separate client (another connection, as another process would): it is used for the
 * concurrent-migration cases, which are skipped without it.
 */
export interface StoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
  openSecond?(): Promise<Store>;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

function tenant(id: string, offsetMs = 0, extra: Partial<Tenant> = {}): Tenant {
  return { id, name: `Tenant ${id}`, metadata: { plan: 'pro', nested: { seats: 3, tags: ['a', 'b'] } }, createdAt: iso(offsetMs), updatedAt: iso(offsetMs), ...extra };
}

function apiKey(id: string, tenantId: string | null, offsetMs = 0): ApiKey {
  return { id, tenantId, name: `key ${id}`, prefix: `trb_${id.slice(-4)}`, hash: `hash-${id}`, createdAt: iso(offsetMs), lastUsedAt: null, revokedAt: null };
}

function auditEntry(id: string, offsetMs: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: iso(offsetMs),
    actor: { kind: 'admin', keyId: 'key_admin', tenantId: null },
    action: 'tenant.create',
    tenantId: 'ten_a',
    target: 'ten_a',
    details: { name: 'A', flags: [1, 2] },
    requestId: `req_${id}`,
    ...extra,
  };
}

function secretRow(ref: string, tenantId: string, keyVersion = 1, extra: Partial<SecretRow> = {}): SecretRow {
  return {
    ref,
    tenantId,
    label: `label ${ref}`,
    keyVersion,
    wrappedKey: Buffer.from([0, 1, 2, 255, 0, 7]),
    ciphertext: Buffer.from(`cipher-${ref}\u0000tail`, 'utf8'),
    createdAt: iso(0),
    updatedAt: iso(0),
    ...extra,
  };
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTributaryError(error) ? error.code : error).toBe(code);
}

/** Resolves after the event loop turns over, to give concurrent work a chance to run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The Store port's behaviour, registered as vitest cases; every backend's suite calls
 * it (`runStoreContract('SqliteStore', create)`). Only the port is used here, never SQL.
 */
export function runStoreContract(name: string, create: () => Promise<StoreFixture>): void {
  runConnectionRepositoriesContract(name, create);
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      await store.migrate();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('tenants', () => {
      it('returns an inserted tenant as it was written, JSON metadata included', async () => {
        await store.tenants.insert(tenant('ten_a'));
        expect(await store.tenants.get('ten_a')).toEqual(tenant('ten_a'));
        expect(await store.tenants.get('ten_missing')).toBeNull();
      });

      it('refuses a second tenant with the same id', async () => {
        await store.tenants.insert(tenant('ten_a'));
        await expectCode(store.tenants.insert(tenant('ten_a')), 'CONFLICT');
      });

      it('updates only the fields in the patch', async () => {
        await store.tenants.insert(tenant('ten_a'));
        const renamed = await store.tenants.update('ten_a', { name: 'Renamed' }, iso(5));
        expect(renamed).toEqual({ ...tenant('ten_a'), name: 'Renamed', updatedAt: iso(5) });
        const remeta = await store.tenants.update('ten_a', { metadata: { plan: 'free' } }, iso(6));
        expect(remeta).toEqual({ ...tenant('ten_a'), name: 'Renamed', metadata: { plan: 'free' }, updatedAt: iso(6) });
        expect(await store.tenants.get('ten_a')).toEqual(remeta);
        expect(await store.tenants.update('ten_missing', { name: 'x' }, iso(7))).toBeNull();
      });

      it('pages through every tenant once, in (createdAt, id) order', async () => {
        // Inserted out of order; two share a createdAt, so the id breaks the tie.
        for (const [id, at] of [['ten_e', 4], ['ten_b', 1], ['ten_d', 2], ['ten_c', 2], ['ten_a', 0]] as const) {
          await store.tenants.insert(tenant(id, at));
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.tenants.list({ limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== null);
        expect(seen).toEqual(['ten_a', 'ten_b', 'ten_c', 'ten_d', 'ten_e']);
        expect(pages).toBe(3);
      });

      it('keeps later pages stable when rows are added between page reads', async () => {
        for (let i = 0; i < 4; i += 1) await store.tenants.insert(tenant(`ten_${i}`, i * 10));
        const first = await store.tenants.list({ limit: 2 });
        await store.tenants.insert(tenant('ten_early', -1)); // sorts before the cursor: not on later pages
        await store.tenants.insert(tenant('ten_late', 100));
        const second = await store.tenants.list({ limit: 10, cursor: first.nextCursor });
        expect(second.items.map((t) => t.id)).toEqual(['ten_2', 'ten_3', 'ten_late']);
        expect(second.nextCursor).toBeNull();
      });

      it('defaults to 50 per page and rejects a bad limit or cursor', async () => {
        for (let i = 0; i < 51; i += 1) await store.tenants.insert(tenant(`ten_${String(i).padStart(3, '0')}`, i));
        const page = await store.tenants.list();
        expect(page.items).toHaveLength(50);
        expect(page.nextCursor).not.toBeNull();
        await expectCode(store.tenants.list({ limit: 0 }), 'VALIDATION_FAILED');
        await expectCode(store.tenants.list({ limit: 1.5 }), 'VALIDATION_FAILED');
        await expectCode(store.tenants.list({ cursor: 'not-a-cursor' }), 'VALIDATION_FAILED');
      });
    });

    describe('apiKeys', () => {
      beforeEach(async () => {
        await store.tenants.insert(tenant('ten_a'));
        await store.tenants.insert(tenant('ten_b'));
      });

      it('finds a key by its hash only', async () => {
        await store.apiKeys.insert(apiKey('key_1', 'ten_a'));
        expect(await store.apiKeys.findByHash('hash-key_1')).toEqual(apiKey('key_1', 'ten_a'));
        expect(await store.apiKeys.findByHash('key_1')).toBeNull();
      });

      it('refuses a duplicate hash and a key for a tenant that does not exist', async () => {
        await store.apiKeys.insert(apiKey('key_1', 'ten_a'));
        await expectCode(store.apiKeys.insert({ ...apiKey('key_2', 'ten_b'), hash: 'hash-key_1' }), 'CONFLICT');
        await expectCode(store.apiKeys.insert(apiKey('key_3', 'ten_missing')), 'NOT_FOUND');
      });

      it('lists the keys of one tenant, or the admin keys for null, oldest first', async () => {
        await store.apiKeys.insert(apiKey('key_a2', 'ten_a', 2));
        await store.apiKeys.insert(apiKey('key_a1', 'ten_a', 1));
        await store.apiKeys.insert(apiKey('key_b1', 'ten_b', 1));
        await store.apiKeys.insert(apiKey('key_admin', null, 1));
        expect((await store.apiKeys.list('ten_a')).map((k) => k.id)).toEqual(['key_a1', 'key_a2']);
        expect((await store.apiKeys.list(null)).map((k) => k.id)).toEqual(['key_admin']);
        expect(await store.apiKeys.list('ten_missing')).toEqual([]);
      });

      it('revokes a key once, and only within its own scope', async () => {
        await store.apiKeys.insert(apiKey('key_a', 'ten_a'));
        await store.apiKeys.insert(apiKey('key_admin', null));
        expect(await store.apiKeys.revoke('key_a', 'ten_b', iso(1))).toBe(false);
        expect(await store.apiKeys.revoke('key_a', null, iso(1))).toBe(false);
        expect(await store.apiKeys.revoke('key_admin', 'ten_a', iso(1))).toBe(false);
        expect(await store.apiKeys.revoke('key_a', 'ten_a', iso(2))).toBe(true);
        expect(await store.apiKeys.revoke('key_a', 'ten_a', iso(3))).toBe(false);
        expect(await store.apiKeys.revoke('key_admin', null, iso(4))).toBe(true);
        expect((await store.apiKeys.findByHash('hash-key_a'))?.revokedAt).toBe(iso(2));
        expect((await store.apiKeys.findByHash('hash-key_admin'))?.revokedAt).toBe(iso(4));
      });

      it('records the last use', async () => {
        await store.apiKeys.insert(apiKey('key_a', 'ten_a'));
        await store.apiKeys.touch('key_a', iso(9));
        await store.apiKeys.touch('key_missing', iso(9));
        expect((await store.apiKeys.findByHash('hash-key_a'))?.lastUsedAt).toBe(iso(9));
      });
    });

    describe('audit', () => {
      it('lists entries newest first, as appended', async () => {
        await store.audit.append(auditEntry('aud_1', 1));
        await store.audit.append(auditEntry('aud_2', 2, { actor: { kind: 'system', keyId: null, tenantId: null }, tenantId: null, target: null, requestId: null }));
        const page = await store.audit.list();
        expect(page.items).toEqual([
          auditEntry('aud_2', 2, { actor: { kind: 'system', keyId: null, tenantId: null }, tenantId: null, target: null, requestId: null }),
          auditEntry('aud_1', 1),
        ]);
        expect(page.nextCursor).toBeNull();
      });

      it('filters by tenant, action and time, together', async () => {
        await store.audit.append(auditEntry('aud_1', 1, { tenantId: 'ten_a', action: 'tenant.create' }));
        await store.audit.append(auditEntry('aud_2', 2, { tenantId: 'ten_a', action: 'api_key.create' }));
        await store.audit.append(auditEntry('aud_3', 3, { tenantId: 'ten_b', action: 'api_key.create' }));
        await store.audit.append(auditEntry('aud_4', 4, { tenantId: 'ten_a', action: 'api_key.create' }));
        const ids = async (filter: Parameters<Store['audit']['list']>[0]): Promise<string[]> =>
          (await store.audit.list(filter)).items.map((e) => e.id);
        expect(await ids({ tenantId: 'ten_a' })).toEqual(['aud_4', 'aud_2', 'aud_1']);
        expect(await ids({ action: 'api_key.create' })).toEqual(['aud_4', 'aud_3', 'aud_2']);
        expect(await ids({ since: iso(3) })).toEqual(['aud_4', 'aud_3']);
        expect(await ids({ tenantId: 'ten_a', action: 'api_key.create', since: iso(3) })).toEqual(['aud_4']);
      });

      it('filters by end time (exclusive), actor kind and target', async () => {
        const system = { kind: 'system' as const, keyId: null, tenantId: null };
        await store.audit.append(auditEntry('aud_1', 1, { target: 'ten_a' }));
        await store.audit.append(auditEntry('aud_2', 2, { actor: system, target: 'ten_b' }));
        await store.audit.append(auditEntry('aud_3', 3, { target: 'ten_b' }));
        const ids = async (filter: Parameters<Store['audit']['list']>[0]): Promise<string[]> =>
          (await store.audit.list(filter)).items.map((e) => e.id);
        expect(await ids({ until: iso(3) })).toEqual(['aud_2', 'aud_1']);
        expect(await ids({ actorKind: 'system' })).toEqual(['aud_2']);
        expect(await ids({ target: 'ten_b' })).toEqual(['aud_3', 'aud_2']);
        expect(await ids({ target: 'ten_b', actorKind: 'system', until: iso(3) })).toEqual(['aud_2']);
      });

      it('pages through entries with equal times without losing or repeating one', async () => {
        const expected: string[] = [];
        for (let i = 0; i < 7; i += 1) {
          const id = `aud_${i}`;
          await store.audit.append(auditEntry(id, i < 4 ? 5 : 6, { tenantId: 'ten_a' }));
          expected.push(id);
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await store.audit.list({ tenantId: 'ten_a', limit: 3, cursor });
          seen.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(seen).toEqual(['aud_6', 'aud_5', 'aud_4', 'aud_3', 'aud_2', 'aud_1', 'aud_0']);
      });
    });

    describe('secrets', () => {
      it('keeps binary material byte for byte', async () => {
        const large = Buffer.alloc(64 * 1024, 0);
        for (let i = 0; i < large.length; i += 1) large[i] = (i * 31) % 256;
        const row = secretRow('sec_1', 'ten_a', 1, { ciphertext: large });
        await store.secrets.insert(row);
        const read = await store.secrets.get('ten_a', 'sec_1');
        expect(read).not.toBeNull();
        expect(Buffer.compare(read!.ciphertext, large)).toBe(0);
        expect(Buffer.compare(read!.wrappedKey, row.wrappedKey)).toBe(0);
        expect({ ...read!, ciphertext: null, wrappedKey: null }).toEqual({ ...row, ciphertext: null, wrappedKey: null });
      });

      it('treats a ref under another tenant as absent', async () => {
        await store.secrets.insert(secretRow('sec_1', 'ten_a'));
        expect(await store.secrets.get('ten_b', 'sec_1')).toBeNull();
        expect(await store.secrets.replace(secretRow('sec_1', 'ten_b', 2))).toBe(false);
        expect(await store.secrets.delete('ten_b', 'sec_1')).toBe(false);
        expect((await store.secrets.get('ten_a', 'sec_1'))?.keyVersion).toBe(1);
      });

      it('refuses a duplicate ref', async () => {
        await store.secrets.insert(secretRow('sec_1', 'ten_a'));
        await expectCode(store.secrets.insert(secretRow('sec_1', 'ten_a')), 'CONFLICT');
      });

      it('replaces the crypto material and keeps the identity', async () => {
        await store.secrets.insert(secretRow('sec_1', 'ten_a'));
        const replaced = secretRow('sec_1', 'ten_a', 2, {
          wrappedKey: Buffer.from('new-wrapped'),
          ciphertext: Buffer.from('new-cipher'),
          updatedAt: iso(50),
        });
        expect(await store.secrets.replace(replaced)).toBe(true);
        const read = await store.secrets.get('ten_a', 'sec_1');
        expect(read?.keyVersion).toBe(2);
        expect(read?.wrappedKey.toString()).toBe('new-wrapped');
        expect(read?.ciphertext.toString()).toBe('new-cipher');
        expect(read?.createdAt).toBe(iso(0));
        expect(read?.updatedAt).toBe(iso(50));
        expect(await store.secrets.replace(secretRow('sec_missing', 'ten_a'))).toBe(false);
      });

      it('deletes once', async () => {
        await store.secrets.insert(secretRow('sec_1', 'ten_a'));
        expect(await store.secrets.delete('ten_a', 'sec_1')).toBe(true);
        expect(await store.secrets.get('ten_a', 'sec_1')).toBeNull();
        expect(await store.secrets.delete('ten_a', 'sec_1')).toBe(false);
      });

      it('lists rows wrapped by an older key version, across tenants, up to the limit', async () => {
        await store.secrets.insert(secretRow('sec_1', 'ten_a', 1));
        await store.secrets.insert(secretRow('sec_2', 'ten_b', 1));
        await store.secrets.insert(secretRow('sec_3', 'ten_a', 2));
        await store.secrets.insert(secretRow('sec_4', 'ten_c', 3));
        expect((await store.secrets.listWrappedBefore(3, 10)).map((r) => r.ref).sort()).toEqual(['sec_1', 'sec_2', 'sec_3']);
        expect((await store.secrets.listWrappedBefore(2, 10)).map((r) => r.ref).sort()).toEqual(['sec_1', 'sec_2']);
        expect(await store.secrets.listWrappedBefore(3, 2)).toHaveLength(2);
        expect(await store.secrets.listWrappedBefore(1, 10)).toEqual([]);
      });
    });

    describe('transaction', () => {
      it('commits every write together and returns what fn returned', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.tenants.insert(tenant('ten_a'));
          await tx.apiKeys.insert(apiKey('key_a', 'ten_a'));
          await tx.audit.append(auditEntry('aud_1', 1));
          expect(await tx.tenants.get('ten_a')).toEqual(tenant('ten_a')); // reads its own writes
          return 'done';
        });
        expect(result).toBe('done');
        expect(await store.tenants.get('ten_a')).not.toBeNull();
        expect(await store.apiKeys.findByHash('hash-key_a')).not.toBeNull();
        expect((await store.audit.list()).items).toHaveLength(1);
      });

      it('rolls back every write and rethrows the same error when fn throws', async () => {
        const boom = new Error('boom');
        const outcome = store.transaction(async (tx) => {
          await tx.tenants.insert(tenant('ten_a'));
          await tx.secrets.insert(secretRow('sec_1', 'ten_a'));
          throw boom;
        });
        await expect(outcome).rejects.toBe(boom);
        expect(await store.tenants.get('ten_a')).toBeNull();
        expect(await store.secrets.get('ten_a', 'sec_1')).toBeNull();
      });

      it('rolls back earlier writes when a later write fails', async () => {
        await store.tenants.insert(tenant('ten_a'));
        const outcome = store.transaction(async (tx) => {
          await tx.tenants.insert(tenant('ten_b'));
          await tx.tenants.insert(tenant('ten_a'));
        });
        await expectCode(outcome, 'CONFLICT');
        expect(await store.tenants.get('ten_b')).toBeNull();
      });

      it('shows other readers all of a transaction or none of it', async () => {
        let firstWritten!: () => void;
        const written = new Promise<void>((resolve) => (firstWritten = resolve));
        const reader = (async () => {
          await written;
          return (await store.tenants.list()).items.map((t) => t.id);
        })();
        await store.transaction(async (tx) => {
          await tx.tenants.insert(tenant('ten_a', 1));
          firstWritten();
          await tick();
          await tx.tenants.get('ten_a');
          await tick();
          await tx.tenants.insert(tenant('ten_b', 2));
        });
        const seen = await reader;
        expect(seen.includes('ten_a')).toBe(seen.includes('ten_b'));
      });

      it('rejects a nested transaction instead of deadlocking', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.tenants.insert(tenant('ten_a'));
          const nested = await store.transaction(async () => 'inner').then(
            () => 'ran',
            () => 'rejected',
          );
          return nested;
        });
        expect(result).toBe('rejected');
        expect(await store.tenants.get('ten_a')).not.toBeNull(); // the outer one still commits
      });

      it('fails the repositories of a transaction that has ended', async () => {
        let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        await expect(leaked!.tenants.get('ten_a')).rejects.toThrow();
      });

      it('loses no update when two read-modify-write transactions race', async () => {
        await store.tenants.insert(tenant('ten_a', 0, { metadata: { count: 0 } }));
        const increment = (): Promise<string> =>
          store
            .transaction(async (tx) => {
              const current = await tx.tenants.get('ten_a');
              await tick();
              const count = Number(current?.metadata.count);
              await tx.tenants.update('ten_a', { metadata: { count: count + 1 } }, iso(1));
            })
            .then(
              () => 'committed',
              (error: unknown) => {
                if (isTributaryError(error) && error.retryable) return 'retryable';
                throw error;
              },
            );
        const outcomes = await Promise.all([increment(), increment()]);
        const committed = outcomes.filter((o) => o === 'committed').length;
        expect(committed).toBeGreaterThanOrEqual(1);
        expect((await store.tenants.get('ten_a'))?.metadata.count).toBe(committed);
      });

      it('serves many concurrent transactions and single writes without losing one', async () => {
        await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            i % 2 === 0
              ? store.transaction(async (tx) => {
                  await tx.tenants.insert(tenant(`ten_${i}`, i));
                  await tx.audit.append(auditEntry(`aud_${i}`, i));
                })
              : store.tenants.insert(tenant(`ten_${i}`, i)),
          ),
        );
        expect((await store.tenants.list({ limit: 100 })).items).toHaveLength(30);
        expect((await store.audit.list({ limit: 100 })).items).toHaveLength(15);
      });
    });

    describe('lifecycle', () => {
      it('migrates idempotently', async () => {
        const again = await store.migrate();
        expect(again.applied).toEqual([]);
        expect(again.version).toBeGreaterThanOrEqual(1);
      });

      it('purges nothing that has no expiry', async () => {
        await store.tenants.insert(tenant('ten_a'));
        await store.audit.append(auditEntry('aud_1', 1));
        expect(await store.purgeExpired(T0 + 10 * 365 * 86_400_000)).toBe(0);
        expect(await store.tenants.get('ten_a')).not.toBeNull();
        expect((await store.audit.list()).items).toHaveLength(1);
      });

      it('purges audit entries once their expiry passes (credential access) and keeps those without (admin actions)', async () => {
        const read = { action: 'credential.access', actor: { kind: 'system' as const, keyId: null, tenantId: null } };
        await store.audit.append(auditEntry('aud_admin', 1));
        await store.audit.append(auditEntry('aud_read_1', 2, read), { expiresAt: iso(90 * 86_400_000) });
        await store.audit.append(auditEntry('aud_read_2', 3, read), { expiresAt: iso(91 * 86_400_000) });
        expect(await store.purgeExpired(T0 + 90 * 86_400_000 - 1)).toBe(0);
        expect(await store.purgeExpired(T0 + 90 * 86_400_000)).toBe(1);
        expect((await store.audit.list()).items.map((e) => e.id)).toEqual(['aud_read_2', 'aud_admin']);
        expect(await store.purgeExpired(T0 + 10 * 365 * 86_400_000)).toBe(1);
        expect((await store.audit.list()).items.map((e) => e.id)).toEqual(['aud_admin']);
      });

      it('answers ping while open and fails with STORE_UNAVAILABLE once closed', async () => {
        await store.ping();
        await store.close();
        await expectCode(store.ping(), 'STORE_UNAVAILABLE');
        await expectCode(store.tenants.get('ten_a'), 'STORE_UNAVAILABLE');
        await expectCode(store.transaction(async () => undefined), 'STORE_UNAVAILABLE');
      });
    });
  });

  describe(`Store contract: ${name} migrations`, () => {
    const fixtures: StoreFixture[] = [];
    const extra: Store[] = [];

    afterEach(async () => {
      for (const store of extra.splice(0)) await store.close();
      for (const fixture of fixtures.splice(0)) await fixture.cleanup();
    });

    it('applies every migration on first run and reports the version', async () => {
      const fixture = await create();
      fixtures.push(fixture);
      const first = await fixture.store.migrate();
      expect(first.applied.length).toBeGreaterThanOrEqual(1);
      expect(first.applied).toEqual([...first.applied].sort((a, b) => a - b));
      expect(first.version).toBe(Math.max(...first.applied));
    });

    it('applies each migration exactly once when two stores migrate at the same time', async (context) => {
      const fixture = await create();
      fixtures.push(fixture);
      if (!fixture.openSecond) {
        context.skip('this backend cannot open a second client on the same database');
        return;
      }
      const second = await fixture.openSecond();
      extra.push(second);
      const [a, b] = await Promise.all([fixture.store.migrate(), second.migrate()]);
      expect(a.version).toBe(b.version);
      const all = [...a.applied, ...b.applied].sort((x, y) => x - y);
      expect(new Set(all).size).toBe(all.length);
      expect(Math.max(...all)).toBe(a.version);
      await fixture.store.tenants.insert(tenant('ten_a'));
      expect(await second.tenants.get('ten_a')).toEqual(tenant('ten_a'));
    });
  });
}
