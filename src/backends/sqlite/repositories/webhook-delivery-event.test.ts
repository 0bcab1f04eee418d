import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWebhookDeliveryEventContract } from '../../../ports/contracts/webhook-delivery-event.contract.ts';
import { openSqlite } from '../database.ts';
import { SqliteStore } from '../store.ts';

runWebhookDeliveryEventContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sqlite-delivery-event-'));
  const store = new SqliteStore(openSqlite({ path: join(dir, 'tributary.db') }), { clock: { now: () => Date.parse('2026-01-05T09:00:00.000Z') } });
  await store.migrate();
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});
