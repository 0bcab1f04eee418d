import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, AuditEntry } from '../../../domain/tenancy.ts';
import { startTempPlatform } from '../../testing/temp-platform.ts';
import type { TempPlatform } from '../../testing/temp-platform.ts';

const ADMIN_KEY = 'admin-key-for-audit-tests-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface Page {
  items: AuditEntry[];
  nextCursor: string | null;
}

let t: TempPlatform;
let tenantA: string;
let tenantB: string;
let keyA: string;

const ADMIN_ACTOR: Actor = { kind: 'admin', keyId: null, tenantId: null };
const SYSTEM_ACTOR: Actor = { kind: 'system', keyId: null, tenantId: null };

/** Entries at fixed times in 2020 (before anything the API writes), so time filters have exact answers. */
function seeded(id: string, minute: number, extra: Partial<AuditEntry>): AuditEntry {
  return {
    id,
    at: new Date(Date.UTC(2020, 0, 1, 0, minute)).toISOString(),
    actor: ADMIN_ACTOR,
    action: 'connection.create',
    tenantId: tenantA,
    target: null,
    details: {},
    requestId: null,
    ...extra,
  };
}

async function list(query: string, headers: Record<string, string> = admin): Promise<Page> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/audit?${query}`, headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent' });
  const create = async (name: string) => (await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } })).json<{ id: string }>().id;
  tenantA = await create('Acme');
  tenantB = await create('Globex');
  const created = await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenantA}/api-keys`, headers: admin, payload: { name: 'ci' } });
  keyA = created.json<{ key: string }>().key;
  // The tenant's own key makes a second key: an entry whose actor is a tenant key.
  const own = await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenantA}/api-keys`, headers: bearer(keyA), payload: { name: 'own' } });
  expect(own.statusCode).toBe(201);
  await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenantB}/api-keys`, headers: admin, payload: { name: 'b' } });
  const audit = t.platform.services.store.audit;
  await audit.append(seeded('aud_seed_1', 0, { target: 'con_1' }));
  await audit.append(seeded('aud_seed_2', 10, { target: 'con_2', actor: SYSTEM_ACTOR, action: 'credential.refresh' }));
  await audit.append(seeded('aud_seed_3', 20, { target: 'con_1', action: 'credential.read' }));
  await audit.append(seeded('aud_seed_4', 30, { target: 'con_9', tenantId: tenantB }));
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/audit filters', () => {
  it('filters by actor kind', async () => {
    const tenantActs = await list('actorKind=tenant');
    expect(tenantActs.items.length).toBe(1);
    expect(tenantActs.items[0]).toMatchObject({ action: 'api_key.create', tenantId: tenantA, actor: { kind: 'tenant', tenantId: tenantA } });
    const system = await list('actorKind=system');
    expect(system.items.map((e) => e.id)).toEqual(['aud_seed_2']);
  });

  it('filters by exact target and combines filters with AND', async () => {
    expect((await list('target=con_1')).items.map((e) => e.id)).toEqual(['aud_seed_3', 'aud_seed_1']);
    expect((await list('target=con_1&action=credential.read')).items.map((e) => e.id)).toEqual(['aud_seed_3']);
    expect((await list(`target=con_9&tenantId=${tenantA}`)).items).toEqual([]);
  });

  it('takes since as inclusive and until as exclusive, in any offset', async () => {
    const page = await list('since=2020-01-01T00:10:00Z&until=2020-01-01T00:30:00.000Z');
    expect(page.items.map((e) => e.id)).toEqual(['aud_seed_3', 'aud_seed_2']);
    // 01:10 at +01:00 is 00:10 UTC: the same lower bound.
    const offset = await list(`since=${encodeURIComponent('2020-01-01T01:10:00+01:00')}&until=2020-01-01T00:20:00Z`);
    expect(offset.items.map((e) => e.id)).toEqual(['aud_seed_2']);
  });

  it('rejects a range whose since is not before until, and unknown filters', async () => {
    const backwards = await t.app.inject({ method: 'GET', url: '/v1/audit?since=2020-01-02T00:00:00Z&until=2020-01-01T00:00:00Z', headers: admin });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json<{ error: { code: string; field: string } }>().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.until' });
    const unknownKind = await t.app.inject({ method: 'GET', url: '/v1/audit?actorKind=robot', headers: admin });
    expect(unknownKind.statusCode).toBe(400);
  });

  it('pages with the cursor through the same filtered list, newest first', async () => {
    const all = await list(`tenantId=${tenantA}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`tenantId=${tenantA}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.items.map((e) => e.id));
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(all.items.map((e) => e.tenantId))).toEqual(new Set([tenantA]));
  });
});

