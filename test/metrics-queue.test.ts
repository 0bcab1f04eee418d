import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { migrate } from '../src/backends/sqlite/migrate.ts';
import { TributaryError } from '../src/domain/errors.ts';
import { PrometheusMetrics, meteredQueue } from '../src/observability/index.ts';
import { SteppedClock, waitFor } from '../src/ports/contracts/job-queue.contract.ts';

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

let dir: string;
let handle: SqliteHandle;
let raw: SqliteJobQueue;
let clock: SteppedClock;
let metrics: PrometheusMetrics;
let queue: SqliteJobQueue;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-metrics-queue-'));
  handle = openSqlite({ path: join(dir, 'tributary.db') });
  migrate(handle.db);
  clock = new SteppedClock(Date.UTC(2026, 0, 1));
  raw = new SqliteJobQueue(handle, { clock, pollMs: 10, stopGraceMs: 1000 });
  metrics = new PrometheusMetrics({ defaultMetrics: false });
  queue = meteredQueue(raw, metrics, clock);
  metrics.watch({ queues: queue });
});

afterEach(async () => {
  await queue.close();
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('meteredQueue', () => {
  it("times each job's handler and its wait since enqueue, as an invocation of the queue's role", async () => {
    await queue.enqueue('sync-inbound', { n: 1 });
    clock.advance(2_000);
    let done = false;
    queue.consume('sync-inbound', async () => {
      clock.advance(300);
      done = true;
    }, { concurrency: 1 });
    await waitFor('the job to be handled', async () => done && (await queue.stats()).every((s) => s.running === 0 && s.ready === 0));
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_worker_job_duration_seconds_sum', { queue: 'sync-inbound', outcome: 'success' })).toBe(0.3);
    expect(sample(text, 'tributary_worker_job_wait_seconds_sum', { queue: 'sync-inbound' })).toBe(2);
    expect(sample(text, 'tributary_invocations_total', { role: 'inbound-worker', function: 'sync-inbound', outcome: 'success' })).toBe(1);
    expect(sample(text, 'tributary_queue_depth', { queue: 'sync-inbound' })).toBe(0);
  });

  it('counts a failure by its error code, as a dead letter when retrying cannot help, and rethrows it to the queue', async () => {
    await queue.enqueue('sync-outbound', { n: 1 });
    queue.consume('sync-outbound', async () => {
      throw new TributaryError('VALIDATION_FAILED', 'bad record');
    }, { concurrency: 1 });
    await waitFor('the dead letter', async () => (await queue.stats()).some((s) => s.queue === 'sync-outbound' && s.deadLetters === 1));
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_worker_job_duration_seconds_count', { queue: 'sync-outbound', outcome: 'dead_letter' })).toBe(1);
    expect(sample(text, 'tributary_invocations_total', { role: 'outbound-worker', outcome: 'failure' })).toBe(1);
    expect(sample(text, 'tributary_errors_total', { category: 'bad_data', code: 'VALIDATION_FAILED', source: 'outbound-worker' })).toBe(1);
    expect(sample(text, 'tributary_queue_jobs', { queue: 'sync-outbound', state: 'dead_letter' })).toBe(1);
    expect((await queue.listDeadLetters('sync-outbound'))[0]?.errorCode).toBe('VALIDATION_FAILED');
  });

  it('calls a transient failure with attempts left a retry', async () => {
    await queue.enqueue('webhook-events', { n: 1 }, { maxAttempts: 3 });
    let attempts = 0;
    queue.consume('webhook-events', async () => {
      attempts += 1;
      throw new Error('connection reset');
    }, { concurrency: 1 });
    await waitFor('the first attempt', () => attempts >= 1);
    await waitFor('the retry to be recorded', async () => sample(await metrics.scrape(), 'tributary_worker_job_duration_seconds_count', { queue: 'webhook-events', outcome: 'retry' }) === 1);
    // The handler's failure is committed by the queue's next group commit; wait for it.
    await waitFor('the retry to be committed', async () => sample(await metrics.scrape(), 'tributary_queue_jobs', { queue: 'webhook-events', state: 'delayed' }) === 1);
    const text = await metrics.scrape();
    expect(sample(text, 'tributary_errors_total', { code: 'UNCLASSIFIED', source: 'webhook-worker' })).toBe(1);
    expect(sample(text, 'tributary_queue_jobs', { queue: 'webhook-events', state: 'delayed' })).toBe(1);
  });
});
