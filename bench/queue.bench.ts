/**
 * Throughput of the embedded durable queue (SqliteJobQueue) with durable commits
 * (WAL, synchronous=FULL: every commit is an fsync) on a temp-file database.
 *
 * A producer enqueues N jobs in batches (enqueueMany, as the scheduler or a webhook
 * burst would) while consumers take them with realistic concurrency: every handler
 * awaits a simulated I/O of `--work-ms`. Producer and consumers run at the same time,
 * in one process, as the embedded mode runs every role. A run ends when every
 * handler has finished AND its acknowledgement is committed (the consumers' stop()
 * returns only then), and the bench checks that no job is left in the table.
 *
 * Figures: enqueue/s = N / time until the last enqueueMany resolved; consume/s =
 * N / time from the first handler start to the last acknowledgement; the headline,
 * jobs/s = N / wall time from the first enqueue to the last acknowledgement (each
 * job enqueued AND consumed within it). Latency is enqueue (before its commit) to
 * handler start.
 *
 * Prints a table, then as its very last line one JSON object {"jobsPerSec": N}.
 *
 *   node --import tsx bench/queue.bench.ts [--jobs 50000] [--batch 500]
 *        [--queues 2] [--concurrency 64] [--work-ms 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { migrate } from '../src/backends/sqlite/migrate.ts';
import { QUEUE_NAMES, type QueueName } from '../src/ports/job-queue.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '500' },
    queues: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '64' },
    'work-ms': { type: 'string', default: '1' },
  },
});
const JOBS = Number(values.jobs);
const BATCH = Number(values.batch);
const QUEUES = QUEUE_NAMES.slice(0, Math.min(QUEUE_NAMES.length, Math.max(1, Number(values.queues))));
const CONCURRENCY = Number(values.concurrency);
const WORK_MS = Number(values['work-ms']);

const clock = { now: () => Date.now() };
const dir = mkdtempSync(join(tmpdir(), 'tributary-queue-bench-'));
const handle = openSqlite({ path: join(dir, 'bench.db') });
migrate(handle.db);
const synchronous = handle.db.pragma('synchronous', { simple: true });
const journal = handle.db.pragma('journal_mode', { simple: true });
const queue = new SqliteJobQueue(handle, { clock });

const latencies = new Float64Array(JOBS);
let started = 0;
let handled = 0;
let firstStart = 0;
let allHandled: () => void = () => undefined;
const everyJobHandled = new Promise<void>((resolve) => (allHandled = resolve));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function handler(job: { enqueuedAt: number }): Promise<void> {
  const now = Date.now();
  if (firstStart === 0) firstStart = performance.now();
  latencies[started] = now - job.enqueuedAt;
  started += 1;
  if (WORK_MS > 0) await sleep(WORK_MS);
  handled += 1;
  if (handled === JOBS) allHandled();
}

async function produce(): Promise<number> {
  for (let start = 0; start < JOBS; start += BATCH) {
    const size = Math.min(BATCH, JOBS - start);
    const target: QueueName = QUEUES[(start / BATCH) % QUEUES.length] ?? 'sync-inbound';
    await queue.enqueueMany(
      target,
      Array.from({ length: size }, (_, i) => ({
        payload: { tenantId: 'ten_bench', integrationId: `int_${(start + i) % 97}`, cursor: start + i },
        options: { correlationId: `req_${start + i}` },
      })),
    );
  }
  return performance.now();
}

const t0 = performance.now();
const consumers = QUEUES.map((name) => queue.consume(name, handler, { concurrency: CONCURRENCY }));
const enqueueDone = await produce();
await everyJobHandled;
await Promise.all(consumers.map((c) => c.stop(30_000)));
const end = performance.now();

const left = (await queue.stats()).reduce((sum, s) => sum + s.ready + s.delayed + s.running + s.deadLetters, 0);
await queue.close();
handle.close();
rmSync(dir, { recursive: true, force: true });
if (left !== 0 || handled !== JOBS) {
  console.error(`FAILED: ${handled} of ${JOBS} handled, ${left} jobs left in the database`);
  process.exit(1);
}

const sorted = Array.from(latencies).sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const seconds = (ms: number) => ms / 1000;
const enqueuePerSec = JOBS / seconds(enqueueDone - t0);
const consumePerSec = JOBS / seconds(end - firstStart);
const jobsPerSec = JOBS / seconds(end - t0);

const rows: [string, string][] = [
  ['database', `temp file, journal_mode=${String(journal)}, synchronous=${String(synchronous)} (2 = FULL)`],
  ['jobs', `${JOBS} in batches of ${BATCH} over ${QUEUES.length} queue(s): ${QUEUES.join(', ')}`],
  ['consumers', `${QUEUES.length} x concurrency ${CONCURRENCY}, handler awaits ${WORK_MS} ms`],
  ['wall time', `${seconds(end - t0).toFixed(2)} s`],
  ['enqueue', `${Math.round(enqueuePerSec)} jobs/s`],
  ['consume', `${Math.round(consumePerSec)} jobs/s`],
  ['combined (enqueued and consumed)', `${Math.round(jobsPerSec)} jobs/s`],
  ['latency enqueue -> handler p50', `${pct(50)} ms`],
  ['latency enqueue -> handler p99', `${pct(99)} ms`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('SqliteJobQueue throughput');
for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
console.log(JSON.stringify({ jobsPerSec: Math.round(jobsPerSec) }));
