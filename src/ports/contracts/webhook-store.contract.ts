import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page, Store, StoredWebhookDelivery, StoredWebhookRegistration, WebhookDeliveryFilter } from '../store.ts';

/**
 * The webhook repository's one-time claims (`claimConfigFlag`): one winner among
 * concurrent callers, tenant-scoped, and never undone by a later `update` that writes a
 * config without it. Backends call `runWebhookClaimContract` from their own tests.
 */

const AT = '2026-01-05T09:00:00.000Z';

function registration(id: string, tenantId: string): StoredWebhookRegistration {
  return {
    id, tenantId, integrationId: null, connectionId: `con_${tenantId}`, providerId: 'notion', webhookUrl: `https://x.test/webhooks/${id}/events`,
    webhookSecretRef: null, providerWebhookId: null, events: [], status: 'active', failureCount: 0, createdAt: AT, updatedAt: AT, expiresAt: null, scheme: null,
    config: { handshakeAt: AT },
  };
}

export function runWebhookClaimContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`${name}: webhook one-time claims`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      for (const tenantId of ['ten_a', 'ten_b']) {
        await store.tenants.insert({ id: tenantId, name: tenantId, metadata: {}, createdAt: AT, updatedAt: AT });
        await store.connections.insert({ id: `con_${tenantId}`, tenantId, provider: 'notion', name: 'n', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: AT, updatedAt: AT });
      }
      await store.webhooks.insert(registration('whk_a', 'ten_a'));
    });
    afterEach(() => cleanup());

    it('lets exactly one caller claim a flag, only within the tenant, and keeps it through later config updates', async () => {
      expect(await store.webhooks.claimConfigFlag('ten_b', 'whk_a', 'revealedAt', AT)).toBe(false);
      const claims = await Promise.all(Array.from({ length: 5 }, () => store.webhooks.claimConfigFlag('ten_a', 'whk_a', 'revealedAt', AT)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await store.webhooks.get('ten_a', 'whk_a'))?.config).toEqual({ handshakeAt: AT, once: { revealedAt: AT } });

      const later = '2026-01-06T09:00:00.000Z';
      const updated = await store.webhooks.update('ten_a', 'whk_a', { status: 'failing', config: { failingSince: 1 } }, later);
      expect(updated?.config).toEqual({ failingSince: 1, once: { revealedAt: AT } });
      expect(await store.webhooks.claimConfigFlag('ten_a', 'whk_a', 'revealedAt', later)).toBe(false);
      // A second flag joins the first; updates without config leave it alone.
      expect(await store.webhooks.claimConfigFlag('ten_a', 'whk_a', 'otherAt', later)).toBe(true);
      await store.webhooks.update('ten_a', 'whk_a', { status: 'active' }, later);
      expect((await store.webhooks.get('ten_a', 'whk_a'))?.config).toEqual({ failingSince: 1, once: { revealedAt: AT, otherAt: later } });
      // A registration that never claimed anything gets no `once` from an update.
      await store.webhooks.insert(registration('whk_c', 'ten_a'));
      expect((await store.webhooks.update('ten_a', 'whk_c', { config: { x: 1 } }, later))?.config).toEqual({ x: 1 });
      await expect(store.webhooks.claimConfigFlag('ten_a', 'whk_a', "x') OR 1=1 --", later)).rejects.toThrow();
    });
  });
}

/**
 * The delivery audit's filtered listing (`listDeliveries`): newest first by (receivedAt,
 * id), each filter applied in the query so that `nextCursor` continues the same filtered
 * list, and another tenant's registration lists nothing. Backends call
 * `runWebhookDeliveryListContract` from their own tests.
 */
export function runWebhookDeliveryListContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`${name}: webhook delivery listing`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const minute = (n: number): string => new Date(Date.parse(AT) + n * 60_000).toISOString();
    const expiresAt = '2026-02-04T09:00:00.000Z';
    const delivery = (id: string, at: string, outcome: string, registrationId = 'whk_a', tenantId = 'ten_a'): StoredWebhookDelivery => ({
      id, registrationId, tenantId, deliveryId: null, claimedDeliveryId: `msg_${id}`, receivedAt: at, verified: outcome === 'accepted', outcome, detail: null, expiresAt,
    });

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      for (const tenantId of ['ten_a', 'ten_b']) await store.tenants.insert({ id: tenantId, name: tenantId, metadata: {}, createdAt: AT, updatedAt: AT });
      // 12 deliveries a minute apart, every third rejected; two more share a time (the id breaks the tie).
      const rows = Array.from({ length: 12 }, (_, i) => delivery(`wda_${String(i).padStart(2, '0')}`, minute(i), i % 3 === 0 ? 'rejected_signature' : 'accepted'));
      rows.push(delivery('wda_20', minute(5), 'accepted'), delivery('wda_21', minute(5), 'accepted'));
      rows.push(delivery('wdb_00', minute(1), 'accepted', 'whk_other'), delivery('wdc_00', minute(2), 'accepted', 'whk_a', 'ten_b'));
      await store.webhooks.appendAudit(rows);
    });
    afterEach(() => cleanup());

    async function all(tenantId: string, filter: WebhookDeliveryFilter): Promise<{ ids: string[]; pages: number }> {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page<StoredWebhookDelivery> = await store.webhooks.listDeliveries(tenantId, 'whk_a', { ...filter, cursor });
        ids.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 50);
      return { ids, pages };
    }

    it('pages newest first through every filter, the cursor continuing the filtered list', async () => {
      const everything = await all('ten_a', { limit: 4 });
      expect(everything.ids).toEqual(['wda_11', 'wda_10', 'wda_09', 'wda_08', 'wda_07', 'wda_06', 'wda_21', 'wda_20', 'wda_05', 'wda_04', 'wda_03', 'wda_02', 'wda_01', 'wda_00']);
      expect(everything.pages).toBe(4);
      expect((await all('ten_a', { limit: 2, outcome: 'rejected_signature' })).ids).toEqual(['wda_09', 'wda_06', 'wda_03', 'wda_00']);
      expect((await all('ten_a', { limit: 1, outcome: 'accepted', since: minute(4), until: minute(8) })).ids).toEqual(['wda_07', 'wda_21', 'wda_20', 'wda_05', 'wda_04']);
      expect((await all('ten_a', { outcome: 'duplicate' })).ids).toEqual([]);
      const [first] = (await store.webhooks.listDeliveries('ten_a', 'whk_a', { limit: 1, outcome: 'rejected_signature' })).items;
      expect(first).toEqual(delivery('wda_09', minute(9), 'rejected_signature'));
    });

    it("lists nothing of another tenant's registration, and refuses a cursor it did not make", async () => {
      expect((await all('ten_b', {})).ids).toEqual(['wdc_00']);
      expect((await store.webhooks.listDeliveries('ten_b', 'whk_other')).items).toEqual([]);
      await expect(store.webhooks.listDeliveries('ten_a', 'whk_a', { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
