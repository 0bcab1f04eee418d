import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import type { ConflictReview } from '../../domain/review.ts';
import type { Store } from '../store.ts';

/**
 * The conflict review queue of the Store port (`ConflictRepository`), registered as
 * vitest cases; every backend's suite calls it. Only the port is used. `create` gives a
 * fresh, NOT yet migrated store and its cleanup.
 */
export function runConflictStoreContract(name: string, create: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`Store contract (conflicts): ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const T0 = Date.parse('2026-01-01T00:00:00.000Z');
    const iso = (ms: number): string => new Date(T0 + ms).toISOString();

    const field = (local: unknown, remote: unknown) => ({ base: 'b', local, remote, decision: 'pending', strategy: 'manual', reason: 'held for review' });
    const conflict = (id: string, extra: Partial<ConflictReview> = {}): ConflictReview => ({
      id, tenantId: 'ten_a', entityId: 'ent_a1', integrationId: 'int_a', status: 'open',
      payload: { runId: 'run_1', linkId: 'lnk_a1', connectionId: 'con_ten_a', object: 'Contact', externalId: 'x1', provider: 'salesforce', remoteVersion: 'v2', fields: { phone: field('1', '2') } },
      resolution: null, createdAt: iso(10), resolvedAt: null, ...extra,
    });

    beforeEach(async () => {
      const fixture = await create();
      store = fixture.store;
      cleanup = fixture.cleanup;
      await store.migrate();
      for (const t of ['ten_a', 'ten_b']) {
        await store.tenants.insert({ id: t, name: t, metadata: {}, createdAt: iso(0), updatedAt: iso(0) });
        await store.connections.insert({ id: `con_${t}`, tenantId: t, provider: 'salesforce', name: t, status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: iso(0), updatedAt: iso(0) });
        await store.integrations.insert({
          id: `int_${t.slice(4)}`, tenantId: t, connectionId: `con_${t}`, object: 'Contact', direction: 'bidirectional', mapping: {}, mappingVersion: 1, schedule: null,
          priority: 'normal', dedupRules: {}, conflictStrategy: { strategy: 'manual' }, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: iso(0), updatedAt: iso(0),
        }, null);
        const ids = t === 'ten_a' ? ['ent_a1', 'ent_a2'] : ['ent_b1'];
        await store.entities.applyBatch({
          tenantId: t, at: iso(1), entityInserts: ids.map((id) => ({ id, type: 'person', fields: {} })), entityUpdates: [], linkInserts: [], linkUpdates: [],
          relationships: [], changes: [], matchKeys: [], reviews: [],
        });
      }
    });

    afterEach(async () => {
      await cleanup();
    });

    it('stores conflicts per tenant: get returns what was inserted, another tenant sees nothing', async () => {
      const row = conflict('cfl_1');
      await store.conflicts.insertMany([row]);
      expect(await store.conflicts.get('ten_a', 'cfl_1')).toEqual(row);
      expect(await store.conflicts.get('ten_b', 'cfl_1')).toBeNull();
      expect((await store.conflicts.list('ten_b')).items).toEqual([]);
      expect(await store.conflicts.openForEntities('ten_b', ['ent_a1'])).toEqual([]);
      const failed: unknown = await store.conflicts.insertMany([row]).then(() => null, (e: unknown) => e);
      expect(isTributaryError(failed) && failed.code).toBe('CONFLICT');
    });

    it('lists oldest first with status, integration and entity filters and a stable cursor', async () => {
      await store.conflicts.insertMany([
        conflict('cfl_3', { createdAt: iso(30), entityId: 'ent_a2' }),
        conflict('cfl_1', { createdAt: iso(10) }),
        conflict('cfl_2', { createdAt: iso(20), status: 'resolved', resolution: { kind: 'automatic' }, resolvedAt: iso(20) }),
        conflict('cfl_b', { tenantId: 'ten_b', entityId: 'ent_b1', integrationId: 'int_b', createdAt: iso(15) }),
      ]);
      const ids = async (filter: Parameters<Store['conflicts']['list']>[1]) => (await store.conflicts.list('ten_a', filter)).items.map((c) => c.id);
      expect(await ids({})).toEqual(['cfl_1', 'cfl_2', 'cfl_3']);
      expect(await ids({ status: 'open' })).toEqual(['cfl_1', 'cfl_3']);
      expect(await ids({ entityId: 'ent_a2' })).toEqual(['cfl_3']);
      expect(await ids({ integrationId: 'int_b' })).toEqual([]);
      const first = await store.conflicts.list('ten_a', { limit: 2 });
      const second = await store.conflicts.list('ten_a', { limit: 2, cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((c) => c.id)).toEqual(['cfl_1', 'cfl_2', 'cfl_3']);
      expect(second.nextCursor).toBeNull();
      const bad: unknown = await store.conflicts.list('ten_a', { cursor: 'nonsense' }).then(() => null, (e: unknown) => e);
      expect(isTributaryError(bad) && bad.field).toBe('cursor');
    });

    it('finds open conflicts of entities, replaces an open payload, and closes a conflict once', async () => {
      await store.conflicts.insertMany([conflict('cfl_1'), conflict('cfl_2', { entityId: 'ent_a2', status: 'dismissed', resolvedAt: iso(11), resolution: {} })]);
      expect((await store.conflicts.openForEntities('ten_a', ['ent_a1', 'ent_a2'])).map((c) => c.id)).toEqual(['cfl_1']);
      const next = { ...conflict('cfl_1').payload, fields: { phone: field('1', '3') } };
      expect(await store.conflicts.replaceOpen('ten_a', 'cfl_1', next)).toBe(true);
      expect(await store.conflicts.replaceOpen('ten_b', 'cfl_1', next)).toBe(false);
      expect(await store.conflicts.replaceOpen('ten_a', 'cfl_2', next)).toBe(false);
      expect((await store.conflicts.get('ten_a', 'cfl_1'))?.payload).toEqual(next);

      const close = { status: 'resolved' as const, resolution: { kind: 'manual', by: 'tenant:key_1' }, resolvedAt: iso(50) };
      expect(await store.conflicts.close('ten_b', 'cfl_1', close)).toBeNull();
      expect(await store.conflicts.close('ten_a', 'cfl_1', close)).toMatchObject({ id: 'cfl_1', status: 'resolved', resolution: close.resolution, resolvedAt: iso(50) });
      expect(await store.conflicts.close('ten_a', 'cfl_1', { ...close, status: 'dismissed' })).toBeNull();
      expect((await store.conflicts.get('ten_a', 'cfl_1'))?.status).toBe('resolved');
    });

    it('counts a run\'s conflicts by field: detected, decided by the strategy, and still open', async () => {
      const two = { phone: field('1', '2'), title: field('a', 'b') };
      await store.conflicts.insertMany([
        conflict('cfl_1', { payload: { ...conflict('x').payload, fields: two } }),
        conflict('cfl_2', { status: 'resolved', resolution: { kind: 'automatic' }, resolvedAt: iso(10) }),
        conflict('cfl_3', { payload: { ...conflict('x').payload, runId: 'run_other' } }),
        conflict('cfl_4', { createdAt: iso(1) }),
      ]);
      expect(await store.conflicts.countForRun('ten_a', 'run_1', iso(5))).toEqual({ detected: 3, resolved: 1, open: 2 });
      expect(await store.conflicts.countForRun('ten_b', 'run_1', iso(5))).toEqual({ detected: 0, resolved: 0, open: 0 });
    });

    it('writes conflicts inside a transaction atomically', async () => {
      const failed: unknown = await store.transaction(async (tx) => {
        await tx.conflicts.insertMany([conflict('cfl_1')]);
        throw new Error('boom');
      }).then(() => null, (e: unknown) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(await store.conflicts.get('ten_a', 'cfl_1')).toBeNull();
      await store.transaction(async (tx) => tx.conflicts.insertMany([conflict('cfl_1')]));
      expect(await store.conflicts.get('ten_a', 'cfl_1')).not.toBeNull();
    });
  });
}
