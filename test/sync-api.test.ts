/**
 * The sync API of the real platform (buildApi over the composed services: SQLite store,
 * queue, API keys, tenant scope); the inbound worker with a sandbox token as credential:
 * create an integration with the default mapping, refuse a bad mapping naming its path,
 * run it manually through the queue and the inbound worker, follow the run to its
 * result, then read entities, one entity with links and relationships, and the change
 * feed. Another tenant sees none of it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { createSalesforceSimulator } from '../sandbox/salesforce/index.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Consumer } from '../src/ports/job-queue.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { twoTenants } from './fixtures/two-tenants.ts';
import { createInboundHandler, type SyncJobPayload } from '../src/sync/index.ts';
import type { Json } from './sync-fixture.ts';

let temp: TempPlatform | null = null;
let sandbox: Sandbox | null = null;
let consumer: Consumer | null = null;
afterEach(async () => {
  await consumer?.stop(1000);
  await temp?.close();
  await sandbox?.close();
  consumer = null;
  temp = null;
  sandbox = null;
});

describe('the sync API', () => {
  it('creates an integration, runs it manually, and serves its run, entities and change feed to its tenant only', async () => {
    sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 120, seed: 3 });
    const base = await sandbox.listen(0);
    temp = await startTempPlatform();
    const { s, tenant, otherKey, call } = await twoTenants(temp);
    const now = new Date().toISOString();
    await s.store.connections.insert({ id: 'con_sf', tenantId: tenant.id, provider: 'salesforce', name: 'SF', status: 'active', baseUrl: `${base}/salesforce`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    const token = ((await (await fetch(`${base}/_sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'salesforce' }) })).json()) as Json).accessToken as string;

    const handler = createInboundHandler({
      store: s.store, locks: s.locks, clock: s.clock, providerFor: (id) => (id === 'salesforce' ? salesforceProvider : undefined),
      contextFor: (connection) => {
        const info = { id: connection.id, tenantId: connection.tenantId, baseUrl: connection.baseUrl!, settings: {} };
        return { connection: info, http: createProviderHttp({ provider: salesforceProvider, connection: info, tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => null }, egress: { allowPrivate: true } }) };
      },
    });
    consumer = s.queue.consume<SyncJobPayload>('sync-inbound', handler, { concurrency: 1 });

    const created = await call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', schedule: { intervalMs: 3_600_000 }, priority: 'high' });
    expect(created.statusCode).toBe(201);
    const integration = created.json();
    expect(integration).toMatchObject({ object: 'Contact', direction: 'pull', priority: 'high', mappingVersion: 1, mapping: { source: { provider: 'salesforce', object: 'Contact' } } });
    expect((await call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Nope__x', mapping: { nonsense: true } })).statusCode).toBe(400);
    expect((await call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', schedule: { cron: 'every day' } })).json().error.field).toBe('body.schedule.cron');

    const bad = await call('PUT', `/v1/integrations/${integration.id}/mapping`, { mapping: { ...integration.mapping, targets: [{ entityType: 'person', fields: [{ target: 'x', source: 'A', transforms: [{ name: 'no_such_transform' }] }] }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: expect.stringMatching(/^body\.mapping\/targets\/0\/fields\/0\/transforms\/0/) });
    const good = await call('PUT', `/v1/integrations/${integration.id}/mapping`, { mapping: integration.mapping });
    expect(good.json()).toMatchObject({ version: 2 });
    expect((await call('GET', `/v1/integrations/${integration.id}/mapping`)).json().version).toBe(2);

    const started = await call('POST', `/v1/integrations/${integration.id}/sync`, {});
    expect(started.statusCode).toBe(202);
    const { runId } = started.json();
    expect((await call('POST', `/v1/integrations/${integration.id}/sync`, {})).json().runId).toBe(runId);
    let run: Json;
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = (await call('GET', `/v1/runs/${runId}`)).json();
    } while (run.finishedAt === null && Date.now() < deadline);
    const contacts = ((await (await fetch(`${base}/_sandbox/salesforce/Contact?limit=1`)).json()) as Json).total as number;
    expect(run).toMatchObject({ status: 'succeeded', recordsSoFar: contacts, totalEstimate: contacts, progress: { fraction: 1 }, result: { status: 'success', recordsCreated: contacts, recordsProcessed: contacts }, recordErrors: [] });
    expect((await call('GET', `/v1/integrations/${integration.id}/runs`)).json().items.map((r: Json) => r.id)).toEqual([runId]);

    const seen: Json[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = (await call('GET', `/v1/entities?type=person&provider=salesforce&limit=40${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(contacts);
    expect(new Set(seen.map((e) => e.id)).size).toBe(contacts);
    const withOrg = await Promise.all(seen.slice(0, 10).map(async (e) => (await call('GET', `/v1/entities/${e.id}`)).json()));
    expect(withOrg[0].links).toEqual([expect.objectContaining({ connectionId: 'con_sf', object: 'Contact' })]);
    expect(withOrg.some((e) => e.relationships.outgoing.some((r: Json) => r.kind === 'works_at'))).toBe(true);
    const feed = (await call('GET', '/v1/changes?since=0&limit=1000')).json();
    expect(feed.items.filter((c: Json) => c.change.type === 'person')).toHaveLength(contacts);
    expect((await call('GET', `/v1/changes?since=${feed.nextSince}`)).json()).toEqual({ items: [], nextSince: feed.nextSince });

    // Another tenant: nothing of it exists.
    expect((await call('GET', `/v1/integrations/${integration.id}`, undefined, otherKey)).statusCode).toBe(404);
    expect((await call('GET', `/v1/runs/${runId}`, undefined, otherKey)).statusCode).toBe(404);
    expect((await call('GET', `/v1/entities/${seen[0].id}`, undefined, otherKey)).statusCode).toBe(404);
    expect((await call('GET', '/v1/entities', undefined, otherKey)).json().items).toEqual([]);
    expect((await call('GET', `/v1/tenants/${tenant.id}/integrations`, undefined, otherKey)).statusCode).toBe(404);

    expect((await call('PATCH', `/v1/integrations/${integration.id}`, { enabled: false })).json().enabled).toBe(false);
    expect((await call('DELETE', `/v1/integrations/${integration.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/integrations/${integration.id}`)).statusCode).toBe(404);
  }, 60_000);
});
