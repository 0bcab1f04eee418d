import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, StoredWebhookRegistration } from '../store.ts';

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
