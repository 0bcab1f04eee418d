import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, openSqlite } from './database.ts';
import { SqliteStore } from './store.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

const until = async (what: string, probe: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('WalCheckpointer', () => {
  it('moves the WAL into the database file from a worker thread while the connection itself never checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-checkpointer-'));
    try {
      const path = join(dir, 'x.db');
      const db = openDatabase({ path });
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE t (x TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run('y'.repeat(500));
      })();
      const before = statSync(path).size;
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000);
      const checkpointer = new WalCheckpointer(db, { intervalMs: 10 });
      checkpointer.request();
      await until('the rows checkpointed into the database file', () => statSync(path).size > before + 900_000);
      expect(checkpointer.usable).toBe(true);
      // Its connection closes first, so the main one is the last and removes the WAL on close.
      checkpointer.closeSync();
      db.close();
      expect(existsSync(`${path}-wal`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes with the store after intake commits: nothing is left open on the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-checkpointer-'));
    try {
      const handle = openSqlite({ path: join(dir, 'x.db') });
      const store = new SqliteStore(handle, { clock: { now: () => Date.now() } });
      await store.migrate();
      await store.tenants.insert({ id: 'ten_a', name: 'a', metadata: {}, createdAt: 'a', updatedAt: 'a' });
      const record = (n: number) => ({ auditId: `aud_${n}`, eventId: `evt_${n}`, registrationId: 'whk_a', tenantId: 'ten_a', deliveryId: `d${n}`, eventType: 'push', payloadJson: '{}', receivedAt: 'a', auditExpiresAt: 'b' });
      // The last commit asks for a checkpoint that is still starting when the store closes.
      for (let i = 0; i < 5; i++) await store.webhooks.recordDeliveries([record(i)], { queue: 'webhook-events', maxAttempts: 3, now: 1 });
      await store.close();
      expect(readdirSync(dir)).toEqual(['x.db']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops being usable when its checkpoints keep failing, so the caller falls back to SQLite\'s own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-checkpointer-'));
    try {
      // A connection whose file the worker cannot open (it does not exist there).
      const checkpointer = new WalCheckpointer({ name: join(dir, 'missing', 'x.db'), open: true }, { intervalMs: 1 });
      // As the intake does: a request after every commit.
      await until('three failures in a row', () => {
        checkpointer.request();
        return !checkpointer.usable;
      }, 30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
