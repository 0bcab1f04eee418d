import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventDeliveryRecord, StoredWebhookRegistration, WebhookIntakeRecord } from '../../../ports/store.ts';
import { ManualClock } from '../../memory/clock.ts';
import { runWebhookClaimContract, runWebhookDeliveryListContract } from '../../../ports/contracts/webhook-store.contract.ts';
import { createPgTestSchema, type PgTestSchema } from '../pg-test-support.ts';
import type { PostgresStore } from '../store.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AT = '2026-01-05T09:00:00.000Z';
const LATER = '2026-02-04T09:00:00.000Z';
let schema: PgTestSchema;
let store: PostgresStore;

const registration = (id: string): StoredWebhookRegistration => ({
  id, tenantId: 'ten_a', integrationId: null, connectionId: 'con_a', providerId: 'github', webhookUrl: `https://x.test/hooks/${id}`,
  webhookSecretRef: 'sec_1', providerWebhookId: null, events: ['push', 'issues'], status: 'active', failureCount: 0, createdAt: AT, updatedAt: AT,
  expiresAt: null, scheme: null, config: { repo: 'octo/x' },
});

const intake = (n: number, deliveryId: string | null, eventId: string | null = `evt_${n}`): WebhookIntakeRecord => ({
  auditId: `wau_${n}`, eventId, registrationId: 'whk_a', tenantId: 'ten_a', deliveryId, eventType: 'push',
  payloadJson: `{"n":${n},"b":{"z":1,"a":2}}`, receivedAt: AT, auditExpiresAt: LATER,
});

const delivery = (id: string): EventDeliveryRecord => ({
  id, tenantId: 'ten_a', subscriptionId: 'esu_a', eventType: 'entity.changed', payload: '{"type":"entity.changed"}', status: 'pending',
  attempts: [], nextAttemptAt: AT, createdAt: AT, updatedAt: AT, expiresAt: LATER,
});

beforeEach(async () => {
  schema = await createPgTestSchema(URL);
  store = schema.openStore(new ManualClock(Date.parse(AT)));
  await store.migrate();
  await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: AT, updatedAt: AT });
  await store.connections.insert({
    id: 'con_a', tenantId: 'ten_a', provider: 'github', name: 'gh', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: AT, updatedAt: AT,
  });
  await store.webhooks.insert(registration('whk_a'));
});
afterEach(async () => {
  await schema.drop();
});

describe('PgWebhookRepository', () => {
  it('stores an event once per delivery id and answers later copies as duplicates of it, even when they race', async () => {
    expect(await store.webhooks.recordDeliveries([intake(1, 'd1')])).toEqual([{ stored: true, enqueued: false }]);
    const raced = await Promise.all([2, 3, 4].map((n) => store.webhooks.recordDeliveries([intake(n, 'd1')])));
    expect(raced.flat()).toEqual(Array.from({ length: 3 }, () => ({ stored: false, eventId: 'evt_1', eventStatus: 'pending', enqueued: false })));
    // No delivery id: never a duplicate; a handshake (no event) stores its audit row only.
    expect(await store.webhooks.recordDeliveries([intake(5, null), intake(6, null), intake(7, 'd7', null)])).toEqual([
      { stored: true, enqueued: false }, { stored: true, enqueued: false }, { stored: true, enqueued: false },
    ]);
    const event = await store.webhooks.getEvent('ten_a', 'evt_1');
    expect(event?.payload).toEqual({ n: 1, b: { z: 1, a: 2 } });
    const audit = await store.webhooks.recentDeliveries('ten_a', 'whk_a', 20);
    expect(audit.filter((a) => a.outcome === 'duplicate').map((a) => a.claimedDeliveryId)).toEqual(['d1', 'd1', 'd1']);
    expect(await store.webhooks.getEvent('ten_b', 'evt_1')).toBeNull();
  });

  it('patches a registration and an event, lists pending events, and purges expired audit and processed events', async () => {
    expect(await store.webhooks.update('ten_a', 'whk_a', { status: 'failing', failureCount: 2, webhookSecretRef: null }, LATER)).toMatchObject({
      status: 'failing', failureCount: 2, webhookSecretRef: null, events: ['push', 'issues'], config: { repo: 'octo/x' }, updatedAt: LATER,
    });
    expect(await store.webhooks.update('ten_b', 'whk_a', { status: 'disabled' }, LATER)).toBeNull();
    await store.webhooks.recordDeliveries([intake(1, 'd1'), intake(2, 'd2')]);
    expect((await store.webhooks.listPendingEvents(LATER, 10)).map((e) => e.id)).toEqual(['evt_1', 'evt_2']);
    expect(await store.webhooks.updateEvent('ten_a', 'evt_1', { status: 'processed', attempts: 1, processedAt: AT, expiresAt: AT, error: { code: 'X', message: 'm' } })).toBe(true);
    expect(await store.webhooks.getEvent('ten_a', 'evt_1')).toMatchObject({ status: 'processed', attempts: 1, error: { code: 'X', message: 'm' } });
    expect((await store.webhooks.listPendingEvents(LATER, 10)).map((e) => e.id)).toEqual(['evt_2']);
    // evt_1 expired at AT; the two audit rows at LATER.
    expect(await store.purgeExpired(Date.parse(LATER))).toBe(3);
    expect(await store.webhooks.getEvent('ten_a', 'evt_1')).toBeNull();
  });
});

describe('PgEventSubscriptionRepository', () => {
  beforeEach(async () => {
    await store.eventSubscriptions.insert({
      id: 'esu_a', tenantId: 'ten_a', url: 'https://host.test/events', description: '', eventTypes: ['entity.changed'], secretRef: 'sec_s',
      status: 'active', failingSince: null, disabledReason: null, createdAt: AT, updatedAt: AT,
    });
    await store.eventSubscriptions.insertDeliveries([delivery('msg_1'), delivery('msg_2')]);
  });

  it('appends concurrent attempts without losing one and keeps the last 50', async () => {
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.eventSubscriptions.recordAttempt('ten_a', 'msg_1', { at: AT, status: 500 + (i % 3), error: `e${i}` }, { status: 'pending', nextAttemptAt: LATER }),
      ),
    );
    const read = await store.eventSubscriptions.getDelivery('ten_a', 'msg_1');
    expect(read?.attempts).toHaveLength(50);
    expect(new Set(read?.attempts.map((a) => a.error)).size).toBe(50);
    expect(read?.payload).toBe('{"type":"entity.changed"}');
    expect(await store.eventSubscriptions.recordAttempt('ten_b', 'msg_1', { at: AT, status: 200, error: null }, { status: 'delivered', nextAttemptAt: null })).toBeNull();
  });

  it('deletes deliveries with their subscription and purges expired ones in batches', async () => {
    expect(await store.eventSubscriptions.purgeDeliveries(AT, 10)).toBe(0);
    expect(await store.eventSubscriptions.purgeDeliveries(LATER, 1)).toBe(1);
    expect(await store.eventSubscriptions.delete('ten_a', 'esu_a')).toBe(true);
    expect(await store.eventSubscriptions.listDeliveries('ten_a', 'esu_a', 10)).toEqual([]);
  });
});

async function openOwnStore() {
  const own = await createPgTestSchema(URL);
  const pg = own.openStore(new ManualClock(Date.parse(AT)));
  await pg.migrate();
  return { store: pg, cleanup: () => own.drop() };
}

runWebhookClaimContract('PostgresStore', openOwnStore);
runWebhookDeliveryListContract('PostgresStore', openOwnStore);
