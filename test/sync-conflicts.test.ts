/**
 * Conflicts end to end: the real platform (SQLite store, API keys, tenant scope) and the
 * sandbox's Salesforce. A Contact is pulled, then edited in the host product (PATCH
 * /v1/entities/:id) AND in Salesforce (the sandbox's control API) between two pulls;
 * the second pull must do what the integration's strategy says, and never lose a value
 * silently: every conflict is recorded with both values and the decision. A conflict
 * held for review is decided through `POST /v1/conflicts/:id`, which completes the sync.
 * Another tenant can neither see nor decide it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { createSalesforceSimulator } from '../sandbox/salesforce/index.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Integration } from '../src/domain/integration.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import type { ProviderContext } from '../src/providers/provider.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { twoTenants } from './fixtures/two-tenants.ts';
import { mappingOf, objectOf, runPull, type ConflictsWaiting } from '../src/sync/index.ts';
import { pushEntity } from '../src/sync/push/index.ts';
import type { Json } from './sync-fixture.ts';

let temp: TempPlatform | null = null;
let sandbox: Sandbox | null = null;
afterEach(async () => {
  await temp?.close();
  await sandbox?.close();
  temp = null;
  sandbox = null;
});

interface Setup {
  call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, as?: 'a' | 'b'): Promise<{ statusCode: number; json(): Json }>;
  control(path: string, method?: string, body?: unknown): Promise<Json>;
  pull(): Promise<{ runId: string; waiting: ConflictsWaiting[] }>;
  /** Processes the pending outbox rows through the outbound worker's push (the other half of the sync). */
  push(): Promise<void>;
  integration: Integration;
  tenantId: string;
  /** A Contact already pulled, with its entity id. */
  contact(index: number): Promise<{ id: string; entityId: string }>;
  entity(entityId: string): Promise<Json>;
}

