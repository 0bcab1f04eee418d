/**
 * Crash during a push: a worker process is killed with SIGKILL after Salesforce applied
 * its PATCH and before the push was recorded (the read-back is held by a sandbox fault).
 * The job is redelivered once its lease expires; the retry's precondition fails (the
 * record moved, by our own write), the re-read finds both sides equal, and nothing more
 * is written: the change is applied once at the provider.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Consumer } from '../src/ports/job-queue.ts';
import { bundledScript } from './fixtures/bundled-script.ts';
import { SF, TENANT, startPushWorld, type Json, type PushWorld } from './push-fixture.ts';

let world: PushWorld | null = null;
let child: ChildProcess | null = null;
let consumer: Consumer | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await consumer?.stop(1000);
  consumer = null;
  await world?.close();
  world = null;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('push crash', () => {
  it('applies a change once at the provider when the worker is SIGKILLed between the provider write and its record', async () => {
    world = await startPushWorld();
    const w = world;
    await w.pull('salesforce');
    await w.drain();
    await w.advance(5_000);
    const [link] = w.sql<{ entity_id: string; record_id: string }>("SELECT entity_id, record_id FROM entity_links WHERE connection_id = ? AND object = 'Contact' AND tombstoned_at IS NULL ORDER BY id LIMIT 1", SF.connection);
    await w.clearRequests();
    // Hold the read-back that follows the PATCH: the worker dies while it waits.
    await w.control('/faults', 'POST', { provider: 'salesforce', kind: 'slow', method: 'GET', path: `/sobjects/Contact/${link!.record_id}$`, delayMs: 60_000 });
    await w.writes.update(TENANT, link!.entity_id, { fields: { title: 'Killed Once' } });
    const [row] = await w.store.outbox.list(TENANT, { pending: true });

    const script = await bundledScript(fileURLToPath(new URL('./push-crash.child.ts', import.meta.url)));
    const proc = spawn(process.execPath, [script, w.dbPath, w.sandboxUrl, '1500'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    while ((await w.requests('salesforce', 'PATCH')).filter((r: Json) => r.status === 204).length === 0) {
      if (proc.exitCode !== null) throw new Error(`worker exited early: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`worker never pushed: ${stderr}`);
      await sleep(20);
    }
    proc.kill('SIGKILL');
    await exited;
    expect(proc.signalCode).toBe('SIGKILL');
    expect((await w.store.outbox.get(TENANT, row!.id))?.processedAt).toBeNull();
    await w.control('/faults', 'DELETE');

    // After the restart: the job comes back when the dead worker's job lease runs out, and
    // runs once its per-entity push lease (60 s) has expired too.
    await w.advance(65_000);
    consumer = w.queue.consume('sync-outbound', w.handler, { concurrency: 1 });
    for (let i = 0; i < 400 && (await w.store.outbox.get(TENANT, row!.id))?.processedAt == null; i += 1) await sleep(50);
    const processed = await w.store.outbox.get(TENANT, row!.id);
    expect(processed?.processedAt).not.toBeNull();
    const patches = await w.requests('salesforce', 'PATCH');
    expect(patches.map((r: Json) => r.status)).toEqual([204, 412]);
    expect(processed?.outcome).toMatchObject({ links: [expect.objectContaining({ status: 'in_sync', preconditionFailures: 1 })] });
    const contact = ((await w.control('/salesforce/Contact?limit=100000')).records as Json[]).find((c) => c.Id === link!.record_id);
    expect(contact.Title).toBe('Killed Once');
    // The push was recorded: the next pull sees our write as nothing new.
    await w.advance(5_000);
    expect((await w.pull('salesforce')).counts).toMatchObject({ created: 0, updated: 0 });
  }, 120_000);
});
