import { beforeAll, describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { runStoreContract } from '../../ports/contracts/store.contract.ts';
import { runSyncStoreContract } from '../../ports/contracts/sync-store.contract.ts';
import { runOutboxStoreContract } from '../../ports/contracts/outbox-store.contract.ts';
import { runConflictStoreContract } from '../../ports/contracts/conflict-store.contract.ts';
import { runDedupStoreContract } from '../../ports/contracts/dedup-store.contract.ts';
import { toDoc } from './documents.ts';
import { CosmosStore } from './store.ts';
import { useCosmosTarget } from './cosmos-test-support.ts';

/**
 * The Store contracts against Cosmos DB: the in-process @vercel/cosmosdb-server by
 * default, a real account when AZURE_COSMOS_ENDPOINT and AZURE_COSMOS_KEY are set.
 */
const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };
const cosmos = useCosmosTarget(process.env);

beforeAll(() => {
  console.info(cosmos.target().real ? 'Cosmos DB store tests: against the account in AZURE_COSMOS_ENDPOINT' : 'Cosmos DB store tests: against the in-process @vercel/cosmosdb-server (set AZURE_COSMOS_ENDPOINT and AZURE_COSMOS_KEY for a real account)');
});

runStoreContract('CosmosStore', () => cosmos.fresh(clock));

runSyncStoreContract('CosmosStore', () => cosmos.fresh(clock));

runOutboxStoreContract('CosmosStore', () => cosmos.fresh(clock));

runConflictStoreContract('CosmosStore', () => cosmos.fresh(clock));

runDedupStoreContract('CosmosStore', () => cosmos.fresh(clock));

