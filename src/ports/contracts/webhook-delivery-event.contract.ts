import { describe, expect, it } from 'vitest';
import type { Store, StoredWebhookRegistration, WebhookIntakeRecord } from '../store.ts';

const AT = '2026-01-05T09:00:00.000Z';
const LATER = '2026-02-04T09:00:00.000Z';

const registration = (id: string, tenantId: string): StoredWebhookRegistration => ({
  id, tenantId, integrationId: null, connectionId: `con_${tenantId}`, providerId: 'github', webhookUrl: `https://x.test/hooks/${id}`,
  webhookSecretRef: null, providerWebhookId: null, events: ['issues'], status: 'active', failureCount: 0, createdAt: AT, updatedAt: AT,
  expiresAt: null, scheme: null, config: {},
});

const record = (auditId: string, eventId: string | null, deliveryId: string): WebhookIntakeRecord => ({
  auditId, eventId, registrationId: 'whk_a', tenantId: 'ten_a', deliveryId, eventType: 'issues', payloadJson: '{}', receivedAt: AT, auditExpiresAt: LATER,
});

/** `WebhookRepository.deliveryEvent`: the event a delivery audit row stored, scoped by tenant and registration. */
export function runWebhookDeliveryEventContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`${name}: webhook deliveryEvent`, () => {
    it('finds the event of an accepted delivery, none for a duplicate or a handshake, and nothing across tenants or registrations', async () => {
      const { store, cleanup } = await open();
      try {
        for (const tenantId of ['ten_a', 'ten_b']) {
          await store.tenants.insert({ id: tenantId, name: tenantId, metadata: {}, createdAt: AT, updatedAt: AT });
          await store.connections.insert({ id: `con_${tenantId}`, tenantId, provider: 'github', name: 'gh', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: AT, updatedAt: AT });
        }
        await store.webhooks.insert(registration('whk_a', 'ten_a'));
        await store.webhooks.insert(registration('whk_b', 'ten_b'));
        await store.webhooks.recordDeliveries([record('aud_1', 'evt_1', 'd1'), record('aud_2', 'evt_2', 'd1'), record('aud_3', null, 'd3')]);
        expect(await store.webhooks.deliveryEvent('ten_a', 'whk_a', 'aud_1')).toEqual({ eventId: 'evt_1' });
        expect(await store.webhooks.deliveryEvent('ten_a', 'whk_a', 'aud_2')).toEqual({ eventId: null });
        expect(await store.webhooks.deliveryEvent('ten_a', 'whk_a', 'aud_3')).toEqual({ eventId: null });
        expect(await store.webhooks.deliveryEvent('ten_a', 'whk_a', 'aud_nope')).toBeNull();
        expect(await store.webhooks.deliveryEvent('ten_b', 'whk_a', 'aud_1')).toBeNull();
        expect(await store.webhooks.deliveryEvent('ten_a', 'whk_b', 'aud_1')).toBeNull();
      } finally {
        await cleanup();
      }
    });
  });
}
