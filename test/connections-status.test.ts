import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConnectionStatus } from '../src/runtime/cli/status-report.ts';
import { SYSTEM_ACTOR } from '../src/runtime/tenancy/index.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';

let t: TempPlatform;
let path: string;

beforeAll(async () => {
  t = await startTempPlatform({ logLevel: 'silent' });
  path = join(t.dir, 'data', 'tributary.db');
});

afterAll(async () => {
  await t.close();
});

async function connection(tenantId: string, id: string, createdAt: string): Promise<void> {
  await t.platform.services.store.connections.insert({
    id,
    tenantId,
    provider: 'github',
    name: id,
    status: 'active',
    baseUrl: null,
    account: {},
    credentialId: null,
    createdAt,
    updatedAt: createdAt,
  });
}

describe('the status report', () => {
  it('reads every tenant’s connections with their entity count and newest sync run, from a read-only connection', async () => {
    const tenant = await t.platform.services.tenants.create({ actor: SYSTEM_ACTOR, requestId: null }, { name: 'Acme' });
    await connection(tenant.id, 'con_synced', '2026-01-01T00:00:00.000Z');
    await connection(tenant.id, 'con_fresh', '2026-01-02T00:00:00.000Z');

    // What the sync engine will write: an integration, two runs, three linked entities (one tombstoned).
    const db = new Database(path);
    try {
      const at = '2026-01-03T00:00:00.000Z';
      db.prepare(`INSERT INTO integrations (id, tenant_id, connection_id, object, direction, created_at, updated_at) VALUES ('int_1', ?, 'con_synced', 'issues', 'pull', ?, ?)`).run(tenant.id, at, at);
      const run = db.prepare(`INSERT INTO sync_runs (id, tenant_id, integration_id, type, status, started_at, finished_at, records_so_far) VALUES (?, ?, 'int_1', 'manual', ?, ?, ?, ?)`);
      run.run('run_old', tenant.id, 'failed', '2026-01-03T01:00:00.000Z', '2026-01-03T01:05:00.000Z', 3);
      run.run('run_new', tenant.id, 'succeeded', '2026-01-03T02:00:00.000Z', '2026-01-03T02:01:00.000Z', 42);
      for (const [entity, tombstoned] of [['ent_1', null], ['ent_2', null], ['ent_3', at]] as const) {
        db.prepare(`INSERT INTO entities (id, tenant_id, type, created_at, updated_at) VALUES (?, ?, 'person', ?, ?)`).run(entity, tenant.id, at, at);
        db.prepare(`INSERT INTO entity_links (id, tenant_id, entity_id, connection_id, object, external_id, tombstoned_at, created_at) VALUES (?, ?, ?, 'con_synced', 'issues', ?, ?, ?)`).run(
          `lnk_${entity}`,
          tenant.id,
          entity,
          entity,
          tombstoned,
          at,
        );
      }
    } finally {
      db.close();
    }

    const rows = readConnectionStatus(path);
    expect(rows.map((row) => row.id)).toEqual(['con_synced', 'con_fresh']);
    expect(rows[0]).toMatchObject({
      tenantId: tenant.id,
      tenantName: 'Acme',
      provider: 'github',
      status: 'active',
      credential: null,
      entities: 2,
      lastRun: { id: 'run_new', status: 'succeeded', records: 42, finishedAt: '2026-01-03T02:01:00.000Z' },
    });
    expect(rows[1]).toMatchObject({ entities: 0, lastRun: null });
  });

  it('reports no connections for a data directory without a database', () => {
    expect(readConnectionStatus(join(t.dir, 'nowhere', 'tributary.db'))).toEqual([]);
  });
});