describe('CosmosStore specifics', () => {
  it('fails with STORE_UNAVAILABLE when the account cannot be reached', async () => {
    const store = new CosmosStore({ endpoint: 'http://127.0.0.1:1', key: 'a2V5', databaseId: 'x', clock, transactionRetries: 1 });
    try {
      const error: unknown = await store.ping().then(() => null, (e: unknown) => e);
      expect(isTributaryError(error) && error.code).toBe('STORE_UNAVAILABLE');
    } finally {
      await store.close();
    }
  }, 60_000);

  it('switches TTL on for the audit container of an account migrated before credential access entries expired', async () => {
    await cosmos.withStore(clock, async (store, namespace) => {
      const database = cosmos.target().client.database(cosmos.target().databaseId);
      const audit = database.container(`${namespace.prefix}audit`);
      const ttlOf = async () => (await audit.read()).resource?.defaultTtl;
      expect(await ttlOf()).toBe(-1);
      // As a version-1 account has it: TTL off, no version-2 marker.
      const { resource } = await audit.read();
      const { defaultTtl: _ttl, ...withoutTtl } = resource!;
      await audit.replace(withoutTtl);
      await database.container(`${namespace.prefix}tenants`).item('migration:2', '_meta').delete();
      expect(await ttlOf()).toBeUndefined();
      expect((await store.migrate()).applied).toEqual([2]);
      expect(await ttlOf()).toBe(-1);
      expect((await store.migrate()).applied).toEqual([]);
    });
  });

  it('keeps provider ids that Cosmos DB refuses in a document id (slashes, hashes, very long ones)', async () => {
    await cosmos.withStore(clock, async (store) => {
      const at = '2026-01-01T00:00:00.000Z';
      await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: at, updatedAt: at });
      const ids = ['octo/repo#12', 'a?b\\c', 'x'.repeat(400)];
      await store.entities.applyBatch({
        tenantId: 'ten_a', at, entityUpdates: [], linkUpdates: [], relationships: [], changes: [], matchKeys: [], reviews: [],
        entityInserts: ids.map((_, i) => ({ id: `ent_${i}`, type: 'task', fields: {} })),
        linkInserts: ids.map((externalId, i) => ({ id: `lnk_${i}`, entityId: `ent_${i}`, connectionId: 'con_a', integrationId: null, object: 'Issue', externalId, recordId: externalId, remoteVersion: null, baseSnapshot: null, tombstonedAt: null })),
      });
      const found = await store.entities.findLinks('ten_a', 'con_a', ids.map((externalId) => ({ object: 'Issue', externalId })));
      expect(found.map((l) => l.externalId).sort()).toEqual([...ids].sort());
    });
  });

  it('inserts a relationship or match key once even when two batches of one transaction both carry it', async () => {
    await cosmos.withStore(clock, async (store) => {
      const at = '2026-01-01T00:00:00.000Z';
      await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: at, updatedAt: at });
      const empty = { tenantId: 'ten_a', at, entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], changes: [], reviews: [] };
      const shared = {
        relationships: [{ fromEntityId: 'ent_1', kind: 'knows', toEntityId: 'ent_2' }],
        matchKeys: [{ entityType: 'person', key: 'email:a@x.org', connectionId: 'con_a', object: 'Contact', entityId: 'ent_1' }],
      };
      await store.transaction(async (tx) => {
        await tx.entities.applyBatch({ ...empty, ...shared, entityInserts: [{ id: 'ent_1', type: 'person', fields: {} }, { id: 'ent_2', type: 'person', fields: {} }] });
        await tx.entities.applyBatch({ ...empty, ...shared });
      });
      await store.entities.applyBatch({ ...empty, ...shared });
      expect((await store.entities.relationshipsOf('ten_a', 'ent_1')).outgoing).toHaveLength(1);
    });
  });

  it('finishes a unit whose process died between two groups: forward while applying, back while aborting', async () => {
    await cosmos.withStore(clock, async (store, namespace) => {
      const tenants = cosmos.target().client.database(cosmos.target().databaseId).container(`${namespace.prefix}tenants`);
      const at = '2026-01-01T00:00:00.000Z';
      const tenantDoc = (id: string) => toDoc('tenant', id, id, { id, name: id, metadata: {}, createdAt: at, updatedAt: at });
      const entry = (id: string) => ({ container: 'tenants', pk: id, id: `tenant:${id}`, after: tenantDoc(id), before: null, ifMatch: null });
      // ten_x was applied before the crash, ten_y was not; ten_z's unit was being undone.
      await tenants.items.create(tenantDoc('ten_x'));
      await tenants.items.create(tenantDoc('ten_z'));
      const old = Date.parse(at) - 3_600_000;
      await tenants.items.create({ id: 'journal:a', pk: '_journal', docKind: 'journal', status: 'applying', createdAtMs: old, entries: [entry('ten_x'), entry('ten_y')] });
      await tenants.items.create({ id: 'journal:b', pk: '_journal', docKind: 'journal', status: 'aborting', createdAtMs: old, entries: [entry('ten_z')] });
      await store.migrate();
      expect((await store.tenants.list()).items.map((t) => t.id)).toEqual(['ten_x', 'ten_y']);
      const { resources } = await tenants.items.query("SELECT * FROM c WHERE c.docKind = 'journal'").fetchAll();
      expect(resources).toEqual([]);
    });
  });

  it('leaves no journal behind after multi-group units, committed or rolled back', async () => {
    await cosmos.withStore(clock, async (store, namespace) => {
      const at = '2026-01-01T00:00:00.000Z';
      const tenant = (id: string) => ({ id, name: id, metadata: {}, createdAt: at, updatedAt: at });
      await store.transaction(async (tx) => {
        await tx.tenants.insert(tenant('ten_a'));
        await tx.tenants.insert(tenant('ten_b'));
      });
      await expect(store.transaction(async (tx) => {
        await tx.tenants.insert(tenant('ten_c'));
        await tx.audit.append({ id: 'aud_1', at, actor: { kind: 'system', keyId: null, tenantId: null }, action: 'x', tenantId: 'ten_c', target: null, details: {}, requestId: null });
        await tx.tenants.insert(tenant('ten_a'));
      })).rejects.toMatchObject({ code: 'CONFLICT' });
      const tenants = cosmos.target().client.database(cosmos.target().databaseId).container(`${namespace.prefix}tenants`);
      const { resources } = await tenants.items.query("SELECT * FROM c WHERE c.docKind = 'journal'").fetchAll();
      expect(resources).toEqual([]);
      expect((await store.tenants.list()).items.map((t) => t.id)).toEqual(['ten_a', 'ten_b']);
    });
  });

  it('commits a page of entity writes and its cursor in one partition, so they land together or not at all', async () => {
    await cosmos.withStore(clock, async (store) => {
      const at = '2026-01-01T00:00:00.000Z';
      await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: at, updatedAt: at });
      await store.connections.insert({ id: 'con_a', tenantId: 'ten_a', provider: 'github', name: 'c', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
      const integration = { id: 'int_a', tenantId: 'ten_a', connectionId: 'con_a', object: 'Issue', direction: 'pull' as const, mapping: {}, mappingVersion: 1, schedule: null, priority: 'normal' as const, dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: at, updatedAt: at };
      await store.integrations.insert(integration, null);
      const page = (entityId: string, linkId: string) => ({
        tenantId: 'ten_a', at, entityUpdates: [], linkUpdates: [], relationships: [], changes: [], matchKeys: [], reviews: [],
        entityInserts: [{ id: entityId, type: 'task', fields: {} }],
        linkInserts: [{ id: linkId, entityId, connectionId: 'con_a', integrationId: 'int_a', object: 'Issue', externalId: '1', recordId: '1', remoteVersion: null, baseSnapshot: null, tombstonedAt: null }],
      });
      await store.transaction(async (tx) => {
        await tx.entities.applyBatch(page('ent_1', 'lnk_1'));
        await tx.integrations.setCursor('ten_a', 'int_a', { page: 1 }, at);
      });
      // The same external record again: the link key is taken, so neither the entity nor the new cursor may land.
      await expect(store.transaction(async (tx) => {
        await tx.entities.applyBatch(page('ent_2', 'lnk_2'));
        await tx.integrations.setCursor('ten_a', 'int_a', { page: 2 }, at);
      })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.entities.get('ten_a', 'ent_2')).toBeNull();
      expect((await store.integrations.get('ten_a', 'int_a'))?.cursor).toEqual({ page: 1 });
    });
  });
});
