import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../domain/tenancy.ts';
import { startTempPlatform, type TempPlatform } from '../../testing/temp-platform.ts';
import { deliverStandardWebhook } from '../../../../test/fixtures/standard-webhook-delivery.ts';
import { twoTenants } from '../../../../test/fixtures/two-tenants.ts';

const ADMIN_KEY = 'admin-key-for-audit-delivery-tests-0123456';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const SECRET = `whsec_${Buffer.from('standard-webhooks-audit-secret-32!').toString('base64')}`;

interface Page {
  items: AuditEntry[];
  nextCursor: string | null;
}

let t: TempPlatform;
let tenantA: string;
let keyA: string;
let keyB: string;
let registrationId: string;

/** A Standard Webhooks delivery signed as a sender would. */
const deliver = (id: string, body: object, secret = SECRET) => deliverStandardWebhook(t, registrationId, id, body, secret);

async function get(query: string, headers: Record<string, string> = bearer(keyA)) {
  return t.app.inject({ method: 'GET', url: `/v1/audit?kind=webhook_delivery&${query}`, headers });
}

async function list(query: string, headers: Record<string, string> = bearer(keyA)): Promise<Page> {
  const response = await get(query, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent' });
  ({ tenant: { id: tenantA }, key: keyA, otherKey: keyB } = await twoTenants(t));
  const at = new Date().toISOString();
  await t.platform.services.store.connections.insert({ id: 'con_notion', tenantId: tenantA, provider: 'notion', name: 'notion', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
  const registered = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keyA), payload: { connectionId: 'con_notion', scheme: 'standard', config: { signingSecret: SECRET } } });
  expect(registered.statusCode, registered.body).toBe(201);
  registrationId = registered.json<{ id: string }>().id;
  expect((await deliver('msg_ok_1', { type: 'page.updated', data: { id: 'p1' } })).statusCode).toBeLessThan(300);
  expect((await deliver('msg_ok_2', { type: 'page.updated', data: { id: 'p2' } })).statusCode).toBeLessThan(300);
  const forged = `whsec_${Buffer.from('not-the-registered-secret-at-all!!').toString('base64')}`;
  expect((await deliver('msg_forged', { type: 'page.updated', data: { id: 'p3' } }, forged)).statusCode).toBeGreaterThanOrEqual(400);
  // Receipt audit rows may be written in batches after the response.
  await vi.waitFor(async () => expect((await list(`registrationId=${registrationId}`)).items.length).toBe(3), { timeout: 5000, interval: 20 });
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/audit?kind=webhook_delivery', () => {
  it('lists every delivery received on the registration, newest first, without the signing secret', async () => {
    const response = await get(`registrationId=${registrationId}`);
    const page = response.json<Page>();
    // The forged delivery's claimed id is not trusted, so only the outcome tells it apart.
    expect(page.items.map((e) => e.details['outcome'])).toEqual(['rejected_signature', 'accepted', 'accepted']);
    expect(page.items.slice(1).map((e) => e.details['deliveryId'])).toEqual(['msg_ok_2', 'msg_ok_1']);
    expect(page.items[0]).toMatchObject({ action: 'webhook.delivery', tenantId: tenantA, target: registrationId, actor: { kind: 'system' }, details: { outcome: 'rejected_signature', verified: false } });
    expect(page.items[1]).toMatchObject({ details: { outcome: 'accepted', verified: true } });
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toContain(SECRET.slice('whsec_'.length));
  });

  it('filters by status and time, and pages with nextCursor', async () => {
    expect((await list(`registrationId=${registrationId}&status=rejected_signature`)).items.map((e) => e.details['outcome'])).toEqual(['rejected_signature']);
    expect((await list(`registrationId=${registrationId}&status=accepted`)).items.map((e) => e.details['deliveryId'])).toEqual(['msg_ok_2', 'msg_ok_1']);
    expect((await list(`registrationId=${registrationId}&since=2999-01-01T00:00:00Z`)).items).toEqual([]);
    expect((await list(`registrationId=${registrationId}&until=2000-01-01T00:00:00Z`)).items).toEqual([]);
    const first = await list(`registrationId=${registrationId}&limit=2`);
    expect(first.items.length).toBe(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`registrationId=${registrationId}&limit=2&cursor=${first.nextCursor!}`);
    expect(second.items.map((e) => e.details['deliveryId'])).toEqual(['msg_ok_1']);
    expect(second.nextCursor).toBeNull();
  });

  it("never shows another tenant's deliveries", async () => {
    expect((await list(`registrationId=${registrationId}`, bearer(keyB))).items).toEqual([]);
    expect((await get(`registrationId=${registrationId}&tenantId=${tenantA}`, bearer(keyB))).statusCode).toBe(404);
    // An admin names the tenant; the registration under another tenant is empty.
    expect((await list(`registrationId=${registrationId}&tenantId=${tenantA}`, admin)).items.length).toBe(3);
  });

  it('reaches filtered pages beyond the newest 1,000 deliveries, for the registration\'s tenant only', async () => {
    const registered = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keyA), payload: { connectionId: 'con_notion', scheme: 'standard', config: { signingSecret: SECRET } } });
    expect(registered.statusCode, registered.body).toBe(201);
    const busy = registered.json<{ id: string }>().id;
    // 1,200 deliveries a second apart: the 5 oldest were stale, the 1,195 after them accepted.
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const at = (i: number) => new Date(base + i * 1000).toISOString();
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      id: `wha_${String(i).padStart(4, '0')}`, registrationId: busy, tenantId: tenantA, deliveryId: null, claimedDeliveryId: `msg_${i}`,
      receivedAt: at(i), verified: i >= 5, outcome: i < 5 ? 'rejected_stale' : 'accepted', detail: null, expiresAt: at(i + 30 * 86_400),
    }));
    await t.platform.services.store.webhooks.appendAudit(rows);

    /** Every page of one filtered list, following nextCursor. */
    async function pages(query: string): Promise<Page[]> {
      const out: Page[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await list(`registrationId=${busy}&${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
        out.push(page);
        cursor = page.nextCursor;
      } while (cursor !== null && out.length < 20);
      return out;
    }
    const stale = await pages('status=rejected_stale&limit=2');
    expect(stale.flatMap((p) => p.items.map((e) => e.id))).toEqual(['wha_0004', 'wha_0003', 'wha_0002', 'wha_0001', 'wha_0000']);
    const everything = await pages('limit=200');
    expect(everything.map((p) => p.items.length)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(everything.flatMap((p) => p.items.map((e) => e.id))).toEqual(rows.map((r) => r.id).reverse());
    expect((await list(`registrationId=${busy}&since=${at(3)}&until=${at(6)}`)).items.map((e) => [e.id, e.details['outcome']])).toEqual([
      ['wha_0005', 'accepted'], ['wha_0004', 'rejected_stale'], ['wha_0003', 'rejected_stale'],
    ]);

    // Tenant B's key sees none of it, with or without tenant A's cursor.
    expect((await list(`registrationId=${busy}&status=rejected_stale`, bearer(keyB))).items).toEqual([]);
    expect((await list(`registrationId=${busy}&limit=200&cursor=${everything[4]!.nextCursor!}`, bearer(keyB))).items).toEqual([]);
  });

  it('names the missing or misplaced field', async () => {
    const noRegistration = await get('');
    expect(noRegistration.statusCode).toBe(400);
    expect(noRegistration.body).toContain('registrationId');
    const noTenant = await get(`registrationId=${registrationId}`, admin);
    expect(noTenant.statusCode).toBe(400);
    expect(noTenant.body).toContain('tenantId');
    const statusOnAdmin = await t.app.inject({ method: 'GET', url: '/v1/audit?status=accepted', headers: bearer(keyA) });
    expect(statusOnAdmin.statusCode).toBe(400);
    expect(statusOnAdmin.body).toContain('status');
    const badCursor = await get(`registrationId=${registrationId}&cursor=nonsense`);
    expect(badCursor.statusCode).toBe(400);
  });
});
