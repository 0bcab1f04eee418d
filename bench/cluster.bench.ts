/**
 * Cluster mode scaling: ingest records/s and webhooks/s with 1, 2 and 4 worker processes.
 *
 * For each worker count, a fresh cluster on the local PostgreSQL and Redis (its own
 * schema and key prefix, dropped afterwards; see test/cluster/cluster-fixture.ts): one
 * api process, one webhook-receiver and N `--roles inbound-worker,outbound-worker`
 * processes, every one the real CLI. The sandbox runs in this process.
 * - ingest: `--tenants` tenants each pull the sandbox's Salesforce Contacts (their own
 *   connection, their own entities); records/s = all tenants' records / wall time from
 *   the first sync request to the last run finished.
 * - webhooks: `--webhooks` issue edits in the sandbox, each delivered by GitHub (the
 *   sandbox) to the receiver, verified, stored, and turned by a worker into a targeted
 *   fetch and an entity write; webhooks/s = processed events / wall time from the first
 *   edit to the last event processed. `edits s` is when the last edit was answered: when
 *   it is close to `webhook s`, the edits (the sandbox's deliveries), not the workers, set the pace.
 * Every process shares the machine's cores with the others and with this one.
 *
 * Prints a table, then as its very last line
 * {"runs":[{"workers":1,"recordsPerSec":N,"webhooksPerSec":N},...]}.
 *
 *   node --import tsx bench/cluster.bench.ts [--people 3000] [--tenants 4] [--webhooks 1000] [--workers 1,2,4]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startCluster, until } from '../test/cluster/cluster-fixture.ts';
import { editIssues, seedWorkload, startPulls, waitForPulls } from '../test/cluster/cluster-workload.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '3000' },
    tenants: { type: 'string', default: '4' },
    webhooks: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '1,2,4' },
  },
});
const people = Number(values.people);
const tenants = Number(values.tenants);
const webhooks = Number(values.webhooks);
const workerCounts = values.workers.split(',').map(Number);

interface Run {
  workers: number;
  records: number;
  ingestS: number;
  recordsPerSec: number;
  webhooks: number;
  webhookS: number;
  /** When the last edit was answered: the sandbox delivers as it edits, so this bounds intake. */
  editsS: number;
  webhooksPerSec: number;
  statuses: string;
}

const runs: Run[] = [];
for (const workers of workerCounts) {
  const cluster = await startCluster({ sandboxSize: people, workerLeaseMs: 30_000, leaderLeaseMs: 15_000, logLevel: 'error' });
  try {
    const workload = await seedWorkload(cluster, tenants);
    const records = workload.contacts.length * tenants;
    const [api] = await Promise.all([
      cluster.spawn('api'),
      cluster.spawn('webhook-receiver', { port: Number(new URL(cluster.receiverUrl).port) }),
      ...Array.from({ length: workers }, () => cluster.spawn('inbound-worker,outbound-worker')),
    ]);

    const ingestStart = performance.now();
    await startPulls(api!.url!, workload);
    const statuses = await waitForPulls(cluster, workload, 1_800_000);
    const ingestS = (performance.now() - ingestStart) / 1000;

    const webhookStart = performance.now();
    await editIssues(cluster, workload, webhooks, 16, `bench ${workers}`);
    const editsS = (performance.now() - webhookStart) / 1000;
    const processed = await until('the webhooks processed', async () => {
      const [row] = await cluster.sql<{ done: number; open: number }>(
        "SELECT count(*) FILTER (WHERE status = 'processed')::int AS done, count(*) FILTER (WHERE status <> 'processed')::int AS open FROM webhook_events WHERE tenant_id = $1 AND event_type IS DISTINCT FROM 'ping'",
        [workload.github.tenantId],
      );
      return row && row.open === 0 && row.done >= webhooks * 0.99 ? row.done : null;
    }, 1_800_000);
    const webhookS = (performance.now() - webhookStart) / 1000;
    runs.push({
      workers, records, ingestS, recordsPerSec: Math.round(records / ingestS),
      webhooks: processed, webhookS, editsS, webhooksPerSec: Math.round(processed / webhookS), statuses: [...new Set(statuses)].join(','),
    });
    console.error(`workers=${workers}: ${records} records in ${ingestS.toFixed(1)} s, ${processed} webhooks in ${webhookS.toFixed(1)} s`);
  } finally {
    await cluster.close();
  }
}

const header = ['workers', 'records', 'ingest s', 'records/s', 'webhooks', 'edits s', 'webhook s', 'webhooks/s', 'runs'];
const rows = runs.map((run) => [run.workers, run.records, run.ingestS.toFixed(1), run.recordsPerSec, run.webhooks, run.editsS.toFixed(1), run.webhookS.toFixed(1), run.webhooksPerSec, run.statuses].map(String));
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
const line = (cells: string[]): string => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(`(load average at the end: ${loadavg().map((load) => load.toFixed(1)).join(' ')}; every process shares this machine's cores)`);
console.log(JSON.stringify({ runs: runs.map(({ workers, recordsPerSec, webhooksPerSec }) => ({ workers, recordsPerSec, webhooksPerSec })) }));
