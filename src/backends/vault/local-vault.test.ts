import { AsyncResource } from 'node:async_hooks';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecretStoreContract } from '../../ports/contracts/secret-store.contract.ts';
import { ManualClock } from '../memory/clock.ts';
import { openSqlite, type SqliteHandle } from '../sqlite/database.ts';
import type { Repositories, SecretRowRepository } from '../../ports/store.ts';
import { SqliteStore } from '../sqlite/store.ts';
import { LocalVault } from './local-vault.ts';
import { loadOrCreateKeyring, type LocalKeyring } from './master-keyring.ts';

const START = Date.UTC(2026, 0, 1);

interface Setup {
  dir: string;
  dbFile: string;
  keyFile: string;
  handle: SqliteHandle;
  store: SqliteStore;
  keyring: LocalKeyring;
  vault: LocalVault;
  clock: ManualClock;
}

async function setUp(options: { batchSize?: number; envValue?: string } = {}): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-vault-'));
  const dbFile = join(dir, 'data', 'tributary.db');
  const keyFile = join(dir, 'data', 'master.key');
  const clock = new ManualClock(START);
  const handle = openSqlite({ path: dbFile });
  const store = new SqliteStore(handle, { clock });
  await store.migrate();
  const keyring = await loadOrCreateKeyring({ file: keyFile, envValue: options.envValue, clock });
  const vault = new LocalVault({ store, keyring, clock, rotationBatchSize: options.batchSize });
  return { dir, dbFile, keyFile, handle, store, keyring, vault, clock };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

async function tearDown(setup: Setup): Promise<void> {
  await setup.store.close();
  rmSync(setup.dir, { recursive: true, force: true });
}

runSecretStoreContract('LocalVault over SqliteStore, file-backed keyring', async () => {
  const setup = await setUp();
  return { secrets: setup.vault, close: () => tearDown(setup) };
});

