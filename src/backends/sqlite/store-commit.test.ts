import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { openSqlite, type SqliteHandle } from './database.ts';
import { SqliteStore } from './store.ts';
import { walCheckpointerOf } from './off-loop-commit.ts';

const until = async (what: string, probe: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const tenant = (id: string) => ({ id, name: id, metadata: {}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });

// SqliteStore.transaction commits with the fsync and checkpoint off the event loop (off-loop-commit.ts).
describe('SqliteStore.transaction commits', () => {
  let dir: string;
  let handle: SqliteHandle;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-store-commit-'));
    handle = openSqlite({ path: join(dir, 'store.db') });
    store = new SqliteStore(handle, { clock: { now: () => Date.now() } });
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = () => ({
    synchronous: Number(handle.db.pragma('synchronous', { simple: true })),
    autocheckpoint: Number(handle.db.pragma('wal_autocheckpoint', { simple: true })),
  });

  it('leaves the connection at synchronous=FULL with its auto-checkpoint after a commit and after a rollback, for the queue and locks sharing it', async () => {
    const configured = settings();
    expect(configured.synchronous).toBe(2);
    await store.transaction(async (tx) => tx.tenants.insert(tenant('ten_a')));
    expect(settings()).toEqual(configured);
    await expect(store.transaction(async (tx) => {
      await tx.tenants.insert(tenant('ten_b'));
      throw new Error('the work failed');
    })).rejects.toThrow('the work failed');
    expect(settings()).toEqual(configured);
    expect(await store.tenants.get('ten_a')).not.toBeNull();
    expect(await store.tenants.get('ten_b')).toBeNull();
  });

  it('resolves with the commit visible to another connection, and moves the WAL into the database file without the connection checkpointing', async () => {
    const path = join(dir, 'store.db');
    const before = statSync(path).size;
    for (let page = 0; page < 5; page++) {
      await store.transaction(async (tx) => {
        for (let i = 0; i < 200; i++) await tx.tenants.insert({ ...tenant(`ten_${page}_${i}`), name: 'n'.repeat(1000) });
      });
    }
    const reader = new Database(path, { readonly: true });
    try {
      expect((reader.prepare('SELECT count(*) AS n FROM tenants').get() as { n: number }).n).toBe(1000);
    } finally {
      reader.close();
    }
    await until('the commits checkpointed into the database file', () => statSync(path).size > before + 900_000);
  });

  it('asks for the checkpoint of a large commit at once, and leaves a small one to the checkpointer\'s interval', async () => {
    // The first commit makes the checkpointer.
    await store.transaction(async (tx) => tx.tenants.insert(tenant('ten_first')));
    const checkpointer = walCheckpointerOf(handle.db);
    expect(checkpointer).not.toBeNull();
    const request = vi.spyOn(checkpointer!, 'request');
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) await tx.tenants.insert(tenant(`ten_small_${i}`));
    });
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++) await tx.tenants.insert(tenant(`ten_large_${i}`));
    });
    expect(request.mock.calls).toEqual([[{ now: false }], [{ now: true }]]);
  });
});
