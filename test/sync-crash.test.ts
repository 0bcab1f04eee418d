/**
 * Crash resume: a child process running a 5,000-Contact pull is killed with SIGKILL in
 * the middle of the run; a new run resumes from the last committed cursor, and the store
 * then holds exactly the sandbox's Contacts, each once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { linkedEntities, sandboxRecords, startWorld, type Json, type World } from './sync-fixture.ts';

let world: World | null = null;
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
    const script = fileURLToPath(new URL('./sync-crash.child.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', script, world.dbPath, world.sandboxUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
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
 * killed worker replaced by a new process resuming the same run. Slow (a minute or
 * more), so it runs only with TRIBUTARY_SYNC_CHAOS=1.
 */
describe.skipIf(process.env.TRIBUTARY_SYNC_CHAOS !== '1')('pull sync chaos (TRIBUTARY_SYNC_CHAOS=1: a minute or more)', () => {
  it('survives ten SIGKILLs at random points of a 20,000-record sync with the sandbox data exactly, no duplicates', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 22_300 });
    const contacts = await sandboxRecords(world, '/salesforce/Contact');
    expect(contacts.length).toBeGreaterThanOrEqual(20_000);
    const script = fileURLToPath(new URL('./sync-crash.child.ts', import.meta.url));
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let kill = 0; kill < 10; kill++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', script, world.dbPath, world.sandboxUrl, 'run_chaos', '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
      await new Promise<void>((resolve) => proc.stdout!.once('data', () => resolve()));
      await sleep(150 + Math.floor(random() * 700));
      proc.kill('SIGKILL');
      await exited;
    }
    // The children got somewhere, and none finished: every kill landed mid-run.
    const before = world.sql<{ records_so_far: number; finished_at: string | null }>("SELECT records_so_far, finished_at FROM sync_runs WHERE id = 'run_chaos'")[0]!;
    expect(before.records_so_far).toBeGreaterThan(0);
    expect(before.finished_at).toBeNull();
    const resumed = await world.run({ pageSize: 500, runId: 'run_chaos' });
    expect(resumed.status).toBe('succeeded');
    const linked = linkedEntities(world, 'Contact');
    expect([...linked.keys()].sort()).toEqual(contacts.map((c) => c.Id as string).sort());
    for (const c of contacts) expect(linked.get(c.Id)!.fields.familyName).toBe(c.LastName);
    expect(world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person'")[0]!.n).toBe(contacts.length);
    expect(resumed.counts.created).toBe(contacts.length);
  }, 300_000);
});
