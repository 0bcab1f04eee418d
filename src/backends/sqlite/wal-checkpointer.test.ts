import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { WAL_SIZE_LIMIT_BYTES, openDatabase, openSqlite } from './database.ts';
import { SqliteStore } from './store.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

const until = async (what: string, probe: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/**
 * A database file in `dir` whose connection never checkpoints (as under a pull or the
 * intake, off-loop-commit.ts), with `batches` commits of `rows` rows of `row` in its WAL.
 */
function databaseWithWal(dir: string, batches: number, rows: number, row: string) {
  const path = join(dir, 'x.db');
  const db = openDatabase({ path });
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (x TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let batch = 0; batch < batches; batch++) {
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(row);
    })();
  }
  return { path, db, insert };
}

describe('WalCheckpointer', () => {
  it('moves the WAL into the database file from a worker thread while the connection itself never checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-checkpointer-'));
    try {
      const { path, db } = databaseWithWal(dir, 1, 2000, 'y'.repeat(500));
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

  it('waits for its interval between checkpoints, unless a request asks for one now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-checkpointer-'));
    try {
      const { path, db, insert } = databaseWithWal(dir, 1, 2000, 'y'.repeat(500));
      const checkpointer = new WalCheckpointer(db, { intervalMs: 60_000 });
      const checkpointed = () => statSync(path).size;
      let before = checkpointed();
      checkpointer.request();
      // Its file grows while it copies; the checkpoint has ended when the worker has answered.
      await until('the first checkpoint', () => checkpointed() > before + 900_000 && checkpointer.state === 'idle');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run('z'.repeat(500));
      })();
      before = checkpointed();
      checkpointer.request();
      expect(checkpointer.state).toBe('scheduled');
      checkpointer.request({ now: true });
      expect(checkpointer.state).toBe('running');
      await until('the second checkpoint, a minute before its interval ends', () => checkpointed() > before + 900_000);
      checkpointer.closeSync();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the WAL of a large write shrink back to its limit once a checkpoint caught up, while the database stays open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-checkpointer-'));
    try {
      const { path, db, insert } = databaseWithWal(dir, 4, 5000, 'y'.repeat(4000));
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
      // On another connection, as the worker's checkpoints are.
      const other = new Database(path, { fileMustExist: true });
      const [result] = other.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      expect(result?.checkpointed).toBe(result?.log);
      other.close();
      insert.run('the next write');
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 20_001 });
      db.close();
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
