import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLocksContract } from '../../ports/contracts/locks.contract.ts';
import { ManualClock, systemClock } from '../memory/clock.ts';
import { openSqlite, type SqliteHandle } from './database.ts';
import { SqliteLocks } from './locks.ts';
import { migrate } from './migrate.ts';
import { SqliteStore } from './store.ts';

const run = promisify(execFile);
const PROJECT_ROOT = new URL('../../../', import.meta.url).pathname;
const module = (name: string): string => new URL(name, import.meta.url).href;
const START = Date.UTC(2026, 0, 1);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-locks-'));
}

/** Waits until `count` children have written their `ready-N` file, or the children are gone. */
async function allReady(dir: string, count: number, childrenGone: () => boolean): Promise<void> {
  while (readdirSync(dir).filter((f) => f.startsWith('ready-')).length < count && !childrenGone()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function openMigrated(file: string): SqliteHandle {
  const handle = openSqlite({ path: file });
  migrate(handle.db);
  return handle;
}

runLocksContract('SqliteLocks, two connections on one file', async () => {
  const dir = tempDir();
  const file = join(dir, 'tributary.db');
  const clock = new ManualClock(START);
  const first = openMigrated(file);
  const second = openSqlite({ path: file });
  return {
    locks: new SqliteLocks(first, { clock }),
    second: new SqliteLocks(second, { clock }),
    advance: async (ms) => {
      clock.advance(ms);
    },
    close: async () => {
      first.close();
      second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteLocks', () => {
  let dir: string;
  let handle: SqliteHandle;
  let clock: ManualClock;
  let locks: SqliteLocks;

  beforeEach(() => {
    dir = tempDir();
    handle = openMigrated(join(dir, 'tributary.db'));
    clock = new ManualClock(START);
    locks = new SqliteLocks(handle, { clock });
  });

  afterEach(() => {
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('expires a lease exactly ttl after the clock time of acquisition', async () => {
    const lease = await locks.acquire('l', 'a', 1_000);
    expect(lease).toEqual({ name: 'l', owner: 'a', token: 1, expiresAt: START + 1_000 });
    clock.advance(999);
    expect(await locks.holder('l')).not.toBeNull();
    clock.advance(1);
    expect(await locks.holder('l')).toBeNull();
  });

  it('counts tokens up by one per change of hands, and keeps the count after release', async () => {
    const tokens: number[] = [];
    for (const owner of ['a', 'b', 'a', 'c']) {
      const lease = await locks.acquire('l', owner, 1_000);
      tokens.push(lease?.token ?? -1);
      await locks.release(lease as NonNullable<typeof lease>);
    }
    expect(tokens).toEqual([1, 2, 3, 4]);
    expect(handle.db.prepare('SELECT name, owner, token, expires_at FROM locks').all()).toEqual([
      { name: 'l', owner: null, token: 4, expires_at: null },
    ]);
  });

  it('fails at once instead of deadlocking when called inside a store transaction on its handle', async () => {
    const store = new SqliteStore(handle, { clock });
    await expect(store.transaction(() => locks.acquire('l', 'a', 1_000))).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await locks.acquire('l', 'a', 1_000)).not.toBeNull();
  });

  it('reports a closed database as STORE_UNAVAILABLE', async () => {
    handle.close();
    await expect(locks.acquire('l', 'a', 1_000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('hands a contended lock to one process at a time, each with a new token', async () => {
    const file = join(dir, 'tributary.db');
    const script = join(dir, 'child.mjs');
    const winsEach = 15;
    // The test holds the lock first, and lets go only once every child has been turned
    // away: from then on all three are polling, so the hand-offs are real races. Each
    // child loops until it has held the lock `winsEach` times, ~2 ms each; while holding,
    // the lock must still be its own (nobody else got in).
    const realTimeLocks = new SqliteLocks(handle, { clock: systemClock });
    const first = await realTimeLocks.acquire('hot', 'test', 60_000);
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';
       const { openSqlite } = await import(${JSON.stringify(module('./database.ts'))});
       const { SqliteLocks } = await import(${JSON.stringify(module('./locks.ts'))});
       const { systemClock } = await import(${JSON.stringify(module('../memory/clock.ts'))});
       const handle = openSqlite({ path: ${JSON.stringify(file)} });
       const locks = new SqliteLocks(handle, { clock: systemClock });
       const owner = 'child-' + process.argv[2];
       const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
       const tokens = [];
       let refused = 0;
       let intruded = 0;
       while (tokens.length < ${winsEach}) {
         const lease = await locks.acquire('hot', owner, 60000);
         if (lease === null) {
           if (refused++ === 0) writeFileSync(${JSON.stringify(dir)} + '/ready-' + process.argv[2], '');
           await sleep(1);
           continue;
         }
         tokens.push(lease.token);
         await sleep(2);
         if ((await locks.holder('hot'))?.token !== lease.token) intruded++;
         await locks.release(lease);
       }
       handle.close();
       process.stdout.write(JSON.stringify({ tokens, refused, intruded }));`,
    );
    const children = [1, 2, 3].map((k) => run(process.execPath, ['--import', 'tsx', script, String(k)], { cwd: PROJECT_ROOT, timeout: 40_000 }));
    const finished = Promise.all(children);
    let settled = false;
    finished.then(
      () => (settled = true),
      () => (settled = true), // a child that fails is reported by `await finished` below, not as unhandled
    );
    await allReady(dir, 3, () => settled);
    await realTimeLocks.release(first as NonNullable<typeof first>);
    const results = (await finished).map((r) => JSON.parse(r.stdout) as { tokens: number[]; refused: number; intruded: number });
    const tokens = results.flatMap((r) => r.tokens).sort((a, b) => a - b);
    expect(tokens).toEqual(Array.from({ length: 3 * winsEach }, (_, i) => i + 2));
    expect(results.map((r) => r.intruded)).toEqual([0, 0, 0]);
  });
});