describe('LocalVault', () => {
  let s: Setup;

  beforeEach(async () => {
    s = await setUp({ batchSize: 7 });
  });

  afterEach(async () => {
    await tearDown(s);
  });

  function row(ref: string): { tenant_id: string; key_version: number; wrapped_key: Buffer; ciphertext: Buffer } {
    const found = s.handle.db.prepare('SELECT tenant_id, key_version, wrapped_key, ciphertext FROM secrets WHERE ref = ?').get(ref);
    if (found === undefined) throw new Error(`no row ${ref}`);
    return found as ReturnType<typeof row>;
  }

  function flipStoredByte(ref: string, column: 'wrapped_key' | 'ciphertext', index: number): void {
    const bytes = Buffer.from(row(ref)[column]);
    bytes[index] = (bytes[index] ?? 0) ^ 0x80;
    s.handle.db.prepare(`UPDATE secrets SET ${column} = ? WHERE ref = ?`).run(bytes, ref);
  }

  it('creates the master key file with mode 0600', () => {
    expect(statSync(s.keyFile).mode & 0o777).toBe(0o600);
  });

  it('stores no plaintext in the database file', async () => {
    const value = 'PLAINTEXT-MARKER-8c1f5e0a';
    const { ref } = await s.vault.put('ten_a', 'marker', value);
    s.handle.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(s.dbFile).includes(Buffer.from(value))).toBe(false);
    expect(row(ref).ciphertext.includes(Buffer.from(value))).toBe(false);
  });

  it('fails with SECRET_DECRYPT_FAILED when one byte of the stored ciphertext is flipped', async () => {
    const value = 'ghp_tamper_target_value';
    const { ref } = await s.vault.put('ten_a', 'gh', value);
    flipStoredByte(ref, 'ciphertext', row(ref).ciphertext.length - 1);
    const error = await failure(s.vault.get('ten_a', ref));
    expect(error).toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain(s.keyring.current.key.toString('base64'));
  });

  it('fails with SECRET_DECRYPT_FAILED when one byte of the stored wrapped key is flipped', async () => {
    const { ref } = await s.vault.put('ten_a', 'gh', 'wrapped-key-tamper');
    flipStoredByte(ref, 'wrapped_key', 40);
    await expect(s.vault.get('ten_a', ref)).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
  });

  it('fails to decrypt a row moved to another tenant', async () => {
    const { ref } = await s.vault.put('ten_a', 'gh', 'moved');
    s.handle.db.prepare("UPDATE secrets SET tenant_id = 'ten_b' WHERE ref = ?").run(ref);
    await expect(s.vault.get('ten_a', ref)).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    await expect(s.vault.get('ten_b', ref)).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
  });

  it('fails to decrypt a row that claims a master key version nobody has', async () => {
    const { ref } = await s.vault.put('ten_a', 'gh', 'relabelled');
    s.handle.db.prepare('UPDATE secrets SET key_version = 9 WHERE ref = ?').run(ref);
    await expect(s.vault.get('ten_a', ref)).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED', details: { keyVersion: 9 } });
  });

  it('stamps times from the clock', async () => {
    const info = await s.vault.put('ten_a', 'l', 'v');
    expect(info.createdAt).toBe('2026-01-01T00:00:00.000Z');
    s.clock.advance(60_000);
    const updated = await s.vault.update('ten_a', info.ref, 'v2');
    expect(updated.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(updated.updatedAt).toBe('2026-01-01T00:01:00.000Z');
  });

  it('re-wraps every secret on rotation without touching values, readable after a restart', async () => {
    const tenants = ['ten_a', 'ten_b', 'ten_c'];
    const written = new Map<string, { tenantId: string; value: string; ciphertext: Buffer }>();
    for (let i = 0; i < 40; i += 1) {
      const tenantId = tenants[i % 3] as string;
      const value = `secret-${i}-${'x'.repeat(i)}`;
      const { ref } = await s.vault.put(tenantId, `label-${i}`, value);
      written.set(ref, { tenantId, value, ciphertext: row(ref).ciphertext });
    }

    const result = await s.vault.rotateMasterKey();

    expect(result).toEqual({ keyVersion: 2, rewrapped: 40 });
    const versions = s.handle.db.prepare('SELECT key_version AS v, COUNT(*) AS n FROM secrets GROUP BY key_version').all();
    expect(versions).toEqual([{ v: 2, n: 40 }]);
    for (const [ref, expected] of written) {
      expect(row(ref).ciphertext.equals(expected.ciphertext)).toBe(true);
      expect(await s.vault.get(expected.tenantId, ref)).toBe(expected.value);
    }

    // A process started afterwards, with the rotated key file, reads every secret.
    const restartedKeyring = await loadOrCreateKeyring({ file: s.keyFile });
    expect(restartedKeyring.versions()).toEqual([1, 2]);
    const restarted = new LocalVault({ store: s.store, keyring: restartedKeyring, clock: s.clock });
    for (const [ref, expected] of written) expect(await restarted.get(expected.tenantId, ref)).toBe(expected.value);

    expect(await s.vault.rotateMasterKey()).toEqual({ keyVersion: 3, rewrapped: 40 });
  });

  it('loses no secret written or updated while a rotation runs, by current or stale writers', async () => {
    const initial = await Promise.all(Array.from({ length: 30 }, (_, i) => s.vault.put('ten_a', `pre-${i}`, `pre-${i}`)));
    const expected = new Map(initial.map((info, i) => [info.ref, `pre-${i}`]));
    // A writer whose keyring predates the rotation, as another process's would: it keeps
    // writing under version 1 until it reloads.
    const stale = new LocalVault({ store: s.store, keyring: await loadOrCreateKeyring({ file: s.keyFile }), clock: s.clock });
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    const rotation = s.vault.rotateMasterKey();
    while (s.keyring.current.version < 2) await tick();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 30; i += 1) {
      const writer = i % 4 < 2 ? s.vault : stale;
      const run = async (): Promise<void> => {
        if (i % 2 === 0) {
          const ref = (initial[i] as { ref: string }).ref;
          await writer.update('ten_a', ref, `updated-${i}`);
          expected.set(ref, `updated-${i}`);
        } else {
          const { ref } = await writer.put('ten_a', `during-${i}`, `during-${i}`);
          expected.set(ref, `during-${i}`);
        }
      };
      writes.push(run());
      await tick();
    }
    const [result] = await Promise.all([rotation, ...writes]);

    expect(result.keyVersion).toBe(2);
    expect(expected.size).toBe(45);
    for (const [ref, value] of expected) expect(await s.vault.get('ten_a', ref)).toBe(value);
    const rows = s.handle.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM secrets').get();
    expect(rows?.n).toBe(45);
    // Whatever the stale writer wrote after the last batch is caught by the next run.
    await s.vault.rotateMasterKey();
    const leftBehind = s.handle.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM secrets WHERE key_version < 3').get();
    expect(leftBehind?.n).toBe(0);
  });

  it('never overwrites an update that lands between reading a batch and re-wrapping it', async () => {
    const refs = [];
    for (let i = 0; i < 5; i += 1) refs.push((await s.vault.put('ten_a', `r${i}`, `old-${i}`)).ref);
    // The real store, with a hook that lets a writer in at the exact moment the rotation
    // has read its first batch: the worst moment for a lost update.
    let update: Promise<unknown> | undefined;
    // Bound here, so the writer runs as an outside request would: not in the rotation's transaction context.
    const startUpdate = AsyncResource.bind((ref: string) => {
      update = s.vault.update('ten_a', ref, 'updated mid-batch');
    });
    const hook = (inner: SecretRowRepository): SecretRowRepository => ({
      insert: (row) => inner.insert(row),
      get: (tenantId, ref) => inner.get(tenantId, ref),
      replace: (row) => inner.replace(row),
      delete: (tenantId, ref) => inner.delete(tenantId, ref),
      listWrappedBefore: async (keyVersion, limit) => {
        const rows = await inner.listWrappedBefore(keyVersion, limit);
        const target = rows.at(-1);
        if (update === undefined && target !== undefined) startUpdate(target.ref);
        return rows;
      },
    });
    const hooked = {
      secrets: hook(s.store.secrets),
      transaction: <T>(fn: (tx: Repositories) => Promise<T>): Promise<T> => s.store.transaction((tx) => fn({ ...tx, secrets: hook(tx.secrets) })),
    };
    const rotating = new LocalVault({ store: hooked, keyring: s.keyring, clock: s.clock });

    expect(await rotating.rotateMasterKey()).toMatchObject({ keyVersion: 2 });
    await update;

    const values = await Promise.all(refs.map((ref) => s.vault.get('ten_a', ref)));
    expect(values.filter((v) => v === 'updated mid-batch')).toHaveLength(1);
    expect(values.filter((v) => v.startsWith('old-'))).toHaveLength(4);
  });

  it('reads rows another process re-wrapped, by reloading the key file', async () => {
    const { ref } = await s.vault.put('ten_a', 'shared', 'shared value');
    // A second process: its own connection, its own keyring loaded before the rotation.
    const otherHandle = openSqlite({ path: s.dbFile });
    const otherStore = new SqliteStore(otherHandle, { clock: s.clock });
    const otherKeyring = await loadOrCreateKeyring({ file: s.keyFile });
    const other = new LocalVault({ store: otherStore, keyring: otherKeyring, clock: s.clock });
    try {
      await s.vault.rotateMasterKey();
      expect(otherKeyring.get(2)).toBeUndefined();
      expect(await other.get('ten_a', ref)).toBe('shared value');
      expect(otherKeyring.current.version).toBe(2);
      // And what the stale process wrote under version 1 meanwhile stays readable here.
      const stale = new LocalVault({ store: otherStore, keyring: await loadOrCreateKeyring({ file: s.keyFile }), clock: s.clock });
      const written = await stale.put('ten_a', 'late', 'late value');
      expect(await s.vault.get('ten_a', written.ref)).toBe('late value');
    } finally {
      await otherStore.close();
    }
  });

  it('stops a rotation at a row it cannot unwrap, naming the ref, and finishes once it is gone', async () => {
    const good = await s.vault.put('ten_a', 'good', 'good value');
    const { ref } = await s.vault.put('ten_a', 'bad', 'bad value');
    flipStoredByte(ref, 'wrapped_key', 20);
    const error = await failure(s.vault.rotateMasterKey());
    expect(error).toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    expect(error.message).toContain(ref);
    await s.vault.delete('ten_a', ref);
    const result = await s.vault.rotateMasterKey();
    expect(result.rewrapped).toBe(1);
    expect(await s.vault.get('ten_a', good.ref)).toBe('good value');
  });
});

describe('LocalVault with an env-backed keyring', () => {
  it('completes a rotation the operator began by adding a version to TRIBUTARY_MASTER_KEY', async () => {
    const { randomBytes } = await import('node:crypto');
    const v1 = randomBytes(32).toString('base64');
    const first = await setUp({ envValue: v1 });
    try {
      const { ref } = await first.vault.put('ten_a', 'l', 'env secret');
      expect(row(first.handle, ref)).toBe(1);
      const rotatedKeyring = await loadOrCreateKeyring({ file: first.keyFile, envValue: `2:${randomBytes(32).toString('base64')},1:${v1}` });
      const restarted = new LocalVault({ store: first.store, keyring: rotatedKeyring, clock: first.clock });
      expect(await restarted.rotateMasterKey()).toEqual({ keyVersion: 2, rewrapped: 1 });
      expect(row(first.handle, ref)).toBe(2);
      expect(await restarted.get('ten_a', ref)).toBe('env secret');
      await expect(first.keyring.rotate()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      await tearDown(first);
    }

    function row(handle: SqliteHandle, ref: string): number | undefined {
      return handle.db.prepare<[string], { key_version: number }>('SELECT key_version FROM secrets WHERE ref = ?').get(ref)?.key_version;
    }
  });
});
