/**
 * The `custom` conflict strategy in the pull path, end to end: the real platform (SQLite
 * store, API keys) and the sandbox's Salesforce. A Contact is pulled, then edited through
 * the API (PATCH /v1/entities/:id) AND in Salesforce (the sandbox's control API) between
 * two pulls. The integration ranks the systems per field (an ordered priority list) and
 * names a resolver registered in code for one field; the second pull must give each
 * field the value its rule picks, record every conflict with both values, and the push
 * must leave Salesforce holding the same values, after which a pull changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { createSalesforceSimulator } from '../sandbox/salesforce/index.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Integration } from '../src/domain/integration.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import type { ProviderContext } from '../src/providers/provider.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { ResolverRegistry } from '../src/sync/conflicts/index.ts';
import { mappingOf, objectOf, runPull } from '../src/sync/index.ts';
import { pushEntity } from '../src/sync/push/index.ts';
import { twoTenants } from './fixtures/two-tenants.ts';
import type { Json } from './sync-fixture.ts';

let temp: TempPlatform | null = null;
let sandbox: Sandbox | null = null;
afterEach(async () => {
  await temp?.close();
  await sandbox?.close();
  temp = null;
  sandbox = null;
});

/** Keeps the longer text of the two sides (a resolver an operator registers in code). */
const longestText = new ResolverRegistry().register('longest-text', ({ local, remote }) =>
  ({ side: String(local ?? '').length >= String(remote ?? '').length ? 'local' : 'remote' }));

const STRATEGY = {
  strategy: 'custom',
  // Every field not listed below: the host product outranks Salesforce.
  priority: ['tributary', 'salesforce'],
  fields: {
    department: { strategy: 'custom', priority: ['salesforce', 'tributary'] },
    description: { strategy: 'custom', resolver: 'longest-text' },
  },
};