async function setup(conflictStrategy: Record<string, unknown>, direction = 'bidirectional'): Promise<Setup> {
  sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 20, seed: 11 });
  const base = await sandbox.listen(0);
  temp = await startTempPlatform();
  const { s, tenant, otherKey, call: callAs } = await twoTenants(temp);
  const now = new Date().toISOString();
  await s.store.connections.insert({ id: 'con_sf', tenantId: tenant.id, provider: 'salesforce', name: 'SF', status: 'active', baseUrl: `${base}/salesforce`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
  const control = async (path: string, method = 'GET', body?: unknown): Promise<Json> => {
    const res = await fetch(`${base}/_sandbox${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  };
  const token = (await control('/tokens', 'POST', { provider: 'salesforce' })).accessToken as string;
  const info = { id: 'con_sf', tenantId: tenant.id, baseUrl: `${base}/salesforce`, settings: {} };
  const http = createProviderHttp({ provider: salesforceProvider, connection: info, tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => null }, egress: { allowPrivate: true } });
  const providerCtx: ProviderContext = { connection: info, http };
  const call: Setup['call'] = (method, url, payload, as = 'a') => callAs(method, url, payload, as === 'b' ? otherKey : undefined);

  const created = await call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', direction, conflictStrategy });
  expect(created.statusCode, JSON.stringify(created.json())).toBe(201);
  const integration = created.json() as Integration;
  let runs = 0;
  const pull: Setup['pull'] = async () => {
    const waiting: ConflictsWaiting[] = [];
    const current = (await s.store.integrations.get(tenant.id, integration.id))!;
    runs += 1;
    const outcome = await runPull({
      store: s.store, clock: s.clock, integration: current, mapping: mappingOf(current, 'salesforce'), object: objectOf(salesforceProvider, 'Contact')!,
      ctx: providerCtx, runId: `run_conflicts${runs}`, onConflictsWaiting: (e) => waiting.push(e),
    });
    expect(outcome.status).toBe('succeeded');
    return { runId: outcome.runId, waiting };
  };
  await pull();
  const contacts = (await control('/salesforce/Contact?limit=1000')).records as Json[];
  return {
    call, control, pull, integration, tenantId: tenant.id,
    async push() {
      const deps = { store: s.store, locks: s.locks, clock: s.clock, providerFor: () => salesforceProvider, contextFor: () => providerCtx };
      for (const row of await s.store.outbox.list(tenant.id, { pending: true })) {
        const outcome = await pushEntity(deps, row, new AbortController().signal);
        expect(outcome.errors).toEqual([]);
        await s.store.outbox.markProcessed(tenant.id, row.id, new Date().toISOString(), {}, null);
      }
    },
    async contact(index) {
      const id = contacts[index].Id as string;
      const links = await s.store.entities.list(tenant.id, { limit: 1000 });
      for (const e of links.items) {
        const l = await s.store.entities.linksOf(tenant.id, e.id);
        if (l.some((x) => x.object === 'Contact' && x.externalId === id)) return { id, entityId: e.id };
      }
      throw new Error(`no entity for ${id}`);
    },
    entity: async (entityId) => (await call('GET', `/v1/entities/${entityId}`)).json(),
  };
}

/** The host product edits the entity, then Salesforce edits the same Contact (or the reverse). */
async function editBoth(w: Setup, c: { id: string; entityId: string }, host: Record<string, unknown>, salesforce: Record<string, unknown>, order: 'host-first' | 'salesforce-first' = 'host-first'): Promise<void> {
  const hostEdit = async () => {
    const res = await w.call('PATCH', `/v1/entities/${c.entityId}`, { fields: host });
    expect(res.statusCode, JSON.stringify(res.json())).toBe(200);
  };
  const sfEdit = async () => {
    await w.control(`/salesforce/Contact/${c.id}`, 'PATCH', salesforce);
  };
  if (order === 'host-first') {
    await hostEdit();
    await new Promise((r) => setTimeout(r, 5));
    await sfEdit();
  } else {
    await sfEdit();
    await new Promise((r) => setTimeout(r, 5));
    await hostEdit();
  }
}

async function sfContact(w: Setup, id: string): Promise<Json> {
  return ((await w.control('/salesforce/Contact?limit=1000')).records as Json[]).find((r) => r.Id === id);
}

/** The Contact link's base snapshot (the API does not show it). */
async function baseOf(w: Setup, entityId: string): Promise<Json> {
  return (await temp!.platform.services.store.entities.linksOf(w.tenantId, entityId)).find((l) => l.object === 'Contact')!.baseSnapshot;
}

async function conflictsOf(w: Setup, entityId: string, status?: string): Promise<Json[]> {
  const res = await w.call('GET', `/v1/conflicts?entityId=${entityId}${status ? `&status=${status}` : ''}`);
  expect(res.statusCode).toBe(200);
  return res.json().items as Json[];
}

describe('conflicts between host edits and Salesforce edits', () => {
  it('source_wins: the Salesforce value wins; the host value is recorded with the decision', async () => {
    const w = await setup({ strategy: 'source_wins' });
    const c = await w.contact(0);
    await editBoth(w, c, { title: 'Host Title' }, { Title: 'SF Title' });
    const { runId } = await w.pull();
    expect((await w.entity(c.entityId)).fields.title).toBe('SF Title');
    expect((await sfContact(w, c.id)).Title).toBe('SF Title');
    const [row] = await conflictsOf(w, c.entityId);
    expect(row).toMatchObject({ status: 'resolved', runId, fields: [{ field: 'title', local: 'Host Title', remote: 'SF Title', decision: 'remote', value: 'SF Title', strategy: 'source_wins' }] });
    const result = (await w.call('GET', `/v1/runs/${runId}`)).json();
    expect(result.result).toMatchObject({ conflictsDetected: 1, conflictsResolved: 1 });
  });

  it('target_wins: the host value stays and is queued for Salesforce; the Salesforce value is recorded', async () => {
    const w = await setup({ strategy: 'target_wins' });
    const c = await w.contact(1);
    await editBoth(w, c, { title: 'Host Title' }, { Title: 'SF Title' });
    await w.pull();
    const entity = await w.entity(c.entityId);
    expect(entity.fields.title).toBe('Host Title');
    // The base keeps what Salesforce holds, so the push sends the host value (and a later Salesforce edit conflicts again).
    expect((await baseOf(w, c.entityId)).title).toBe('SF Title');
    const [row] = await conflictsOf(w, c.entityId);
    expect(row).toMatchObject({ status: 'resolved', fields: [{ field: 'title', local: 'Host Title', remote: 'SF Title', decision: 'local', strategy: 'target_wins' }] });
    const outbox = await temp!.platform.services.store.outbox.list(w.tenantId, { pending: true });
    expect(outbox.some((o) => o.entityId === c.entityId && (o.change.source as Json)?.kind === 'conflict' && (o.change.fields as Json).title === 'Host Title')).toBe(true);

    // The outbound worker takes it to Salesforce; the echo of that write changes nothing.
    await w.push();
    expect((await sfContact(w, c.id)).Title).toBe('Host Title');
    await w.pull();
    expect((await w.entity(c.entityId)).fields.title).toBe('Host Title');
    expect(await conflictsOf(w, c.entityId)).toHaveLength(1);
    // Nothing more to push: the entity and Salesforce agree.
    const pending = await temp!.platform.services.store.outbox.list(w.tenantId, { pending: true });
    expect(pending.filter((o) => (o.change.source as Json)?.kind === 'conflict')).toEqual([]);
  });

  it('last_write_wins: the later edit wins, whichever side made it', async () => {
    const w = await setup({ strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 0 } });
    const hostLater = await w.contact(2);
    const sfLater = await w.contact(3);
    await editBoth(w, hostLater, { title: 'Host Later' }, { Title: 'SF Earlier' }, 'salesforce-first');
    await editBoth(w, sfLater, { title: 'Host Earlier' }, { Title: 'SF Later' }, 'host-first');
    await w.pull();
    expect((await w.entity(hostLater.entityId)).fields.title).toBe('Host Later');
    expect((await w.entity(sfLater.entityId)).fields.title).toBe('SF Later');
    expect((await conflictsOf(w, hostLater.entityId))[0]).toMatchObject({ fields: [{ decision: 'local', remote: 'SF Earlier', strategy: 'last_write_wins' }] });
    expect((await conflictsOf(w, sfLater.entityId))[0]).toMatchObject({ fields: [{ decision: 'remote', local: 'Host Earlier', strategy: 'last_write_wins' }] });
  });

  it('field_merge: edits of different fields are both kept; the same field falls back to the provider', async () => {
    const w = await setup({ strategy: 'field_merge' });
    const c = await w.contact(4);
    await editBoth(w, c, { title: 'Host Title', department: 'Host Dept' }, { Department: 'SF Dept', Description: 'SF notes' });
    await w.pull();
    const fields = (await w.entity(c.entityId)).fields;
    expect(fields).toMatchObject({ title: 'Host Title', department: 'SF Dept', description: 'SF notes' });
    const [row] = await conflictsOf(w, c.entityId);
    expect(row.fields).toEqual([expect.objectContaining({ field: 'department', local: 'Host Dept', remote: 'SF Dept', strategy: 'field_merge', decision: 'remote' })]);
  });

  it('manual: the conflict waits with both values, the entity keeps its value, and the decision through the API completes the sync', async () => {
    const w = await setup({ strategy: 'manual' });
    const kept = await w.contact(5);
    const taken = await w.contact(6);
    await editBoth(w, kept, { title: 'Host Title' }, { Title: 'SF Title', Department: 'SF Dept' });
    await editBoth(w, taken, { title: 'Host Title 2' }, { Title: 'SF Title 2' });
    const first = await w.pull();
    expect(first.waiting).toEqual([expect.objectContaining({ tenantId: w.tenantId, integrationId: w.integration.id, open: 2 })]);
    // Held: the host value stays, the clean Salesforce change (department) is applied.
    expect((await w.entity(kept.entityId)).fields).toMatchObject({ title: 'Host Title', department: 'SF Dept' });
    const open = await conflictsOf(w, kept.entityId, 'open');
    expect(open).toHaveLength(1);
    expect(open[0].fields).toEqual([expect.objectContaining({ field: 'title', local: 'Host Title', remote: 'SF Title', decision: 'pending' })]);
    expect(open[0].fields[0].base).not.toBe('SF Title');

    // Pulling again (nothing new) neither duplicates nor decides it.
    const again = await w.pull();
    expect(again.waiting).toEqual([]);
    expect(await conflictsOf(w, kept.entityId)).toHaveLength(1);

    // Bad input is refused naming the field; another tenant cannot see or decide it.
    const id = open[0].id as string;
    const bad = await w.call('POST', `/v1/conflicts/${id}`, { resolution: 'sideways' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toMatch(/^body/);
    const unknownField = await w.call('POST', `/v1/conflicts/${id}`, { resolution: 'local', fields: { nope: 'local' } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error.field).toBe('body.fields.nope');
    const missing = await w.call('POST', `/v1/conflicts/${id}`, { resolution: 'value', fields: {} });
    expect(missing.json().error.field).toBe('body.fields.title');
    expect((await w.call('GET', '/v1/conflicts', undefined, 'b')).json().items).toEqual([]);
    expect((await w.call('GET', `/v1/conflicts/${id}`, undefined, 'b')).statusCode).toBe(404);
    expect((await w.call('POST', `/v1/conflicts/${id}`, { resolution: 'remote' }, 'b')).statusCode).toBe(404);
    expect((await w.call('POST', `/v1/conflicts/${id}/dismiss`, undefined, 'b')).statusCode).toBe(404);
    expect((await w.call('POST', '/v1/conflicts/resolve', { ids: [id], resolution: 'remote' }, 'b')).json().results).toEqual([expect.objectContaining({ id, status: 'failed', error: expect.objectContaining({ code: 'NOT_FOUND' }) })]);

    // Choosing Salesforce's value: the entity takes it, the base moves, and the next pull finds nothing.
    const decided = await w.call('POST', `/v1/conflicts/${id}`, { resolution: 'remote' });
    expect(decided.statusCode, JSON.stringify(decided.json())).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'resolved', resolution: { kind: 'manual', fields: { title: { decision: 'remote', value: 'SF Title' } } } });
    expect((await w.call('POST', `/v1/conflicts/${id}`, { resolution: 'local' })).statusCode).toBe(409);
    const entity = await w.entity(kept.entityId);
    expect(entity.fields.title).toBe('SF Title');
    expect((await baseOf(w, kept.entityId)).title).toBe('SF Title');

    // Keeping the host value, in bulk: queued for Salesforce through the outbox.
    const other = (await conflictsOf(w, taken.entityId, 'open'))[0];
    const bulk = await w.call('POST', '/v1/conflicts/resolve', { ids: [other.id], resolution: 'local' });
    expect(bulk.json().results).toEqual([{ id: other.id, status: 'resolved' }]);
    const closed = (await w.call('GET', `/v1/conflicts/${other.id}`)).json();
    expect(closed.resolution.outboxId).toEqual(expect.any(String));
    const row = await temp!.platform.services.store.outbox.get(w.tenantId, closed.resolution.outboxId);
    expect(row?.change).toMatchObject({ op: 'update', fields: { title: 'Host Title 2' }, source: { kind: 'conflict', conflictId: other.id } });
    expect((await w.entity(taken.entityId)).fields.title).toBe('Host Title 2');
    await w.push();
    expect((await sfContact(w, taken.id)).Title).toBe('Host Title 2');

    // No new conflict and no further entity change on the next pull (Salesforce unchanged since).
    const before = (await w.entity(kept.entityId)).version;
    const last = await w.pull();
    expect(last.waiting).toEqual([]);
    expect(await conflictsOf(w, kept.entityId, 'open')).toEqual([]);
    expect(await conflictsOf(w, taken.entityId, 'open')).toEqual([]);
    expect((await w.entity(kept.entityId)).version).toBe(before);
  });

  it('dismissing closes a conflict without changing any value', async () => {
    const w = await setup({ strategy: 'manual' });
    const c = await w.contact(7);
    await editBoth(w, c, { title: 'Host Title' }, { Title: 'SF Title' });
    await w.pull();
    const [open] = await conflictsOf(w, c.entityId, 'open');
    const dismissed = await w.call('POST', `/v1/conflicts/${open.id}/dismiss`);
    expect(dismissed.json()).toMatchObject({ status: 'dismissed', resolution: { kind: 'dismissed' } });
    expect((await w.entity(c.entityId)).fields.title).toBe('Host Title');
    expect((await w.call('POST', `/v1/conflicts/${open.id}/dismiss`)).statusCode).toBe(409);
  });

  it('refuses an invalid conflict strategy when the integration is created, naming the field', async () => {
    const w = await setup({});
    const res = await w.call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', conflictStrategy: { strategy: 'coin_toss' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.conflictStrategy.strategy' });
    const owner = await w.call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', fieldOwnership: { title: 'nobody' } });
    expect(owner.json().error.field).toBe('body.fieldOwnership.title');
    const push = await w.call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', conflictStrategy: { push: { createInProvider: 'yes' } } });
    expect(push.statusCode).toBe(400);
    expect(push.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.conflictStrategy.push.createInProvider' });
  });
});
