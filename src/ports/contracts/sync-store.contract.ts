import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Integration } from '../../domain/integration.ts';
import type { EntityWriteBatch, Store } from '../store.ts';
import { entityWriteBatch } from '../store-sync.ts';

/**
 * The sync repositories of the Store port (integrations with their schedule, the entity
 * store, runs), registered as vitest cases; every backend's suite calls it. Only the
 * port is used. `create` gives a fresh, NOT yet migrated store and its cleanup.
 */
export function runSyncStoreContract(name: string, create: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`Store contract (sync): ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const T0 = Date.parse('2026-01-01T00:00:00.000Z');
    const iso = (ms: number): string => new Date(T0 + ms).toISOString();

    const integration = (id: string, tenantId: string, extra: Partial<Integration> = {}): Integration => ({
      id, tenantId, connectionId: `con_${tenantId}`, object: 'Contact', direction: 'pull', mapping: { version: 1 }, mappingVersion: 1,
      schedule: { intervalMs: 60_000 }, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true,
      cursor: null, cursorUpdatedAt: null, createdAt: iso(0), updatedAt: iso(0), ...extra,
    });

    const batch = (extra: Partial<EntityWriteBatch>): EntityWriteBatch => ({ ...entityWriteBatch('ten_a', iso(1)), ...extra });

    const link = (id: string, entityId: string, externalId: string, connectionId = 'con_ten_a', extra: Record<string, unknown> = {}) => ({
      id, entityId, connectionId, integrationId: null, object: 'Contact', externalId, recordId: externalId, remoteVersion: 'v1', baseSnapshot: { a: 1 }, tombstonedAt: null, ...extra,
    });

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

    it('stores integrations per tenant: get, list in order, patch, cursor, delete', async () => {
      await store.integrations.insert(integration('int_2', 'ten_a', { createdAt: iso(2) }), null);
      await store.integrations.insert(integration('int_1', 'ten_a', { createdAt: iso(1) }), iso(5));
      await store.integrations.insert(integration('int_b', 'ten_b'), null);
      expect(await store.integrations.get('ten_a', 'int_1')).toEqual(integration('int_1', 'ten_a', { createdAt: iso(1) }));
      expect(await store.integrations.get('ten_b', 'int_1')).toBeNull();
      const first = await store.integrations.list('ten_a', { limit: 1 });
      const second = await store.integrations.list('ten_a', { limit: 1, cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual(['int_1', 'int_2']);
      expect(second.nextCursor).toBeNull();
      const patched = await store.integrations.update('ten_a', 'int_1', { priority: 'high', enabled: false, schedule: { cron: '0 * * * *' }, mapping: { version: 2 }, mappingVersion: 2 }, iso(9));
      expect(patched).toMatchObject({ priority: 'high', enabled: false, schedule: { cron: '0 * * * *' }, mapping: { version: 2 }, mappingVersion: 2, updatedAt: iso(9), direction: 'pull' });
      expect(await store.integrations.update('ten_b', 'int_1', { priority: 'low' }, iso(9))).toBeNull();
      await store.integrations.setCursor('ten_a', 'int_2', { v: 1, watermark: 'x' }, iso(3));
      expect(await store.integrations.get('ten_a', 'int_2')).toMatchObject({ cursor: { v: 1, watermark: 'x' }, cursorUpdatedAt: iso(3) });
      expect(await store.integrations.delete('ten_b', 'int_2')).toBe(false);
      expect(await store.integrations.delete('ten_a', 'int_2')).toBe(true);
      expect(await store.integrations.get('ten_a', 'int_2')).toBeNull();
    });

    it('keeps the links an integration wrote when it is deleted, with no integration on them', async () => {
      for (const id of ['int_1', 'int_2']) await store.integrations.insert(integration(id, 'ten_a'), null);
      await store.entities.applyBatch(batch({
        entityInserts: [{ id: 'ent_1', type: 'person', fields: {} }],
        linkInserts: [link('lnk_1', 'ent_1', '0031', 'con_ten_a', { integrationId: 'int_1' }), link('lnk_2', 'ent_1', '0032', 'con_ten_a', { integrationId: 'int_2' })],
      }));
      expect(await store.integrations.delete('ten_a', 'int_1')).toBe(true);
      const links = await store.entities.linksOf('ten_a', 'ent_1');
      expect(links.map((l) => [l.id, l.integrationId])).toEqual([['lnk_1', null], ['lnk_2', 'int_2']]);
    });

    it('lists due integrations across tenants, high priority first, then the longest overdue, skipping disabled and unscheduled ones', async () => {
      await store.integrations.insert(integration('int_low', 'ten_a', { priority: 'low' }), iso(1));
      await store.integrations.insert(integration('int_old', 'ten_b'), iso(2));
      await store.integrations.insert(integration('int_new', 'ten_a'), iso(4));
      await store.integrations.insert(integration('int_high', 'ten_b', { priority: 'high' }), iso(6));
      await store.integrations.insert(integration('int_later', 'ten_a'), iso(100));
      await store.integrations.insert(integration('int_off', 'ten_a', { enabled: false }), iso(1));
      await store.integrations.insert(integration('int_none', 'ten_a'), null);
      expect((await store.integrations.listDue(iso(10), 10)).map((d) => d.integrationId)).toEqual(['int_high', 'int_old', 'int_new', 'int_low']);
      expect(await store.integrations.listDue(iso(10), 1)).toEqual([{ tenantId: 'ten_b', integrationId: 'int_high', priority: 'high', nextScheduled: iso(6) }]);
      await store.integrations.setNextScheduled('ten_b', 'int_high', iso(50), iso(10));
      expect(await store.integrations.getNextScheduled('ten_b', 'int_high')).toBe(iso(50));
      expect((await store.integrations.listDue(iso(10), 10)).map((d) => d.integrationId)).not.toContain('int_high');
    });

    it('writes a batch atomically in a transaction and finds links by key and by record id', async () => {
      await store.transaction(async (tx) => {
        await tx.entities.applyBatch(batch({
          entityInserts: [{ id: 'ent_1', type: 'person', fields: { name: 'Ada' } }, { id: 'ent_2', type: 'organization', fields: {} }],
          linkInserts: [
            link('lnk_1', 'ent_1', '003A'), link('lnk_2', 'ent_2', '001X', 'con_ten_a', { object: 'Account', recordId: null }),
            // Keyed by something else than the record id (a GitHub issue by its URL), and a link with no record id.
            link('lnk_4', 'ent_1', 'https://api.example/issues/7', 'con_ten_a', { recordId: '7' }), link('lnk_5', 'ent_2', '8', 'con_ten_a', { recordId: null }),
          ],
          relationships: [{ fromEntityId: 'ent_1', kind: 'works_at', toEntityId: 'ent_2' }, { fromEntityId: 'ent_1', kind: 'works_at', toEntityId: 'ent_2' }],
          changes: [{ entityId: 'ent_1', change: { op: 'create' } }, { entityId: 'ent_2', change: { op: 'create' } }],
          matchKeys: [{ entityType: 'person', key: 'email:ada@x.org', connectionId: 'con_ten_a', object: 'Contact', entityId: 'ent_1' }],
        }));
      });
      const found = await store.entities.findLinks('ten_a', 'con_ten_a', [{ object: 'Contact', externalId: '003A' }, { object: 'Account', externalId: '001X' }, { object: 'Contact', externalId: 'nope' }]);
      expect(found.map((f) => [f.linkId, f.entity.id, f.baseSnapshot]).sort()).toEqual([['lnk_1', 'ent_1', { a: 1 }], ['lnk_2', 'ent_2', { a: 1 }]]);
      expect(await store.entities.findLinks('ten_b', 'con_ten_a', [{ object: 'Contact', externalId: '003A' }])).toEqual([]);
      // The same links for their entity ids alone, across objects; another tenant or connection finds none.
      const targets = await store.entities.findLinkTargets('ten_a', 'con_ten_a', [{ object: 'Contact', externalId: '003A' }, { object: 'Account', externalId: '001X' }, { object: 'Account', externalId: '003A' }, { object: 'Contact', externalId: 'nope' }]);
      expect(targets.sort((a, b) => a.entityId.localeCompare(b.entityId))).toEqual([{ object: 'Contact', externalId: '003A', entityId: 'ent_1' }, { object: 'Account', externalId: '001X', entityId: 'ent_2' }]);
      expect(await store.entities.findLinkTargets('ten_b', 'con_ten_a', [{ object: 'Contact', externalId: '003A' }])).toEqual([]);
      expect(await store.entities.findLinkTargets('ten_a', 'con_ten_b', [{ object: 'Account', externalId: '001X' }])).toEqual([]);
      expect((await store.entities.findLinksByRecordId('ten_a', 'con_ten_a', 'Contact', ['003A', 'x'])).map((l) => l.linkId)).toEqual(['lnk_1']);
      expect((await store.entities.findLinksByRecordId('ten_a', 'con_ten_a', 'Contact', ['003A', '7', '8', 'https://api.example/issues/7'])).map((l) => [l.linkId, l.recordId]).sort())
        .toEqual([['lnk_1', '003A'], ['lnk_4', '7']]);
      expect(await store.entities.findLinksByRecordId('ten_b', 'con_ten_a', 'Contact', ['003A', '7'])).toEqual([]);
      expect((await store.entities.relationshipsOf('ten_a', 'ent_1')).outgoing).toHaveLength(1);
      expect((await store.entities.relationshipsOf('ten_a', 'ent_2')).incoming).toEqual([expect.objectContaining({ fromEntityId: 'ent_1', kind: 'works_at' })]);
      const feed = await store.entities.changes('ten_a', 0, 10);
      expect(feed.map((c) => c.entityId)).toEqual(['ent_1', 'ent_2']);
      expect(feed[1]!.seq).toBeGreaterThan(feed[0]!.seq);
      expect(await store.entities.changes('ten_a', feed[1]!.seq, 10)).toEqual([]);
      expect(await store.entities.changes('ten_b', 0, 10)).toEqual([]);
      expect((await store.entities.changes('ten_a', 0, 10, 'ent_2')).map((c) => c.entityId)).toEqual(['ent_2']);
      expect(await store.entities.changes('ten_a', feed[1]!.seq, 10, 'ent_2')).toEqual([]);
      expect(await store.entities.changes('ten_b', 0, 10, 'ent_2')).toEqual([]);

      // A failing batch leaves nothing behind.
      await expect(store.transaction(async (tx) => {
        await tx.entities.applyBatch(batch({ entityInserts: [{ id: 'ent_3', type: 'person', fields: {} }], linkInserts: [link('lnk_3', 'ent_3', '003A')] }));
      })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.entities.get('ten_a', 'ent_3')).toBeNull();
    });

    it('updates, tombstones and counts live links; lists entities by type, provider and time', async () => {
      await store.entities.applyBatch(batch({
        entityInserts: [{ id: 'ent_1', type: 'person', fields: { n: 1 } }, { id: 'ent_2', type: 'task', fields: {} }],
        linkInserts: [link('lnk_1', 'ent_1', '003A'), link('lnk_2', 'ent_1', 'p1', 'con_ten_a_2')],
      }));
      await store.entities.applyBatch(batch({
        at: iso(5),
        entityUpdates: [{ id: 'ent_1', fields: { n: 2 }, version: 2, deletedAt: null }],
        linkUpdates: [{ id: 'lnk_1', recordId: null, remoteVersion: 'v2', baseSnapshot: { b: 2 }, tombstonedAt: iso(5) }],
      }));
      expect(await store.entities.get('ten_a', 'ent_1')).toMatchObject({ fields: { n: 2 }, version: 2, updatedAt: iso(5), deletedAt: null });
      expect([...(await store.entities.countLiveLinks('ten_a', ['ent_1', 'ent_2']))]).toEqual([['ent_1', 1]]);
      const links = await store.entities.linksOf('ten_a', 'ent_1');
      expect(links.find((l) => l.id === 'lnk_1')).toMatchObject({ remoteVersion: 'v2', baseSnapshot: { b: 2 }, tombstonedAt: iso(5), lastSyncedAt: iso(5) });
      expect((await store.entities.list('ten_a', { type: 'person' })).items.map((e) => e.id)).toEqual(['ent_1']);
      expect((await store.entities.list('ten_a', { provider: 'salesforce' })).items.map((e) => e.id)).toEqual(['ent_1']);
      expect((await store.entities.list('ten_a', { provider: 'github' })).items).toEqual([]);
      expect((await store.entities.list('ten_a', { updatedSince: iso(2) })).items.map((e) => e.id)).toEqual(['ent_1']);
      expect((await store.entities.list('ten_b')).items).toEqual([]);
    });

    it('finds match-key candidates of other sources only, never an entity the same source already links', async () => {
      await store.entities.applyBatch(batch({
        entityInserts: [{ id: 'ent_1', type: 'person', fields: {} }, { id: 'ent_2', type: 'person', fields: {} }],
        linkInserts: [link('lnk_1', 'ent_1', '003A'), link('lnk_2', 'ent_2', 'p2', 'con_ten_a_2')],
        matchKeys: [
          { entityType: 'person', key: 'email:a@x.org', connectionId: 'con_ten_a', object: 'Contact', entityId: 'ent_1' },
          { entityType: 'person', key: 'email:a@x.org', connectionId: 'con_ten_a_2', object: 'Contact', entityId: 'ent_2' },
        ],
      }));
      expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:a@x.org'], 'con_ten_a', 'Contact')).toEqual([{ key: 'email:a@x.org', entityId: 'ent_2' }]);
      expect(await store.entities.findByMatchKeys('ten_a', 'person', ['email:a@x.org'], 'con_ten_a_2', 'Contact')).toEqual([{ key: 'email:a@x.org', entityId: 'ent_1' }]);
      expect(await store.entities.findByMatchKeys('ten_a', 'organization', ['email:a@x.org'], 'con_ten_a', 'Contact')).toEqual([]);
      expect(await store.entities.findByMatchKeys('ten_b', 'person', ['email:a@x.org'], 'con_ten_b', 'Contact')).toEqual([]);
    });

    it('keeps runs idempotently, with progress, record errors, a result and their TTLs', async () => {
      await store.integrations.insert(integration('int_1', 'ten_a'), null);
      const run = { id: 'run_1', tenantId: 'ten_a', integrationId: 'int_1', type: 'manual' as const, status: 'queued', startedAt: iso(0), finishedAt: null, recordsSoFar: 0, pages: 0, totalEstimate: null, error: null, checkpoint: null, expiresAt: null };
      expect(await store.runs.ensure(run)).toMatchObject({ status: 'queued', counts: { created: 0 } });
      expect(await store.runs.ensure({ ...run, status: 'running', startedAt: iso(5) })).toMatchObject({ status: 'queued', startedAt: iso(0) });
      await store.runs.progress('ten_a', 'run_1', { recordsSoFar: 10, pages: 1, totalEstimate: 20, checkpoint: { page: 2 }, counts: { created: 8, updated: 1, unchanged: 0, deleted: 0, failed: 1 }, fullResync: true });
      expect(await store.runs.get('ten_a', 'run_1')).toMatchObject({ recordsSoFar: 10, pages: 1, totalEstimate: 20, checkpoint: { page: 2 }, counts: { created: 8, failed: 1 }, fullResync: true });
      expect(await store.runs.get('ten_b', 'run_1')).toBeNull();
      await store.runs.addRecordErrors([{ runId: 'run_1', tenantId: 'ten_a', externalId: '003A', field: 'person.email', reason: 'bad', at: iso(1), expiresAt: iso(1000) }]);
      expect(await store.runs.listRecordErrors('ten_a', 'run_1', 10)).toEqual([{ runId: 'run_1', tenantId: 'ten_a', externalId: '003A', field: 'person.email', reason: 'bad', at: iso(1) }]);
      await store.runs.finish('ten_a', 'run_1', { status: 'partial', finishedAt: iso(2), error: { code: 'PROVIDER_REJECTED', message: 'no' }, expiresAt: iso(1000) });
      expect(await store.runs.get('ten_a', 'run_1')).toMatchObject({ status: 'partial', finishedAt: iso(2), error: { code: 'PROVIDER_REJECTED', message: 'no' } });
      const result = { id: 'res_1', integrationId: 'int_1', tenantId: 'ten_a', runId: 'run_1', status: 'partial' as const, recordsProcessed: 10, recordsCreated: 8, recordsUpdated: 1, recordsFailed: 1, conflictsDetected: 0, conflictsResolved: 0, durationMs: 2, executedAt: iso(2), ttlSeconds: 60, expiresAt: iso(62_000) };
      await store.runs.insertResult(result);
      expect(await store.runs.getResultByRun('ten_a', 'run_1')).toEqual(result);
      expect((await store.runs.listByIntegration('ten_a', 'int_1')).items.map((r) => r.id)).toEqual(['run_1']);
      await store.purgeExpired(T0 + 100_000);
      expect(await store.runs.getResultByRun('ten_a', 'run_1')).toBeNull();
      expect(await store.runs.get('ten_a', 'run_1')).toBeNull();
    });

    it('guards run writes: none after the run finished, none under a lower fence than the run has seen', async () => {
      await store.integrations.insert(integration('int_1', 'ten_a'), null);
      const run = { id: 'run_f', tenantId: 'ten_a', integrationId: 'int_1', type: 'manual' as const, status: 'queued', startedAt: iso(0), finishedAt: null, recordsSoFar: 0, pages: 0, totalEstimate: null, error: null, checkpoint: null, expiresAt: null };
      const progress = (pages: number, fence?: number) => ({ recordsSoFar: pages * 10, pages, totalEstimate: null, checkpoint: { page: pages }, counts: { created: pages, updated: 0, unchanged: 0, deleted: 0, failed: 0 }, fullResync: false, fence });
      await store.runs.ensure(run);
      expect(await store.runs.setStatus('ten_a', 'run_f', 'running', null, 5)).toBe(true);
      // Another worker's lease (token 7) takes the run over; the old one (5) is refused from then on.
      expect(await store.runs.setStatus('ten_a', 'run_f', 'running', null, 7)).toBe(true);
      await store.runs.progress('ten_a', 'run_f', progress(2, 7));
      await expect(store.runs.progress('ten_a', 'run_f', progress(1, 5))).rejects.toMatchObject({ code: 'LOCK_NOT_HELD' });
      expect(await store.runs.setStatus('ten_a', 'run_f', 'retrying', { code: 'PROVIDER_UNAVAILABLE', message: 'x' }, 5)).toBe(false);
      expect(await store.runs.finish('ten_a', 'run_f', { status: 'failed', finishedAt: iso(3), error: null, expiresAt: null, fence: 5 })).toBe(false);
      expect(await store.runs.get('ten_a', 'run_f')).toMatchObject({ status: 'running', finishedAt: null, pages: 2 });
      expect(await store.runs.finish('ten_a', 'run_f', { status: 'succeeded', finishedAt: iso(4), error: null, expiresAt: null, fence: 7 })).toBe(true);
      // Finished is final, whoever writes: unfenced writers included.
      expect(await store.runs.setStatus('ten_a', 'run_f', 'retrying', null)).toBe(false);
      expect(await store.runs.setStatus('ten_a', 'run_f', 'running', null, 9)).toBe(false);
      await expect(store.runs.progress('ten_a', 'run_f', progress(3))).rejects.toMatchObject({ code: 'LOCK_NOT_HELD' });
      expect(await store.runs.finish('ten_a', 'run_f', { status: 'failed', finishedAt: iso(5), error: null, expiresAt: null })).toBe(false);
      expect(await store.runs.get('ten_a', 'run_f')).toMatchObject({ status: 'succeeded', finishedAt: iso(4), error: null, pages: 2 });
      // A refused progress inside a transaction rolls the transaction's other writes back (a page and its cursor).
      await expect(store.transaction(async (tx) => {
        await tx.integrations.setCursor('ten_a', 'int_1', { stale: true }, iso(6));
        await tx.runs.progress('ten_a', 'run_f', progress(4, 9));
      })).rejects.toMatchObject({ code: 'LOCK_NOT_HELD' });
      expect((await store.integrations.get('ten_a', 'int_1'))!.cursor).toBeNull();
    });

    it('keeps a link\'s remote modification time (absent or null keeps the stored one) and writes a batch\'s merge lineage', async () => {
      const modified = async (): Promise<string | null | undefined> =>
        (await store.entities.findLinks('ten_a', 'con_ten_a', [{ object: 'Contact', externalId: '003A' }]))[0]?.remoteModifiedAt;
      const lineage = { id: 'mrg_1', tenantId: 'ten_a', survivorId: 'ent_1', mergedId: 'ent_9', snapshot: { kind: 'link', linkIds: ['lnk_1'] }, reason: { automatic: true }, mergedAt: iso(1), undoneAt: null };
      await store.entities.applyBatch(batch({
        entityInserts: [{ id: 'ent_1', type: 'person', fields: {} }],
        linkInserts: [link('lnk_1', 'ent_1', '003A', 'con_ten_a', { remoteModifiedAt: iso(10) })],
        merges: [lineage],
      }));
      expect(await modified()).toBe(iso(10));
      expect((await store.merges.listByEntity('ten_a', 'ent_1')).items).toEqual([lineage]);
      expect((await store.merges.listByEntity('ten_b', 'ent_1')).items).toEqual([]);
      const update = { id: 'lnk_1', recordId: null, remoteVersion: 'v2', baseSnapshot: { a: 2 }, tombstonedAt: null };
      await store.entities.applyBatch(batch({ linkUpdates: [update] }));
      expect(await modified()).toBe(iso(10));
      await store.entities.applyBatch(batch({ linkUpdates: [{ ...update, remoteModifiedAt: iso(20) }] }));
      expect(await modified()).toBe(iso(20));
      await store.outbox.recordPush('ten_a', 'lnk_1', { remoteVersion: 'v3', baseSnapshot: { a: 3 }, pushedHash: 'h', at: iso(30), remoteModifiedAt: iso(30) });
      expect(await modified()).toBe(iso(30));
      await store.outbox.recordPush('ten_a', 'lnk_1', { remoteVersion: 'v4', baseSnapshot: { a: 4 }, pushedHash: 'h', at: iso(40) });
      expect(await modified()).toBe(iso(30));
      // The time is bookkeeping of the writer, not part of the link the API shows.
      expect(Object.keys((await store.entities.linksOf('ten_a', 'ent_1'))[0]!)).not.toContain('remoteModifiedAt');
    });
  });
}
