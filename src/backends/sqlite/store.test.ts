import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { runStoreContract } from '../../ports/contracts/store.contract.ts';
import { openSqlite, type SqliteHandle } from './database.ts';
import { SqliteStore, inSqliteTransaction } from './store.ts';
import { loadMigrations } from './migrate.ts';
import { TTL_TABLES } from '../rows/ttl-tables.ts';

const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-store-'));
}

runStoreContract('SqliteStore', async () => {
  const dir = tempDir();
  const path = join(dir, 'tributary.db');
  const store = new SqliteStore(openSqlite({ path }), { clock });
  return {
    store,
    openSecond: async () => new SqliteStore(openSqlite({ path }), { clock }),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore on a real file', () => {
  let dir: string;
  let handle: SqliteHandle;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = tempDir();
    handle = openSqlite({ path: join(dir, 'tributary.db') });
    store = new SqliteStore(handle, { clock });
    await store.migrate();
    await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a top-level repository call made inside a transaction at once instead of deadlocking', async () => {
    const outcome = await store.transaction(async () => {
      expect(inSqliteTransaction(handle)).toBe(true);
      return store.tenants.get('ten_a').then(
        () => 'ran',
        (error: unknown) => (isTributaryError(error) ? error.code : 'other'),
      );
    });
    expect(outcome).toBe('INTERNAL');
    expect(inSqliteTransaction(handle)).toBe(false);
  });

  it('lets work that a transaction left behind use the store once the transaction ended', async () => {
    let later!: Promise<string | undefined>;
    await store.transaction(async (tx) => {
      await tx.tenants.update('ten_a', { name: 'B' }, '2026-01-02T00:00:00.000Z');
      later = new Promise((resolve, reject) => {
        setTimeout(() => store.tenants.get('ten_a').then((t) => resolve(t?.name), reject), 20);
      });
    });
    await expect(later).resolves.toBe('B');
  });

  it('stores JSON as text, booleans as 0/1 and secret material as blobs', async () => {
    await store.secrets.insert({
      ref: 'sec_1',
      tenantId: 'ten_a',
      label: 'token',
      keyVersion: 1,
      wrappedKey: Buffer.from([1, 2, 3]),
      ciphertext: Buffer.from([4, 5, 6]),
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const row = handle.db
      .prepare("SELECT typeof(wrapped_key) AS k, typeof(ciphertext) AS c FROM secrets WHERE ref = 'sec_1'")
      .get() as { k: string; c: string };
    expect(row).toEqual({ k: 'blob', c: 'blob' });
    const tenant = handle.db.prepare("SELECT typeof(metadata) AS m FROM tenants WHERE id = 'ten_a'").get() as { m: string };
    expect(tenant.m).toBe('text');
    expect(() =>
      handle.db.exec(`INSERT INTO connections (id, tenant_id, provider, name, created_at, updated_at) VALUES ('con_1', 'ten_a', 'github', 'gh', 'x', 'x');
        INSERT INTO integrations (id, tenant_id, connection_id, object, direction, enabled, created_at, updated_at)
        VALUES ('int_1', 'ten_a', 'con_1', 'issue', 'pull', 2, 'x', 'x')`),
    ).toThrow(/CHECK/);
  });

  it('creates a table for every container of the data model, each tenant-owned one with tenant_id', () => {
    const tables = handle.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => (row as { name: string }).name);
    const core = [
      'tenants', 'api_keys', 'audit_log', 'secrets', 'connections', 'credentials', 'token_refresh_audit',
      'integrations', 'sync_tasks', 'sync_runs', 'sync_results', 'run_record_errors', 'entities', 'entity_links',
      'relationships', 'entity_changes', 'merge_lineage', 'dedup_reviews', 'conflicts', 'webhooks', 'webhook_audit',
      'webhook_events', 'outbox',
    ];
    expect(tables).toEqual(expect.arrayContaining(core));
    for (const table of core.filter((t) => t !== 'tenants' && t !== 'audit_log')) {
      const columns = handle.db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all().map((c) => (c as { name: string }).name);
      expect(columns, table).toContain('tenant_id');
    }
    for (const table of TTL_TABLES) {
      const columns = handle.db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all().map((c) => (c as { name: string }).name);
      expect(columns, table).toContain('expires_at');
    }
    expect(handle.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('makes (connection, object, external id) the idempotency key of entity links', () => {
    handle.db.exec(`
      INSERT INTO connections (id, tenant_id, provider, name, created_at, updated_at) VALUES ('con_1', 'ten_a', 'github', 'gh', 't', 't');
      INSERT INTO entities (id, tenant_id, type, created_at, updated_at) VALUES ('ent_1', 'ten_a', 'task', 't', 't');
      INSERT INTO entity_links (id, tenant_id, entity_id, connection_id, object, external_id, created_at)
        VALUES ('lnk_1', 'ten_a', 'ent_1', 'con_1', 'issue', '42', 't');`);
    expect(() =>
      handle.db.exec(`INSERT INTO entity_links (id, tenant_id, entity_id, connection_id, object, external_id, created_at)
        VALUES ('lnk_2', 'ten_a', 'ent_1', 'con_1', 'issue', '42', 't')`),
    ).toThrow(/UNIQUE/);
    // Deleting the tenant takes everything it owns with it.
    handle.db.exec("DELETE FROM tenants WHERE id = 'ten_a'");
    expect(handle.db.prepare('SELECT COUNT(*) AS n FROM entity_links').get()).toEqual({ n: 0 });
  });

  it('purges expired rows from every TTL table, in batches, and keeps the rest', async () => {
    const past = '2026-01-01T00:00:00.000Z';
    const future = '2026-03-01T00:00:00.000Z';
    const now = Date.parse('2026-02-01T00:00:00.000Z');
    const db = handle.db;
    db.exec(`
      INSERT INTO connections (id, tenant_id, provider, name, created_at, updated_at) VALUES ('con_1', 'ten_a', 'github', 'gh', 't', 't');
      INSERT INTO integrations (id, tenant_id, connection_id, object, direction, created_at, updated_at)
        VALUES ('int_1', 'ten_a', 'con_1', 'issue', 'pull', 't', 't');`);
    const insertRun = db.prepare(`INSERT INTO sync_runs (id, tenant_id, integration_id, type, status, started_at, expires_at)
      VALUES (?, 'ten_a', 'int_1', 'manual', 'succeeded', 't', ?)`);
    const insertResult = db.prepare(`INSERT INTO sync_results (id, integration_id, tenant_id, status, duration_ms, executed_at, ttl_seconds, expires_at)
      VALUES (?, 'int_1', 'ten_a', 'success', 5, 't', 60, ?)`);
    db.transaction(() => {
      insertRun.run('run_old', past);
      insertRun.run('run_new', future);
      insertRun.run('run_keep', null);
      // More than one purge batch of expired results.
      for (let i = 0; i < 2500; i += 1) insertResult.run(`res_old_${i}`, past);
      insertResult.run('res_new', future);
    })();
    db.exec(`
      INSERT INTO run_record_errors (run_id, tenant_id, reason, at, expires_at) VALUES ('run_keep', 'ten_a', 'bad', 't', '${past}');
      INSERT INTO token_refresh_audit (id, tenant_id, credential_id, connection_id, at, outcome, duration_ms, expires_at)
        VALUES ('tra_old', 'ten_a', 'cred', 'con_1', 't', 'success', 3, '${past}'),
               ('tra_new', 'ten_a', 'cred', 'con_1', 't', 'success', 3, '${future}');
      INSERT INTO webhook_audit (id, registration_id, tenant_id, delivery_id, received_at, verified, outcome, expires_at)
        VALUES ('wha_old', 'whk_1', 'ten_a', 'd1', 't', 1, 'accepted', '${past}'),
               ('wha_new', 'whk_1', 'ten_a', 'd2', 't', 1, 'accepted', '${future}');
      INSERT INTO webhook_events (id, registration_id, tenant_id, payload, received_at, status, expires_at)
        VALUES ('evt_old', 'whk_1', 'ten_a', '{}', 't', 'processed', '${past}'),
               ('evt_pending', 'whk_1', 'ten_a', '{}', 't', 'pending', NULL);
      INSERT INTO outbox (id, tenant_id, entity_id, change, created_at, processed_at, expires_at)
        VALUES ('out_old', 'ten_a', 'ent_1', '{}', 't', 't', '${past}'),
               ('out_pending', 'ten_a', 'ent_1', '{}', 't', NULL, NULL);
      INSERT INTO webhooks (id, tenant_id, connection_id, provider_id, webhook_url, created_at, updated_at, expires_at)
        VALUES ('whk_1', 'ten_a', 'con_1', 'google', 'https://x', 't', 't', '${past}');
      INSERT INTO audit_log (id, at, actor, action, tenant_id, expires_at)
        VALUES ('aud_read_old', 't', '{}', 'credential.access', 'ten_a', '${past}'),
               ('aud_read_new', 't', '{}', 'credential.access', 'ten_a', '${future}'),
               ('aud_admin', 't', '{}', 'tenant.create', 'ten_a', NULL);`);

    // 1 run + 2500 results + 1 record error + 1 refresh audit + 1 webhook audit + 1 event + 1 outbox row + 1 credential access entry.
    expect(await store.purgeExpired(now)).toBe(2507);
    const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('sync_runs')).toBe(2);
    expect(count('sync_results')).toBe(1);
    expect(count('run_record_errors')).toBe(0);
    expect(count('token_refresh_audit')).toBe(1);
    expect(count('webhook_audit')).toBe(1);
    expect(count('webhook_events')).toBe(1);
    expect(count('outbox')).toBe(1);
    expect(count('audit_log')).toBe(2); // admin actions (expires_at NULL) stay
    expect(count('webhooks')).toBe(1); // a watch channel's expiry is not a TTL
    expect(await store.purgeExpired(now)).toBe(0);
  });
});

describe('SqliteStore under another process holding the write lock', () => {
  it('fails a write with a retryable STORE_UNAVAILABLE once the busy timeout passes, and works after', async () => {
    const dir = tempDir();
    const path = join(dir, 'busy.db');
    const store = new SqliteStore(openSqlite({ path, busyTimeoutMs: 50 }), { clock });
    const other = openSqlite({ path }); // stands in for another process: its own connection
    try {
      await store.migrate();
      other.db.exec('BEGIN IMMEDIATE');
      const tenant = { id: 'ten_a', name: 'A', metadata: {}, createdAt: 't', updatedAt: 't' };
      const error: unknown = await store.tenants.insert(tenant).catch((e: unknown) => e);
      expect(isTributaryError(error) && error.code).toBe('STORE_UNAVAILABLE');
      expect(isTributaryError(error) && error.retryable).toBe(true);
      const txError: unknown = await store.transaction(async (tx) => tx.tenants.insert(tenant)).catch((e: unknown) => e);
      expect(isTributaryError(txError) && txError.code).toBe('STORE_UNAVAILABLE');
      other.db.exec('ROLLBACK');
      await store.tenants.insert(tenant);
      expect(await store.tenants.get('ten_a')).toEqual(tenant);
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteStore migrations across processes', () => {
  let dir: string;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies each migration exactly once when several processes start on a new file together', async () => {
    const path = join(dir, 'shared.db');
    const storeModule = fileURLToPath(new URL('./store.ts', import.meta.url));
    const databaseModule = fileURLToPath(new URL('./database.ts', import.meta.url));
    // Each child waits for the same instant, then migrates, so that their migrations overlap.
    const startAt = Date.now() + 1500;
    const script = `
      import { openSqlite } from ${JSON.stringify(databaseModule)};
      import { SqliteStore } from ${JSON.stringify(storeModule)};
      const store = new SqliteStore(openSqlite({ path: process.argv[1] }), { clock: { now: () => Date.now() } });
      while (Date.now() < ${startAt}) await new Promise((resolve) => setTimeout(resolve, 5));
      process.stdout.write(JSON.stringify(await store.migrate()));
      await store.close();`;
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: 3 }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], { timeout: 30_000 })),
    );
    const statuses = outputs.map((output) => JSON.parse(output.stdout) as { version: number; applied: number[] });
    const expected = loadMigrations().map((m) => m.version);
    const applied = statuses.flatMap((status) => status.applied).sort((a, b) => a - b);
    expect(applied).toEqual(expected);
    for (const status of statuses) expect(status.version).toBe(Math.max(...expected));

    const handle = openSqlite({ path });
    try {
      const recorded = handle.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      expect(recorded.map((row) => row.version)).toEqual(expected);
    } finally {
      handle.close();
    }
  });
});
