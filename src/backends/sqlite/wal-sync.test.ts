import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { GroupSync, walFsync } from './wal-sync.ts';

/** An fsync whose start and end the test controls. */
function controlledFsync() {
  const started: { finish: (error?: Error) => void }[] = [];
  const fsync = () => new Promise<void>((resolve, reject) => started.push({ finish: (error) => (error ? reject(error) : resolve()) }));
  return { started, fsync };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('GroupSync', () => {
  it('serves a caller only with an fsync that started after it asked, and shares fsyncs among waiting callers', async () => {
    const { started, fsync } = controlledFsync();
    const sync = new GroupSync(fsync);
    const first = sync.sync();
    expect(started).toHaveLength(1);
    // These asked while the first fsync was running: their writes may have missed it.
    const second = sync.sync();
    const third = sync.sync();
    started[0]!.finish();
    await first;
    expect(await settled(second)).toBe(false);
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await Promise.all([second, third]);
    expect(started).toHaveLength(2);
  });

  it('passes an fsync failure to its callers, and the next caller gets a new fsync', async () => {
    const { started, fsync } = controlledFsync();
    const sync = new GroupSync(fsync);
    const failed = sync.sync();
    started[0]!.finish(new Error('EIO'));
    await expect(failed).rejects.toThrow('EIO');
    const next = sync.sync();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await next;
  });

  it('syncs a real WAL file, and stops once the database is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-wal-sync-'));
    try {
      const db = openDatabase({ path: join(dir, 'x.db') });
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      const fsync = walFsync(db);
      await fsync();
      db.close();
      await fsync();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
