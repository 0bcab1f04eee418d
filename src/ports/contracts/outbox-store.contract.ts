import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntityWriteBatch, Store } from '../store.ts';
import { entityWriteBatch } from '../store-sync.ts';

/**
 * The outbox repository of the Store port (push intake, link push bookkeeping, the
 * create-once guard), registered as vitest cases; every backend's suite calls it. Only
 * the port is used. `create` gives a fresh, NOT yet migrated store and its cleanup.
 */
export function runOutboxStoreContract(name: string, create: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`Store contract (outbox): ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const T0 = Date.parse('2026-01-01T00:00:00.000Z');
    const iso = (ms: number): string => new Date(T0 + ms).toISOString();

    const batch = (tenantId: string, at: string, extra: Partial<EntityWriteBatch>): EntityWriteBatch => ({ ...entityWriteBatch(tenantId, at), ...extra });
    const change = (op: string) => ({ op, fields: { phone: '+15550100' }, version: 2, source: { kind: 'api' } });

    beforeEach(async () => {
      const fixture = await create();
      store = fixture.store;
      cleanup = fixture.cleanup;
      await store.migrate();
      for (const t of ['ten_a', 'ten_b']) {
        await store.tenants.insert({ id: t, name: t, metadata: {}, createdAt: iso(0), updatedAt: iso(0) });
        await store.connections.insert({ id: `con_${t}`, tenantId: t, provider: 'salesforce', name: t, status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: iso(0), updatedAt: iso(0) });
        await store.integrations.insert({
          id: `int_${t}`, tenantId: t, connectionId: `con_${t}`, object: 'Contact', direction: 'bidirectional', mapping: { version: 1 }, mappingVersion: 1, schedule: null,
          priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: iso(0), updatedAt: iso(0),
        }, null);
      }
    });

    afterEach(async () => {
      await cleanup();
    });

    it('adds outbox rows atomically with the entity change, and relays and processes each once', async () => {
      await store.entities.applyBatch(batch('ten_a', iso(1), {
        entityInserts: [{ id: 'ent_1', type: 'person', fields: { phone: '+15550100' } }],
        changes: [{ entityId: 'ent_1', change: change('create') }],
        outbox: [{ id: 'obx_2', entityId: 'ent_1', change: change('create') }],
      }));
      await store.entities.applyBatch(batch('ten_b', iso(2), {
        entityInserts: [{ id: 'ent_b', type: 'person', fields: {} }],
        outbox: [{ id: 'obx_1', entityId: 'ent_b', change: change('create') }],
      }));
      // A failing batch leaves no outbox row behind.
      await expect(store.transaction(async (tx) => {
        await tx.entities.applyBatch(batch('ten_a', iso(3), { outbox: [{ id: 'obx_9', entityId: 'ent_1', change: change('update') }] }));
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');

      expect(await store.outbox.get('ten_a', 'obx_9')).toBeNull();
      expect(await store.outbox.get('ten_a', 'obx_2')).toEqual({
        id: 'obx_2', tenantId: 'ten_a', entityId: 'ent_1', change: change('create'), createdAt: iso(1), processedAt: null, expiresAt: null, relayedAt: null, outcome: null,
      });
      expect(await store.outbox.get('ten_b', 'obx_2')).toBeNull();
      expect((await store.outbox.listUnrelayed(10)).map((r) => r.id)).toEqual(['obx_2', 'obx_1']);
      expect((await store.outbox.listUnrelayed(1)).map((r) => r.id)).toEqual(['obx_2']);

      await store.outbox.markRelayed(['obx_2'], iso(5));
      await store.outbox.markRelayed(['obx_2'], iso(6));
      expect((await store.outbox.get('ten_a', 'obx_2'))?.relayedAt).toBe(iso(5));
      expect((await store.outbox.listUnrelayed(10)).map((r) => r.id)).toEqual(['obx_1']);

      await store.outbox.recordOutcome('ten_a', 'obx_2', { error: 'first try' });
      expect((await store.outbox.list('ten_a', { pending: true })).map((r) => [r.id, r.outcome])).toEqual([['obx_2', { error: 'first try' }]]);
      await store.outbox.markProcessed('ten_b', 'obx_2', iso(7), { links: [] }, iso(99));
      expect((await store.outbox.get('ten_a', 'obx_2'))?.processedAt).toBeNull();
      await store.outbox.markProcessed('ten_a', 'obx_2', iso(7), { links: ['pushed'] }, iso(99));
      await store.outbox.markProcessed('ten_a', 'obx_2', iso(8), { links: ['again'] }, iso(100));
      await store.outbox.recordOutcome('ten_a', 'obx_2', { error: 'late' });
      expect(await store.outbox.get('ten_a', 'obx_2')).toMatchObject({ processedAt: iso(7), outcome: { links: ['pushed'] }, expiresAt: iso(99) });
      expect(await store.outbox.list('ten_a', { pending: true })).toEqual([]);
      expect((await store.outbox.list('ten_a')).map((r) => r.id)).toEqual(['obx_2']);
      expect((await store.outbox.list('ten_b')).map((r) => r.id)).toEqual(['obx_1']);
      // Processed rows expire with the retention.
      expect(await store.purgeExpired(T0 + 100_000)).toBeGreaterThanOrEqual(1);
      expect(await store.outbox.get('ten_a', 'obx_2')).toBeNull();
    });

    it('lists an entity\'s live links for push and records a push on one', async () => {
      await store.entities.applyBatch(batch('ten_a', iso(1), {
        entityInserts: [{ id: 'ent_1', type: 'person', fields: { phone: '+1' } }],
        linkInserts: [
          { id: 'lnk_1', entityId: 'ent_1', connectionId: 'con_ten_a', integrationId: 'int_ten_a', object: 'Contact', externalId: 'c1', recordId: 'r1', remoteVersion: 'v1', baseSnapshot: { phone: '+1' }, tombstonedAt: null },
          { id: 'lnk_2', entityId: 'ent_1', connectionId: 'con_ten_a', integrationId: null, object: 'Account', externalId: 'a1', recordId: null, remoteVersion: null, baseSnapshot: null, tombstonedAt: null },
          { id: 'lnk_3', entityId: 'ent_1', connectionId: 'con_ten_a', integrationId: 'int_ten_a', object: 'Contact', externalId: 'c0', recordId: 'r0', remoteVersion: 'v0', baseSnapshot: {}, tombstonedAt: iso(1) },
        ],
      }));
      const targets = await store.outbox.pushTargets('ten_a', 'ent_1');
      expect(targets.map((t) => t.linkId).sort()).toEqual(['lnk_1', 'lnk_2']);
      expect(targets.find((t) => t.linkId === 'lnk_1')).toEqual({
        linkId: 'lnk_1', connectionId: 'con_ten_a', integrationId: 'int_ten_a', object: 'Contact', externalId: 'c1', recordId: 'r1', remoteVersion: 'v1', baseSnapshot: { phone: '+1' }, pushedHash: null,
      });
      expect(await store.outbox.pushTargets('ten_b', 'ent_1')).toEqual([]);
      await store.outbox.recordPush('ten_b', 'lnk_1', { remoteVersion: 'evil', baseSnapshot: {}, pushedHash: 'x', at: iso(2) });
      await store.outbox.recordPush('ten_a', 'lnk_1', { remoteVersion: 'v2', baseSnapshot: { phone: '+2' }, pushedHash: 'abc', at: iso(3) });
      const [link] = (await store.entities.linksOf('ten_a', 'ent_1')).filter((l) => l.id === 'lnk_1');
      expect(link).toMatchObject({ remoteVersion: 'v2', baseSnapshot: { phone: '+2' }, pushedHash: 'abc', lastSyncedAt: iso(3) });
    });

    it('guards a create: the first intent wins until it is ended', async () => {
      const intent = { tenantId: 'ten_a', entityId: 'ent_1', integrationId: 'int_ten_a', outboxId: 'obx_1', startedAt: iso(1) };
      expect(await store.outbox.beginCreate(intent)).toBeNull();
      expect(await store.outbox.beginCreate({ ...intent, outboxId: 'obx_2', startedAt: iso(2) })).toEqual(intent);
      await store.outbox.endCreate('ten_b', 'ent_1', 'int_ten_a');
      expect(await store.outbox.beginCreate({ ...intent, outboxId: 'obx_3' })).toEqual(intent);
      await store.outbox.endCreate('ten_a', 'ent_1', 'int_ten_a');
      expect(await store.outbox.beginCreate({ ...intent, outboxId: 'obx_4' })).toBeNull();
    });
  });
}
