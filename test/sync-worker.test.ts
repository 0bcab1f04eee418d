/**
 * Scheduled and manual runs through the real queue and locks: the scheduler enqueues a
 * due integration once (idempotency key per integration), the inbound worker runs it
 * under the integration's lease, and the run's result is stored; the next time comes
 * from the schedule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteLocks } from '../src/backends/sqlite/locks.ts';
import type { Consumer } from '../src/ports/job-queue.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { IntegrationService, createInboundHandler, runIdOfJob, scheduleDue, type SyncJobPayload } from '../src/sync/index.ts';
import { linkedEntities, startWorld, type World } from './sync-fixture.ts';

let world: World | null = null;
let queue: SqliteJobQueue | null = null;
let consumer: Consumer | null = null;
afterEach(async () => {
  await consumer?.stop(1000);
  await queue?.close();
  await world?.close();
  consumer = null;
  queue = null;
  world = null;
});

const waitFor = async <T>(probe: () => Promise<T | null | undefined>, ms = 20_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('scheduler and inbound worker', () => {
  it('enqueues a due integration once, runs it under its lease, and schedules the next run from the interval', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 100 });
    const w = world;
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const clock = { now: () => now };
    queue = new SqliteJobQueue(w.handle, { clock: { now: () => Date.now() }, pollMs: 10, flushMs: 1 });
    const locks = new SqliteLocks(w.handle, { clock: { now: () => Date.now() } });
    await w.store.integrations.update('ten_sync', 'int_sync', { schedule: { intervalMs: 60_000 } }, new Date(now).toISOString());
    await w.store.integrations.setNextScheduled('ten_sync', 'int_sync', new Date(now - 1).toISOString(), new Date(now).toISOString());

    expect(await scheduleDue({ store: w.store, queue, clock })).toBe(1);
    expect(await w.store.integrations.getNextScheduled('ten_sync', 'int_sync')).toBe(new Date(now + 60_000).toISOString());
    // Due again before the first job ran: the same job, not a second one.
    now += 61_000;
    expect(await scheduleDue({ store: w.store, queue, clock })).toBe(0);
    const stats = (await queue.stats()).find((s) => s.queue === 'sync-inbound')!;
    expect(stats.ready + stats.delayed).toBe(1);

    let seenJob = '';
    const handler = createInboundHandler({
      store: w.store, locks, clock: { now: () => Date.now() }, providerFor: (id) => (id === 'salesforce' ? salesforceProvider : undefined),
      contextFor: () => w.ctx,
    });
    consumer = queue.consume<SyncJobPayload>('sync-inbound', async (job, signal) => {
      seenJob = job.id;
      await handler(job, signal);
    }, { concurrency: 1 });
    const run = await waitFor(async () => {
      if (!seenJob) return null;
      const r = await w.store.runs.get('ten_sync', runIdOfJob(seenJob));
      return r?.finishedAt ? r : null;
    });
    expect(run).toMatchObject({ status: 'succeeded', type: 'scheduled' });
    const contacts = (await w.control('/salesforce/Contact?limit=1000')).total as number;
    expect(linkedEntities(w, 'Contact').size).toBe(contacts);
    // The run row is finished a moment before the handler lets the integration's lock go.
    expect(await waitFor(async () => ((await locks.holder('sync:int_sync')) === null ? 'released' : null))).toBe('released');
  });

  it('ends an announced manual run as failed, instead of leaving it queued, when the integration was disabled meanwhile', async () => {
    world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 20 });
    const w = world;
    queue = new SqliteJobQueue(w.handle, { clock: { now: () => Date.now() }, pollMs: 10, flushMs: 1 });
    const locks = new SqliteLocks(w.handle, { clock: { now: () => Date.now() } });
    const service = new IntegrationService({ store: w.store, queue, clock: { now: () => Date.now() }, providerFor: () => salesforceProvider });
    const { runId } = await service.startSync('ten_sync', 'int_sync');
    expect((await service.getRun('ten_sync', runId)).status).toBe('queued');
    await service.update('ten_sync', 'int_sync', { enabled: false });
    const handler = createInboundHandler({ store: w.store, locks, clock: { now: () => Date.now() }, providerFor: () => salesforceProvider, contextFor: () => w.ctx });
    consumer = queue.consume<SyncJobPayload>('sync-inbound', handler, { concurrency: 1 });
    const run = await waitFor(async () => {
      const r = await w.store.runs.get('ten_sync', runId);
      return r?.finishedAt ? r : null;
    });
    expect(run).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } });
    expect(linkedEntities(w, 'Contact').size).toBe(0);
  });
});
