import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Consumer, QueueStats } from '../../../ports/job-queue.ts';
import { createWebhookEventHandler, type WebhookEventJob } from '../../../webhooks/index.ts';
import { startTempPlatform, type TempPlatform } from '../../testing/temp-platform.ts';
import { deliverStandardWebhook } from '../../../../test/fixtures/standard-webhook-delivery.ts';
import { twoTenants } from '../../../../test/fixtures/two-tenants.ts';

const ADMIN_KEY = 'admin-key-for-webhook-replay-tests-0123456';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const SECRET = `whsec_${Buffer.from('standard-webhooks-test-secret-32b!').toString('base64')}`;

interface Delivery {
  id: string;
  deliveryId: string | null;
  outcome: string;
}

let t: TempPlatform;
let tenantA: string;
let keyA: string;
let keyB: string;
let registrationId: string;

/** A Standard Webhooks delivery signed as a sender would. */
const deliver = (id: string, body: object, secret = SECRET) => deliverStandardWebhook(t, registrationId, id, body, secret);

async function deliveries(): Promise<Delivery[]> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/webhooks/${registrationId}`, headers: bearer(keyA) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ recentDeliveries: Delivery[] }>().recentDeliveries;
}

async function stats(queue: string): Promise<QueueStats> {
  return (await t.platform.services.queue.stats()).find((s) => s.queue === queue)!;
}

/** Processes `webhook-events` with the real handler until the queue is empty. */
async function processWebhookEvents(): Promise<void> {
  const { store, queue, clock } = t.platform.services;
  const handler = createWebhookEventHandler({ store, queue, clock, providerFor: () => undefined, contextFor: () => { throw new Error('a signal calls no provider'); } });
  const consumer: Consumer = queue.consume<WebhookEventJob>('webhook-events', handler, { concurrency: 1 });
  try {
    await vi.waitFor(async () => {
      const s = await stats('webhook-events');
      expect(s.ready + s.delayed + s.running).toBe(0);
    }, { timeout: 5000, interval: 20 });
  } finally {
    await consumer.stop();
  }
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent' });
  ({ tenant: { id: tenantA }, key: keyA, otherKey: keyB } = await twoTenants(t));
  const { store } = t.platform.services;
  const at = new Date().toISOString();
  await store.connections.insert({ id: 'con_notion', tenantId: tenantA, provider: 'notion', name: 'notion', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
  await store.integrations.insert({
    id: 'int_pages', tenantId: tenantA, connectionId: 'con_notion', object: 'pages', direction: 'pull', mapping: {}, mappingVersion: 1, schedule: null, priority: 'normal',
    dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: at, updatedAt: at,
  }, null);
  const registered = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keyA), payload: { connectionId: 'con_notion', scheme: 'standard', config: { signingSecret: SECRET } } });
  expect(registered.statusCode, registered.body).toBe(201);
  registrationId = registered.json<{ id: string }>().id;
});

afterAll(async () => {
  await t.close();
});

describe('webhook delivery replay', () => {
  it('processes a stored event again; the run it asks for is not duplicated', async () => {
    expect((await deliver('msg_1', { type: 'page.updated', data: { id: 'p1' } })).statusCode).toBeLessThan(300);
    await processWebhookEvents();
    // The event (a signal) asked for one incremental run of the integration.
    expect((await stats('sync-inbound')).ready).toBe(1);
    const accepted = (await deliveries()).find((d) => d.deliveryId === 'msg_1' && d.outcome === 'accepted')!;
    const eventId = (await t.app.inject({ method: 'POST', url: `/v1/webhooks/${registrationId}/deliveries/${accepted.id}/replay`, headers: bearer(keyA) }));
    expect(eventId.statusCode, eventId.body).toBe(202);
    const first = eventId.json<{ eventId: string; deduplicated: boolean }>();
    expect(first.deduplicated).toBe(false);
    expect((await t.platform.services.store.webhooks.getEvent(tenantA, first.eventId))?.status).toBe('pending');
    // A second replay while the first is still waiting joins it.
    const again = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${registrationId}/deliveries/${accepted.id}/replay`, headers: bearer(keyA) });
    expect(again.json<{ deduplicated: boolean }>().deduplicated).toBe(true);
    await processWebhookEvents();
    expect((await t.platform.services.store.webhooks.getEvent(tenantA, first.eventId))?.status).toBe('processed');
    expect((await stats('sync-inbound')).ready).toBe(1);
    const audit = (await t.app.inject({ method: 'GET', url: `/v1/audit?action=webhook.delivery_replay&target=${registrationId}`, headers: admin })).json<{ items: { tenantId: string; details: Record<string, unknown> }[] }>();
    expect(audit.items).toHaveLength(2);
    expect(audit.items[0]).toMatchObject({ tenantId: tenantA, details: { deliveryId: accepted.id, eventId: first.eventId } });
  });

  it('refuses a delivery that stored no event, naming the field', async () => {
    expect((await deliver('msg_bad', { type: 'page.updated' }, `whsec_${Buffer.from('another-secret-entirely-32-bytes!').toString('base64')}`)).statusCode).toBeGreaterThanOrEqual(400);
    // Rejections are audited off the intake's hot path: wait for the row.
    let rejected: Delivery | undefined;
    await vi.waitFor(async () => {
      rejected = (await deliveries()).find((d) => d.outcome !== 'accepted');
      expect(rejected).toBeDefined();
    }, { timeout: 5000, interval: 20 });
    const response = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${registrationId}/deliveries/${rejected!.id}/replay`, headers: bearer(keyA) });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { field: string } }>().error.field).toBe('params.deliveryId');
  });

  it("keeps tenants apart and names the field of an unknown id", async () => {
    const accepted = (await deliveries()).find((d) => d.outcome === 'accepted')!;
    const asB = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${registrationId}/deliveries/${accepted.id}/replay`, headers: bearer(keyB) });
    expect(asB.statusCode).toBe(404);
    expect(asB.json<{ error: { field: string } }>().error.field).toBe('params.id');
    const unknown = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${registrationId}/deliveries/aud_nope/replay`, headers: bearer(keyA) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { field: string } }>().error.field).toBe('params.deliveryId');
  });
});
