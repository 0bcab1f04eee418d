import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../domain/tenancy.ts';
import { startTempPlatform, type TempPlatform } from '../../testing/temp-platform.ts';

const ADMIN_KEY = 'admin-key-for-audit-access-tests-01234567';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const TOKEN = 'secret_notion_integration_token_4f1c9a7e2b';

interface Page {
  items: AuditEntry[];
  nextCursor: string | null;
}

let t: TempPlatform;
let tenantA: string;
let tenantB: string;
let keyA: string;
let keyIdA: string;
let keyB: string;
let credentialId: string;

async function get(query: string, headers: Record<string, string>) {
  return t.app.inject({ method: 'GET', url: `/v1/audit?kind=credential_access&${query}`, headers });
}

async function list(query: string, headers: Record<string, string> = bearer(keyA)): Promise<Page> {
  const response = await get(query, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent', allowPrivateEgress: true });
  const create = async (name: string) => (await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } })).json<{ id: string }>().id;
  const key = async (tenantId: string) => (await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenantId}/api-keys`, headers: admin, payload: { name: 'ops' } })).json<{ key: string; apiKey: { id: string } }>();
  tenantA = await create('Acme');
  tenantB = await create('Globex');
  ({ key: keyA, apiKey: { id: keyIdA } } = await key(tenantA));
  keyB = (await key(tenantB)).key;
  const at = new Date().toISOString();
  const { store, credentials } = t.platform.services;
  await store.connections.insert({ id: 'con_notion', tenantId: tenantA, provider: 'notion', name: 'notion', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
  const created = await credentials.create({ tenantId: tenantA, connectionId: 'con_notion', provider: 'notion', authBaseUrl: 'http://127.0.0.1:9', credential: { type: 'bearer_token', token: TOKEN } });
  credentialId = created.id;
  await store.connections.update(tenantA, 'con_notion', { credentialId }, at);
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/audit?kind=credential_access', () => {
  it('records a provider call reading the token: who, which connection and credential, why; once a minute; never the token', async () => {
    const source = t.platform.services.credentials.tokenSource({ tenantId: tenantA, connectionId: 'con_notion', provider: 'notion' });
    for (let i = 0; i < 5; i++) expect(await source.accessToken()).toBe(TOKEN);
    await t.platform.services.credentials.material(tenantA, credentialId);
    await vi.waitFor(async () => expect((await list('')).items.length).toBe(2), { timeout: 5000, interval: 20 });
    const response = await get('', bearer(keyA));
    const items = response.json<Page>().items;
    // Five reads for provider calls within the minute are one entry; the material read is another purpose.
    expect(items.map((e) => e.details['purpose']).sort()).toEqual(['material', 'provider_call']);
    for (const entry of items) {
      expect(entry).toMatchObject({ action: 'credential.access', tenantId: tenantA, target: 'con_notion', actor: { kind: 'system' }, details: { credentialId } });
      expect(String(entry.details['process'])).toMatch(/^credentials:\d+:/);
    }
    expect(response.body).not.toContain(TOKEN);
  });

  it('filters by connection and time', async () => {
    expect((await list('target=con_notion')).items.length).toBe(2);
    expect((await list('target=con_other')).items).toEqual([]);
    expect((await list('since=2999-01-01T00:00:00Z')).items).toEqual([]);
    expect((await list('until=2000-01-01T00:00:00Z')).items).toEqual([]);
  });

  it("never shows another tenant's credential reads", async () => {
    expect((await list('', bearer(keyB))).items).toEqual([]);
    expect((await get(`tenantId=${tenantA}`, bearer(keyB))).statusCode).toBe(404);
    expect((await list(`tenantId=${tenantB}`, admin)).items).toEqual([]);
    expect((await list(`tenantId=${tenantA}`, admin)).items.length).toBe(2);
  });

  it("names the tenant key and the request whose call read the secret, never the key's secret or the token", async () => {
    const local = `con_${'0123456789abcdef'.repeat(2)}`;
    const at = new Date().toISOString();
    const { store, credentials } = t.platform.services;
    // A provider base URL nothing listens on: the validation fails after the secret is read.
    await store.connections.insert({ id: local, tenantId: tenantA, provider: 'notion', name: 'local', status: 'active', baseUrl: 'http://127.0.0.1:9', account: {}, credentialId: null, createdAt: at, updatedAt: at });
    const created = await credentials.create({ tenantId: tenantA, connectionId: local, provider: 'notion', authBaseUrl: 'http://127.0.0.1:9', credential: { type: 'bearer_token', token: TOKEN } });
    await store.connections.update(tenantA, local, { credentialId: created.id }, at);
    const before = (await list(`target=${local}`)).items.length;
    const validated = await t.app.inject({ method: 'POST', url: `/v1/connections/${local}/validate`, headers: { ...bearer(keyA), 'x-request-id': 'req_validate_local' } });
    expect(validated.statusCode, validated.body).toBeLessThan(500);
    await vi.waitFor(async () => expect((await list(`target=${local}&actorKind=tenant`)).items.length).toBe(1), { timeout: 5000, interval: 20 });
    const response = await get(`target=${local}&actorKind=tenant`, admin);
    const [entry] = response.json<Page>().items;
    expect(entry).toMatchObject({
      action: 'credential.access', tenantId: tenantA, target: local, requestId: 'req_validate_local',
      actor: { kind: 'tenant', keyId: keyIdA, tenantId: tenantA },
      details: { credentialId: created.id, purpose: 'provider_call', route: 'POST /v1/connections/:id/validate' },
    });
    // Reads outside a request (the `create` above stored, did not read) add no tenant-key rows.
    expect((await list(`target=${local}`)).items.length).toBe(before + 1);
    expect(response.body).not.toContain(TOKEN);
    expect(response.body).not.toContain(keyA);
    expect((await list(`target=${local}`, bearer(keyB))).items).toEqual([]);
  });

  it('is not mixed into other kinds, and rejects `action`', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/audit?kind=credential_access&action=api_key.create', headers: bearer(keyA) })).statusCode).toBe(400);
    const admins = (await t.app.inject({ method: 'GET', url: '/v1/audit?action=api_key.create', headers: bearer(keyA) })).json<Page>();
    expect(admins.items.every((e) => e.action === 'api_key.create')).toBe(true);
  });
});
