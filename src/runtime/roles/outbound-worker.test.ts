import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../logging/logger.ts';
import { startTempPlatform, type TempPlatform } from '../testing/temp-platform.ts';
import { outboundWorkerRole } from './outbound-worker.ts';
import type { RoleContext } from './role.ts';

let temp: TempPlatform | null = null;
afterEach(async () => {
  await temp?.close();
  temp = null;
});

describe('the outbound-worker role', () => {
  it('relays committed outbox rows to sync-outbound and processes them; rows nobody relayed are picked up by its loop', async () => {
    temp = await startTempPlatform();
    const services = temp.platform.services;
    const ctx = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: 'req_test' };
    const tenant = await services.tenants.create(ctx, { name: 'Acme' });
    const written = await services.hostWrites.create(tenant.id, { type: 'note', fields: { text: 'relayed by the writer' } });
    // A row committed by a writer that died before relaying it.
    await services.store.entities.applyBatch({
      tenantId: tenant.id, at: new Date().toISOString(), entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], changes: [],
      matchKeys: [], reviews: [], outbox: [{ id: 'obx_orphan', entityId: written.id, change: { op: 'update', fields: {}, version: 1 } }],
    });
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _e, cb) => void (lines.push(chunk.toString()), cb()) }) });
    const context: RoleContext = {
      services, logger, server: { port: 0, host: '127.0.0.1' }, tokenRefresher: { intervalMs: 60_000, windowMs: 60_000 }, leader: { leaseMs: 15_000 }, retention: { purgeIntervalMs: 3_600_000 },
      workers: { leaseMs: null }, roles: ['outbound-worker'],
    } as RoleContext;
    const role = await outboundWorkerRole({ providerFor: () => undefined, contextFor: () => () => { throw new Error('no provider is linked'); }, relayIntervalMs: 50 }).start(context);
    try {
      for (let i = 0; i < 100 && (await services.store.outbox.list(tenant.id, { pending: true })).length > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await role.stop();
    }
    const rows = await services.store.outbox.list(tenant.id);
    expect(rows.map((r) => [r.id === 'obx_orphan', r.processedAt !== null, r.relayedAt !== null])).toEqual([[true, true, true], [false, true, true]]);
    expect(rows[1]?.outcome).toMatchObject({ status: 'done', links: [], creates: [] });
    expect(lines.join('')).toContain('outbound-worker role started');
  });
});
