import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWebhookClaimContract, runWebhookDeliveryListContract } from '../../ports/contracts/webhook-store.contract.ts';
import type { StoredWebhookRegistration, WebhookIntakeRecord } from '../../ports/store.ts';
import { ManualClock } from '../memory/clock.ts';
import { useCosmosTarget, type FreshCosmosStore } from './cosmos-test-support.ts';
import type { CosmosStore } from './store.ts';

/** The webhook repository on Cosmos DB (in-process Cosmos DB-compatible server; a real account with AZURE_COSMOS_*). */
const AT = '2026-01-05T09:00:00.000Z';
const LATER = '2026-02-04T09:00:00.000Z';
const clock = new ManualClock(Date.parse(AT));
const cosmos = useCosmosTarget(process.env);

runWebhookClaimContract('CosmosStore', () => cosmos.fresh(clock, { migrate: true }));
runWebhookDeliveryListContract('CosmosStore', () => cosmos.fresh(clock, { migrate: true }));

const registration = (id: string): StoredWebhookRegistration => ({
  id, tenantId: 'ten_a', integrationId: null, connectionId: 'con_a', providerId: 'github', webhookUrl: `https://x.test/hooks/${id}`,
  webhookSecretRef: 'sec_1', providerWebhookId: null, events: ['push', 'issues'], status: 'active', failureCount: 0, createdAt: AT, updatedAt: AT,
  expiresAt: null, scheme: null, config: { repo: 'octo/x' },
});

const intake = (n: number, deliveryId: string | null, eventId: string | null = `evt_${n}`): WebhookIntakeRecord => ({
  auditId: `wau_${n}`, eventId, registrationId: 'whk_a', tenantId: 'ten_a', deliveryId, eventType: 'push',
  payloadJson: `{"n":${n},"b":{"z":1,"a":2}}`, receivedAt: AT, auditExpiresAt: LATER,
});

describe('Cosmos DB webhook repository', () => {
  let fresh: FreshCosmosStore;
  let store: CosmosStore;

  beforeEach(async () => {
    fresh = await cosmos.fresh(clock, { migrate: true });
    store = fresh.store;
    await store.webhooks.insert(registration('whk_a'));
  });
  afterEach(async () => {
    await fresh.cleanup();
  });

  it('finds a registration by id alone, for the intake, and by tenant only within it', async () => {
    expect(await store.webhooks.find('whk_a')).toEqual(registration('whk_a'));
    expect(await store.webhooks.get('ten_b', 'whk_a')).toBeNull();
    expect((await store.webhooks.list('ten_b')).items).toEqual([]);
  });

  it('stores an event once per delivery id and answers later copies as duplicates of it, even when they race', async () => {
    expect(await store.webhooks.recordDeliveries([intake(1, 'd1')])).toEqual([{ stored: true, enqueued: false }]);
    const raced = await Promise.all([2, 3, 4].map((n) => store.webhooks.recordDeliveries([intake(n, 'd1')])));
    expect(raced.flat()).toEqual(Array.from({ length: 3 }, () => ({ stored: false, eventId: 'evt_1', eventStatus: 'pending', enqueued: false })));
    // Within one batch too; no delivery id: never a duplicate; a handshake (no event) stores its audit row only.
    expect(await store.webhooks.recordDeliveries([intake(5, null), intake(6, null), intake(7, 'd7', null), intake(8, 'd8'), intake(9, 'd8')])).toEqual([
      { stored: true, enqueued: false }, { stored: true, enqueued: false }, { stored: true, enqueued: false }, { stored: true, enqueued: false },
      { stored: false, eventId: 'evt_8', eventStatus: 'pending', enqueued: false },
    ]);
    expect((await store.webhooks.getEvent('ten_a', 'evt_1'))?.payload).toEqual({ n: 1, b: { z: 1, a: 2 } });
    const audit = await store.webhooks.recentDeliveries('ten_a', 'whk_a', 20);
    expect(audit.filter((a) => a.outcome === 'duplicate').map((a) => a.claimedDeliveryId).sort()).toEqual(['d1', 'd1', 'd1', 'd8']);
    expect(await store.webhooks.getEvent('ten_b', 'evt_1')).toBeNull();
  });

  it('patches a registration and an event, lists pending events, and purges expired audit rows and processed events', async () => {
    expect(await store.webhooks.update('ten_a', 'whk_a', { status: 'failing', failureCount: 2, webhookSecretRef: null }, LATER)).toMatchObject({
      status: 'failing', failureCount: 2, webhookSecretRef: null, events: ['push', 'issues'], config: { repo: 'octo/x' }, updatedAt: LATER,
    });
    expect(await store.webhooks.update('ten_b', 'whk_a', { status: 'disabled' }, LATER)).toBeNull();
    await store.webhooks.recordDeliveries([intake(1, 'd1'), intake(2, 'd2')]);
    expect((await store.webhooks.listPendingEvents(LATER, 10)).map((e) => e.id)).toEqual(['evt_1', 'evt_2']);
    expect(await store.webhooks.updateEvent('ten_a', 'evt_1', { status: 'processed', attempts: 1, processedAt: AT, expiresAt: AT, error: { code: 'X', message: 'm' } })).toBe(true);
    expect(await store.webhooks.getEvent('ten_a', 'evt_1')).toMatchObject({ status: 'processed', attempts: 1, error: { code: 'X', message: 'm' } });
    expect((await store.webhooks.listPendingEvents(LATER, 10)).map((e) => e.id)).toEqual(['evt_2']);
    // evt_1 expired at AT; at LATER the two audit rows and their two replay keys too.
    expect(await store.purgeExpired(Date.parse(LATER))).toBe(5);
    expect(await store.webhooks.getEvent('ten_a', 'evt_1')).toBeNull();
    // Registrations are never purged: their expiresAt is a renewal time, not a TTL.
    expect(await store.webhooks.get('ten_a', 'whk_a')).not.toBeNull();
  });
});
