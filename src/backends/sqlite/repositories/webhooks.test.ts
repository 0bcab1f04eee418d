import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWebhookClaimContract, runWebhookDeliveryListContract } from '../../../ports/contracts/webhook-store.contract.ts';
import { openSqlite } from '../database.ts';
import { SqliteStore } from '../store.ts';

const clock = { now: () => Date.parse('2026-01-05T09:00:00.000Z') };

async function openStore() {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sqlite-webhooks-'));
  const handle = openSqlite({ path: join(dir, 'tributary.db') });
  const store = new SqliteStore(handle, { clock });
  await store.migrate();
  return { store, handle, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

runWebhookClaimContract('SqliteStore', openStore);
runWebhookDeliveryListContract('SqliteStore', openStore);

describe('SqliteWebhookRepository intake commits', () => {
  it('stores deliveries at top level with the WAL synced off the loop, and leaves the connection at FULL', async () => {
    const { store, handle, cleanup } = await openStore();
    try {
      await store.tenants.insert({ id: 'ten_a', name: 'a', metadata: {}, createdAt: 'a', updatedAt: 'a' });
      const record = (n: number, auditId = `aud_${n}`) => ({ auditId, eventId: `evt_${n}`, registrationId: 'whk_a', tenantId: 'ten_a', deliveryId: `d${n}`, eventType: 'push', payloadJson: '{}', receivedAt: 'a', auditExpiresAt: 'b' });
      const answers = await Promise.all([store.webhooks.recordDeliveries([record(1), record(2)], { queue: 'webhook-events', maxAttempts: 3, now: 1 }), store.webhooks.recordDeliveries([record(1, 'aud_1b')], { queue: 'webhook-events', maxAttempts: 3, now: 1 })]);
      expect(answers).toEqual([[{ stored: true, enqueued: true }, { stored: true, enqueued: true }], [{ stored: false, eventId: 'evt_1', eventStatus: 'pending', enqueued: true }]]);
      expect(handle.db.pragma('synchronous', { simple: true })).toBe(2);
      // One job per event, keyed by the event (a duplicate of a pending event does not add one).
      expect((handle.db.prepare("SELECT idempotency_key AS k FROM jobs WHERE queue = 'webhook-events' ORDER BY seq").all() as { k: string }[]).map((r) => r.k)).toEqual(['whk_a:evt_1', 'whk_a:evt_2']);
      // Inside a store transaction the outer COMMIT syncs; the level is untouched there too.
      await store.transaction(async (tx) => tx.webhooks.recordDeliveries([record(3)], { queue: 'webhook-events', maxAttempts: 3, now: 1 }));
      expect(handle.db.pragma('synchronous', { simple: true })).toBe(2);
      expect((handle.db.prepare('SELECT count(*) AS n FROM webhook_events').get() as { n: number }).n).toBe(3);
    } finally {
      await cleanup();
    }
  });
});
