import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { WAL_SIZE_LIMIT_BYTES, openDatabase } from './database.ts';

describe('openDatabase', () => {
  it('lets the WAL of a large write shrink back to its limit once a checkpoint caught up, while the database stays open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-database-'));
    try {
      const path = join(dir, 'x.db');
      const db = openDatabase({ path });
      // As under a pull: the connection never checkpoints itself (off-loop-commit.ts).
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE t (x TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      const row = 'y'.repeat(4000);
      for (let batch = 0; batch < 4; batch++) {
        db.transaction(() => {
          for (let i = 0; i < 5000; i++) insert.run(row);
        })();
      }
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
      // The checkpoint runs on another connection, as the worker-thread checkpointer's does.
      const checkpointer = new Database(path, { fileMustExist: true });
      const [result] = checkpointer.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      expect(result?.checkpointed).toBe(result?.log);
      checkpointer.close();
      insert.run('the next write');
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 20_001 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