describe('GET /v1/audit tenant isolation', () => {
  it("shows a tenant key only its own tenant's entries, whatever the filters", async () => {
    const own = await list('limit=200', bearer(keyA));
    expect(own.items.length).toBeGreaterThan(0);
    expect(new Set(own.items.map((e) => e.tenantId))).toEqual(new Set([tenantA]));
    expect((await list('target=con_9', bearer(keyA))).items).toEqual([]);
  });

  it("answers 404 when a tenant key names another tenant, as for one that does not exist", async () => {
    const other = await t.app.inject({ method: 'GET', url: `/v1/audit?tenantId=${tenantB}`, headers: bearer(keyA) });
    expect(other.statusCode).toBe(404);
    expect(other.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });

  it('lets an admin key read one tenant or every tenant', async () => {
    expect((await list(`tenantId=${tenantB}&target=con_9`)).items.map((e) => e.id)).toEqual(['aud_seed_4']);
    const everyone = await list('limit=200');
    expect(new Set(everyone.items.map((e) => e.tenantId))).toEqual(new Set([tenantA, tenantB]));
  });
});

describe('GET /v1/audit?kind=token_refresh', () => {
  const refresh = (id: string, tenantId: string, credentialId: string, minute: number) => ({
    id, tenantId, credentialId, connectionId: `con_${credentialId}`, at: new Date(Date.UTC(2020, 0, 2, 0, minute)).toISOString(),
    outcome: minute % 2 === 0 ? 'success' : 'failed', errorCode: minute % 2 === 0 ? null : 'PROVIDER_UNAVAILABLE', durationMs: 12, expiresAt: '2099-01-01T00:00:00.000Z',
  });

  beforeAll(async () => {
    const rows = t.platform.services.store.tokenRefreshAudit;
    await rows.append(refresh('aud_rf_1', tenantA, 'crd_a', 0));
    await rows.append(refresh('aud_rf_2', tenantA, 'crd_a', 1));
    await rows.append(refresh('aud_rf_3', tenantA, 'crd_c', 2));
    await rows.append(refresh('aud_rf_4', tenantB, 'crd_b', 3));
  });

  it('lists one tenant\'s token refreshes as audit entries (connection, outcome, never a token), filtered by credential', async () => {
    const all = await list(`kind=token_refresh&tenantId=${tenantA}`);
    expect(all.items.map((e) => e.id).sort()).toEqual(['aud_rf_1', 'aud_rf_2', 'aud_rf_3']);
    expect(all.items.find((e) => e.id === 'aud_rf_2')).toEqual({
      id: 'aud_rf_2', at: '2020-01-02T00:01:00.000Z', actor: SYSTEM_ACTOR, action: 'credential.refresh', tenantId: tenantA, target: 'con_crd_a',
      details: { credentialId: 'crd_a', outcome: 'failed', errorCode: 'PROVIDER_UNAVAILABLE', durationMs: 12 }, requestId: null,
    });
    expect((await list(`kind=token_refresh&tenantId=${tenantA}&target=crd_c`)).items.map((e) => e.id)).toEqual(['aud_rf_3']);
  });

  it('keeps tenants apart and names the field of a request it cannot answer', async () => {
    expect((await list('kind=token_refresh', bearer(keyA))).items.every((e) => e.tenantId === tenantA)).toBe(true);
    const foreign = await t.app.inject({ method: 'GET', url: `/v1/audit?kind=token_refresh&tenantId=${tenantB}`, headers: bearer(keyA) });
    expect(foreign.statusCode).toBe(404);
    const noTenant = await t.app.inject({ method: 'GET', url: '/v1/audit?kind=token_refresh', headers: admin });
    expect(noTenant.statusCode).toBe(400);
    expect(noTenant.json().error.field).toBe('querystring.tenantId');
    const since = await t.app.inject({ method: 'GET', url: `/v1/audit?kind=token_refresh&tenantId=${tenantA}&since=2020-01-01T00:00:00Z`, headers: admin });
    expect(since.json().error.field).toBe('querystring.since');
  });
});
