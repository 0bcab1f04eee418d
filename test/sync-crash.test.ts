/**
 * Crash resume: a child process running a 5,000-Contact pull is killed with SIGKILL in
 * the middle of the run; a new run resumes from the last committed cursor, and the store
 * then holds exactly the sandbox's Contacts, each once. Then the chaos bar: ten kills
 * during a 20,000-Contact sync. Workers run as bundles (fixtures/bundled-script.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledScript } from './fixtures/bundled-script.ts';
import { linkedEntities, sandboxRecords, startWorld, type Json, type World } from './sync-fixture.ts';

let world: World | null = null;
let child: ChildProcess | null = null;
const workers: ChildProcess[] = [];
afterEach(async () => {
  for (const proc of [child, ...workers.splice(0)]) {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
  child = null;
  await world?.close();
  world = null;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pull sync crash resume', () => {
  it('resumes from the last committed cursor after SIGKILL and ends with the sandbox data exactly, no duplicates', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 5600 });
    const contacts = (await world.control('/salesforce/Contact?limit=100000')).records as Json[];
    expect(contacts.length).toBeGreaterThanOrEqual(5000);
    const script = await bundledScript(fileURLToPath(new URL('./sync-crash.child.ts', import.meta.url)));
    const proc = spawn(process.execPath, [script, world.dbPath, world.sandboxUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    // Kill it once a third of the pages are committed: mid-run, with more pages to come.
    const killAtPage = Math.floor(contacts.length / 200 / 3);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = world.sql<{ pages: number }>("SELECT pages FROM sync_runs WHERE id = 'run_child'")[0];
      if (run && run.pages >= killAtPage) break;
      if (proc.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`child made no progress: ${stderr}`);
      await sleep(5);
    }
    proc.kill('SIGKILL');
    await exited;
    expect(proc.signalCode).toBe('SIGKILL');

    const killed = world.sql<{ status: string; pages: number; records_so_far: number }>("SELECT status, pages, records_so_far FROM sync_runs WHERE id = 'run_child'")[0]!;
    expect(killed.status).toBe('running');
    expect(killed.records_so_far).toBeLessThan(contacts.length);
    const committed = linkedEntities(world, 'Contact').size;
    expect(committed).toBe(killed.records_so_far); // the cursor and the data committed together

    const resumed = await world.run({ pageSize: 200, commitEveryRecords: 200 });
    expect(resumed.status).toBe('succeeded');
    // It continued where the killed run stopped instead of starting over.
    expect(resumed.records).toBeLessThanOrEqual(contacts.length - killed.records_so_far + 200);
    const linked = linkedEntities(world, 'Contact');
    expect([...linked.keys()].sort()).toEqual(contacts.map((c) => c.Id as string).sort());
    for (const c of contacts) expect(linked.get(c.Id)!.fields.familyName).toBe(c.LastName);
    expect(world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person'")[0]!.n).toBe(contacts.length);
    expect(world.sql<{ n: number }>("SELECT COUNT(DISTINCT entity_id) AS n FROM entity_links WHERE object = 'Contact'")[0]!.n).toBe(contacts.length);
  }, 90_000);
});

/**
 * The chaos bar: ten SIGKILLs at random points of a 20,000-Contact sync, each
 * killed worker replaced by a new process resuming the same run; then the eleventh runs
 * it to the end. The kill points are drawn at random over the run's records (each worker
 * is killed once the run's committed progress passes its point, after a random jitter
 * that lands the kill in a fetch, a mapping, a write or between), so every kill falls
 * mid-run however fast or loaded the machine is. To keep the test quick without
 * weakening it, the workers are bundled (one file to load) and the next worker warms up
 * (imports, store, token) while the current one runs; it starts only after the kill.
 */
describe('pull sync chaos', () => {
  it('survives ten SIGKILLs at random points of a 20,000-record sync with the sandbox data exactly, no duplicates', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 22_300 });
    const w = world;
    const contacts = await sandboxRecords(w, '/salesforce/Contact');
    expect(contacts.length).toBeGreaterThanOrEqual(20_000);
    const bundle = await bundledScript(fileURLToPath(new URL('./sync-crash.child.ts', import.meta.url)));
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Ten random points of the run, in order; none in its last eight pages (of 500), so no worker
    // can finish first. The jitter after a point (up to 120 ms) is time to write pages: with two
    // pages clear, one CI run's worker wrote both and ended the run before its kill.
    const killAt = Array.from({ length: 10 }, () => Math.floor(random() * (contacts.length - 4_000))).sort((a, b) => a - b);
    const progress = (): number => w.sql<{ records_so_far: number }>("SELECT records_so_far FROM sync_runs WHERE id = 'run_chaos'")[0]?.records_so_far ?? 0;
    const startWorker = () => {
      const proc = spawn(process.execPath, [bundle, w.dbPath, w.sandboxUrl, 'run_chaos', '500', 'wait'], { stdio: ['pipe', 'pipe', 'pipe'] });
      workers.push(proc);
      let stderr = '';
      proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const ready = new Promise<void>((resolve, reject) => {
        proc.stdout!.once('data', () => resolve());
        proc.once('exit', () => reject(new Error(`worker exited before it was ready: ${stderr}`)));
      });
      ready.catch(() => undefined);
      const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
      return { proc, ready, exited, stderr: () => stderr };
    };
    const killedAt: number[] = [];
    let next = startWorker();
    for (const point of killAt) {
      const current = next;
      await current.ready;
      current.proc.stdin!.end('go\n');
      next = startWorker();
      const deadline = Date.now() + 120_000;
      while (progress() < point) {
        if (current.proc.exitCode !== null) throw new Error(`worker exited early: ${current.stderr()}`);
        if (Date.now() > deadline) throw new Error(`worker made no progress: ${current.stderr()}`);
        await sleep(5);
      }
      await sleep(Math.floor(random() * 120));
      current.proc.kill('SIGKILL');
      await current.exited;
      expect(current.proc.signalCode).toBe('SIGKILL');
      killedAt.push(progress());
    }
    // Every kill landed mid-run: each at or past its point, none after the end.
    const before = w.sql<{ records_so_far: number; finished_at: string | null }>("SELECT records_so_far, finished_at FROM sync_runs WHERE id = 'run_chaos'")[0]!;
    killedAt.forEach((at, i) => expect(at).toBeGreaterThanOrEqual(killAt[i]!));
    expect(before.records_so_far).toBeLessThan(contacts.length);
    expect(before.finished_at).toBeNull();
    // The eleventh worker, already warm, finishes the run.
    await next.ready;
    next.proc.stdin!.end('go\n');
    await next.exited;
    expect(next.proc.exitCode, next.stderr()).toBe(0);
    const run = w.sql<{ status: string; records_created: number }>("SELECT status, records_created FROM sync_runs WHERE id = 'run_chaos'")[0]!;
    expect(run.status).toBe('succeeded');
    const linked = linkedEntities(w, 'Contact');
    expect([...linked.keys()].sort()).toEqual(contacts.map((c) => c.Id as string).sort());
    for (const c of contacts) expect(linked.get(c.Id)!.fields.familyName).toBe(c.LastName);
    expect(w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person'")[0]!.n).toBe(contacts.length);
    expect(w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entity_links WHERE object = 'Contact'")[0]!.n).toBe(contacts.length);
    expect(run.records_created).toBe(contacts.length);
  }, 300_000);
});
