import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DedupReview } from '../../domain/review.ts';
import type { EntityWriteBatch, Store } from '../store.ts';
import { entityWriteBatch } from '../store-sync.ts';

/**
 * The dedup-decision and deletion-inference repositories of the Store port (review queue,
 * dismissed pairs, merges, link sweeps), registered as vitest cases; every backend's
 * suite calls it. Only the port is used. `create` gives a fresh, NOT yet migrated store.
 */
export function runDedupStoreContract(name: string, create: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`Store contract (dedup decisions, link sweeps): ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const T0 = Date.parse('2026-01-01T00:00:00.000Z');
    const iso = (ms: number): string => new Date(T0 + ms).toISOString();

    const batch = (tenantId: string, extra: Partial<EntityWriteBatch>): EntityWriteBatch => ({ ...entityWriteBatch(tenantId, iso(1)), ...extra });
    const review = (id: string, tenantId: string, entityIds: [string, string], createdAt = iso(1)): DedupReview => ({
      id, tenantId, status: 'open', payload: { entityType: 'person', entityIds, score: 0.7 }, resolution: null, createdAt, resolvedAt: null,
    });
    const link = (id: string, entityId: string, externalId: string, connectionId: string, extra: Record<string, unknown> = {}) => ({
      id, entityId, connectionId, integrationId: null, object: 'Contact', externalId, recordId: externalId, remoteVersion: 'v1', baseSnapshot: { a: 1 }, tombstonedAt: null, ...extra,
    });
    /** ent_<n>, ent_<n>b... in ten_a (and ten_b's own ent_b1), each with one link of con_ten_a. */
    const seed = async (): Promise<void> => {
      await store.entities.applyBatch(batch('ten_a', {
        entityInserts: ['ent_1', 'ent_2', 'ent_3'].map((id) => ({ id, type: 'person', fields: { name: id } })),
        linkInserts: [link('lnk_1', 'ent_1', 'c1', 'con_ten_a'), link('lnk_2', 'ent_2', 'c2', 'con_ten_a'), link('lnk_3', 'ent_3', 'c3', 'con_ten_a_2')],
        relationships: [{ fromEntityId: 'ent_1', kind: 'knows', toEntityId: 'ent_2' }],
        matchKeys: [{ entityType: 'person', key: 'email:one@x.org', connectionId: 'con_ten_a', object: 'Contact', entityId: 'ent_1' }],
      }));
      await store.entities.applyBatch(batch('ten_b', {
        entityInserts: [{ id: 'ent_b1', type: 'person', fields: { name: 'b' } }],
        linkInserts: [link('lnk_b1', 'ent_b1', 'c1', 'con_ten_b')],
      }));
    };

    beforeEach(async () => {
      const fixture = await create();
      store = fixture.store;
      cleanup = fixture.cleanup;
      await store.migrate();
      for (const t of ['ten_a', 'ten_b']) {
        await store.tenants.insert({ id: t, name: t, metadata: {}, createdAt: iso(0), updatedAt: iso(0) });
        for (const c of [`con_${t}`, `con_${t}_2`]) {
          await store.connections.insert({ id: c, tenantId: t, provider: 'salesforce', name: c, status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: iso(0), updatedAt: iso(0) });
        }
      }
    });

    afterEach(async () => {
      await cleanup();
    });

    it('lists reviews per tenant by status, oldest first, with cursor pages, and resolves an open review only once', async () => {
      await seed();
      await store.entities.applyBatch(batch('ten_a', { reviews: [review('rev_2', 'ten_a', ['ent_3', 'ent_2'], iso(2)), review('rev_1', 'ten_a', ['ent_2', 'ent_1'], iso(1)), review('rev_3', 'ten_a', ['ent_3', 'ent_1'], iso(3))] }));
      await store.entities.applyBatch(batch('ten_b', { reviews: [review('rev_b', 'ten_b', ['ent_b1', 'ent_x'])] }));
      const first = await store.dedupReviews.list('ten_a', { limit: 2 });
      const second = await store.dedupReviews.list('ten_a', { limit: 2, cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((r) => r.id)).toEqual(['rev_1', 'rev_2', 'rev_3']);
      expect(second.nextCursor).toBeNull();
      expect(await store.dedupReviews.get('ten_a', 'rev_1')).toEqual(review('rev_1', 'ten_a', ['ent_2', 'ent_1'], iso(1)));
      expect(await store.dedupReviews.get('ten_b', 'rev_1')).toBeNull();
      expect(await store.dedupReviews.resolve('ten_b', 'rev_1', 'merged', { by: 'b' }, iso(5))).toBe(false);
      expect(await store.dedupReviews.resolve('ten_a', 'rev_1', 'merged', { decision: 'accept' }, iso(5))).toBe(true);
      expect(await store.dedupReviews.resolve('ten_a', 'rev_1', 'dismissed', { decision: 'reject' }, iso(6))).toBe(false);
      expect(await store.dedupReviews.get('ten_a', 'rev_1')).toMatchObject({ status: 'merged', resolution: { decision: 'accept' }, resolvedAt: iso(5) });
      expect((await store.dedupReviews.list('ten_a', { status: 'open' })).items.map((r) => r.id)).toEqual(['rev_2', 'rev_3']);
      expect((await store.dedupReviews.list('ten_a', { status: 'merged' })).items.map((r) => r.id)).toEqual(['rev_1']);
      expect((await store.dedupReviews.list('ten_b')).items.map((r) => r.id)).toEqual(['rev_b']);
      await expect(store.dedupReviews.list('ten_a', { cursor: 'garbage' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('remembers dismissed pairs in either order, per tenant, and never stores a later review of such a pair', async () => {
      await seed();
      await store.dedupReviews.dismissPair('ten_a', 'ent_2', 'ent_1', iso(2));
      await store.dedupReviews.dismissPair('ten_a', 'ent_1', 'ent_2', iso(3));
      expect(await store.dedupReviews.isPairDismissed('ten_a', 'ent_1', 'ent_2')).toBe(true);
      expect(await store.dedupReviews.isPairDismissed('ten_a', 'ent_2', 'ent_1')).toBe(true);
      expect(await store.dedupReviews.isPairDismissed('ten_a', 'ent_1', 'ent_3')).toBe(false);
      expect(await store.dedupReviews.isPairDismissed('ten_b', 'ent_1', 'ent_2')).toBe(false);
      await store.entities.applyBatch(batch('ten_a', { reviews: [review('rev_again', 'ten_a', ['ent_1', 'ent_2']), review('rev_new', 'ten_a', ['ent_3', 'ent_2'])] }));
      await store.entities.applyBatch(batch('ten_b', { reviews: [review('rev_b', 'ten_b', ['ent_2', 'ent_1'])] }));
      expect((await store.dedupReviews.list('ten_a')).items.map((r) => r.id)).toEqual(['rev_new']);
      expect((await store.dedupReviews.list('ten_b')).items.map((r) => r.id)).toEqual(['rev_b']);
    });

    it('records merges with lineage, lists them per entity newest first, and marks one undone only once', async () => {
      await seed();
      const lineage = (id: string, survivorId: string, mergedId: string, at: number) => ({
        id, tenantId: 'ten_a', survivorId, mergedId, snapshot: { merged: { id: mergedId }, links: ['lnk_x'] }, reason: { reviewId: 'rev_1' }, mergedAt: iso(at), undoneAt: null,
      });
      await store.merges.insert(lineage('mrg_1', 'ent_1', 'ent_2', 1));
      await store.merges.insert(lineage('mrg_2', 'ent_3', 'ent_1', 2));
      await store.merges.insert(lineage('mrg_3', 'ent_3', 'ent_2', 3));
      await expect(store.merges.insert(lineage('mrg_1', 'ent_1', 'ent_2', 1))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.merges.get('ten_a', 'mrg_1')).toEqual(lineage('mrg_1', 'ent_1', 'ent_2', 1));
      expect(await store.merges.get('ten_b', 'mrg_1')).toBeNull();
      const first = await store.merges.listByEntity('ten_a', 'ent_1', { limit: 1 });
      const second = await store.merges.listByEntity('ten_a', 'ent_1', { limit: 1, cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((m) => m.id)).toEqual(['mrg_2', 'mrg_1']);
      expect(second.nextCursor).toBeNull();
      expect((await store.merges.listByEntity('ten_b', 'ent_1')).items).toEqual([]);
      expect(await store.merges.markUndone('ten_b', 'mrg_1', iso(9))).toBe(false);
      expect(await store.merges.markUndone('ten_a', 'mrg_1', iso(9))).toBe(true);
      expect(await store.merges.markUndone('ten_a', 'mrg_1', iso(10))).toBe(false);
      expect((await store.merges.get('ten_a', 'mrg_1'))?.undoneAt).toBe(iso(9));
    });

    it("sets an entity's merged state, moves links, and deletes relationships and match keys, all within the tenant", async () => {
      await seed();
      expect(await store.merges.setEntityState('ten_a', 'ent_2', { fields: { name: 'two' }, version: 2, deletedAt: iso(4), mergedInto: 'ent_1' }, iso(4))).toBe(true);
      expect(await store.merges.setEntityState('ten_b', 'ent_2', { fields: {}, version: 9, deletedAt: null, mergedInto: null }, iso(4))).toBe(false);
      expect(await store.entities.get('ten_a', 'ent_2')).toMatchObject({ fields: { name: 'two' }, version: 2, deletedAt: iso(4), mergedInto: 'ent_1', updatedAt: iso(4) });

      expect(await store.merges.moveLinks('ten_a', ['lnk_2', 'lnk_b1', 'lnk_none'], 'ent_1')).toBe(1);
      expect((await store.entities.linksOf('ten_a', 'ent_1')).map((l) => l.id).sort()).toEqual(['lnk_1', 'lnk_2']);
      expect((await store.entities.linksOf('ten_b', 'ent_b1')).map((l) => l.id)).toEqual(['lnk_b1']);
      expect(await store.merges.moveLinks('ten_b', ['lnk_b1'], 'ent_1')).toBe(0); // another tenant's entity
      expect(await store.merges.moveLinks('ten_a', ['lnk_2'], 'ent_2')).toBe(1);

      await store.merges.deleteRelationships('ten_b', [{ fromEntityId: 'ent_1', kind: 'knows', toEntityId: 'ent_2' }]);
      expect((await store.entities.relationshipsOf('ten_a', 'ent_1')).outgoing).toHaveLength(1);
      await store.merges.deleteRelationships('ten_a', [{ fromEntityId: 'ent_1', kind: 'knows', toEntityId: 'ent_2' }, { fromEntityId: 'ent_1', kind: 'none', toEntityId: 'ent_3' }]);
      expect((await store.entities.relationshipsOf('ten_a', 'ent_1')).outgoing).toEqual([]);

      expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:one@x.org'], 'con_ten_a_2', 'Contact')).toEqual([{ key: 'email:one@x.org', entityId: 'ent_1' }]);
      await store.merges.deleteMatchKeys('ten_b', 'ent_1', [{ entityType: 'person', key: 'email:one@x.org' }]);
      expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:one@x.org'], 'con_ten_a_2', 'Contact')).toHaveLength(1);
      await store.merges.deleteMatchKeys('ten_a', 'ent_1', [{ entityType: 'person', key: 'email:one@x.org' }]);
      expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:one@x.org'], 'con_ten_a_2', 'Contact')).toEqual([]);
    });

    it('marks links seen by external id and lists the live links of one connection and object not seen since a time, paged', async () => {
      await store.entities.applyBatch(batch('ten_a', {
        at: iso(1),
        entityInserts: ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => ({ id, type: 'person', fields: {} })),
        linkInserts: [
          link('l1', 'e1', 'x1', 'con_ten_a'), link('l2', 'e2', 'x2', 'con_ten_a'), link('l3', 'e3', 'x3', 'con_ten_a'),
          link('l4', 'e4', 'x4', 'con_ten_a', { tombstonedAt: iso(1) }), link('l5', 'e5', 'x5', 'con_ten_a_2'),
        ],
      }));
      await store.entities.applyBatch(batch('ten_b', { at: iso(1), entityInserts: [{ id: 'eb', type: 'person', fields: {} }], linkInserts: [link('lb', 'eb', 'x1', 'con_ten_b')] }));
      await store.linkSweep.markSeen('ten_a', 'con_ten_a', 'Contact', ['x2', 'x9'], iso(10));
      await store.linkSweep.markSeen('ten_b', 'con_ten_a', 'Contact', ['x1'], iso(10)); // another tenant: no effect
      await store.linkSweep.markSeen('ten_a', 'con_ten_a', 'Contact', ['x2'], iso(5)); // never moves back
      expect((await store.entities.linksOf('ten_a', 'e2'))[0]?.lastSyncedAt).toBe(iso(10));
      const query = { tenantId: 'ten_a', connectionId: 'con_ten_a', object: 'Contact', seenSince: iso(10), limit: 1 };
      const first = await store.linkSweep.listUnseen({ ...query, afterExternalId: null });
      const second = await store.linkSweep.listUnseen({ ...query, afterExternalId: first[0]!.externalId });
      const third = await store.linkSweep.listUnseen({ ...query, afterExternalId: second[0]!.externalId });
      expect([...first, ...second, ...third].map((l) => [l.linkId, l.entity.id])).toEqual([['l1', 'e1'], ['l3', 'e3']]);
      expect(first[0]).toMatchObject({ object: 'Contact', externalId: 'x1', recordId: 'x1', remoteVersion: 'v1', baseSnapshot: { a: 1 }, tombstonedAt: null });
      expect(await store.linkSweep.listUnseen({ ...query, seenSince: iso(1), afterExternalId: null, limit: 10 })).toEqual([]);
      expect((await store.linkSweep.listUnseen({ ...query, tenantId: 'ten_b', connectionId: 'con_ten_b', afterExternalId: null, limit: 10 })).map((l) => l.linkId)).toEqual(['lb']);
    });
  });
}