async function setup(resolvers: ResolverRegistry | undefined) {
  sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 20, seed: 11 });
  const base = await sandbox.listen(0);
  // Registered the way an operator does: through the platform's options, used from its services.
  temp = await startTempPlatform(resolvers ? { resolvers } : {});
  const { s, tenant, call } = await twoTenants(temp);
  const now = new Date().toISOString();
  await s.store.connections.insert({ id: 'con_sf', tenantId: tenant.id, provider: 'salesforce', name: 'SF', status: 'active', baseUrl: `${base}/salesforce`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
  const control = async (path: string, method = 'GET', body?: unknown): Promise<Json> => {
    const res = await fetch(`${base}/_sandbox${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  };
  const token = (await control('/tokens', 'POST', { provider: 'salesforce' })).accessToken as string;
  const info = { id: 'con_sf', tenantId: tenant.id, baseUrl: `${base}/salesforce`, settings: {} };
  const http = createProviderHttp({ provider: salesforceProvider, connection: info, tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => null }, egress: { allowPrivate: true } });
  const ctx: ProviderContext = { connection: info, http };
  const created = await call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', direction: 'bidirectional', conflictStrategy: STRATEGY });
  expect(created.statusCode, JSON.stringify(created.json())).toBe(201);
  const integrationId = (created.json() as Integration).id;
  let runs = 0;
  const pull = async () => {
    const current = (await s.store.integrations.get(tenant.id, integrationId))!;
    runs += 1;
    const outcome = await runPull({
      store: s.store, clock: s.clock, integration: current, mapping: mappingOf(current, 'salesforce'), object: objectOf(salesforceProvider, 'Contact')!,
      ctx, runId: `run_custom${runs}`, resolvers: s.resolvers,
    });
    return outcome;
  };
  const push = async () => {
    const deps = { store: s.store, locks: s.locks, clock: s.clock, providerFor: () => salesforceProvider, contextFor: () => ctx, resolvers: s.resolvers };
    for (const row of await s.store.outbox.list(tenant.id, { pending: true })) {
      const outcome = await pushEntity(deps, row, new AbortController().signal);
      expect(outcome.errors).toEqual([]);
      await s.store.outbox.markProcessed(tenant.id, row.id, new Date().toISOString(), {}, null);
    }
  };
  expect((await pull()).status).toBe('succeeded');
  const contact = ((await control('/salesforce/Contact?limit=1000')).records as Json[])[0];
  let entityId = '';
  for (const e of (await s.store.entities.list(tenant.id, { limit: 1000 })).items) {
    if ((await s.store.entities.linksOf(tenant.id, e.id)).some((l) => l.object === 'Contact' && l.externalId === contact.Id)) entityId = e.id;
  }
  expect(entityId).not.toBe('');
  return {
    call, control, pull, push, tenantId: tenant.id, contactId: contact.Id as string, entityId,
    entity: async () => (await call('GET', `/v1/entities/${entityId}`)).json(),
    sfContact: async () => ((await control('/salesforce/Contact?limit=1000')).records as Json[]).find((r) => r.Id === contact.Id),
    conflicts: async () => {
      const res = await call('GET', `/v1/conflicts?entityId=${entityId}`);
      expect(res.statusCode).toBe(200);
      return res.json().items as Json[];
    },
  };
}

type World = Awaited<ReturnType<typeof setup>>;

/** Between two pulls: the host edits three fields through the API, then a Salesforce user edits the same three. */
async function editBoth(w: World): Promise<void> {
  const res = await w.call('PATCH', `/v1/entities/${w.entityId}`, { fields: { title: 'Host Title', department: 'Host Dept', description: 'Host notes, the longer text' } });
  expect(res.statusCode, JSON.stringify(res.json())).toBe(200);
  await new Promise((r) => setTimeout(r, 5));
  await w.control(`/salesforce/Contact/${w.contactId}`, 'PATCH', { Title: 'SF Title', Department: 'SF Dept', Description: 'SF notes' });
}

describe('custom conflict strategy on pull, with a concurrent edit through the API and in Salesforce', () => {
  it('decides each field by its priority list or registered resolver, records them, and both sides end equal', { timeout: 60_000 }, async () => {
    const w = await setup(longestText);
    await editBoth(w);
    const second = await w.pull();
    expect(second.status).toBe('succeeded');

    // The entity: title by the top-level list (tributary first), department by its own list
    // (salesforce first), description by the resolver (the longer text, the host's).
    expect((await w.entity()).fields).toMatchObject({ title: 'Host Title', department: 'SF Dept', description: 'Host notes, the longer text' });
    const [row] = await w.conflicts();
    expect(row).toMatchObject({ status: 'resolved' });
    const byField = Object.fromEntries((row.fields as Json[]).map((f) => [f.field, f]));
    expect(Object.keys(byField).sort()).toEqual(['department', 'description', 'title']);
    expect(byField.title).toMatchObject({ local: 'Host Title', remote: 'SF Title', decision: 'local', strategy: 'custom' });
    expect(byField.department).toMatchObject({ local: 'Host Dept', remote: 'SF Dept', decision: 'remote', value: 'SF Dept', strategy: 'custom' });
    expect(byField.description).toMatchObject({ local: 'Host notes, the longer text', remote: 'SF notes', decision: 'local', strategy: 'custom' });

    // Salesforce: the fields the host won are pushed; the one Salesforce won stays.
    await w.push();
    expect(await w.sfContact()).toMatchObject({ Title: 'Host Title', Department: 'SF Dept', Description: 'Host notes, the longer text' });

    // In sync: the next pull changes nothing and records no new conflict.
    const version = (await w.entity()).version;
    expect((await w.pull()).status).toBe('succeeded');
    expect((await w.entity()).version).toBe(version);
    expect(await w.conflicts()).toHaveLength(1);
  });

  it('a rule naming a resolver nobody registered fails the run with CONFIG_INVALID and changes nothing', { timeout: 60_000 }, async () => {
    const w = await setup(undefined);
    await editBoth(w);
    const before = await w.entity();
    const outcome = await w.pull();
    expect(outcome.status).toBe('failed');
    expect(JSON.stringify(outcome)).toContain('longest-text');
    expect(JSON.stringify(outcome)).toContain('CONFIG_INVALID');
    expect((await w.entity()).version).toBe(before.version);
    expect(await w.conflicts()).toEqual([]);
  });
});
