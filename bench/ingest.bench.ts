/**
 * Ingest throughput of the pull engine: ~100,000 Salesforce Contacts from the sandbox
 * into entities through `runPull` (the same loop the inbound worker runs: paging,
 * mapping, dedup, entity writes, cursor commits) on a temp-file SQLite store.
 *
 * The sandbox runs in a CHILD process (`tributary sandbox`), so its CPU (SOQL paging,
 * JSON encoding) is not counted against the sync; on a 2-core machine they still
 * share the cores. The provider HTTP client is the real one (egress policy, retries),
 * with a token the sandbox minted; no rate limiter (the bench measures the engine).
 *
 * Figures: records/s = records written / wall time of runPull; peak RSS = the highest
 * of process.memoryUsage().rss sampled every 50 ms and resourceUsage().maxRSS (which
 * includes start-up). The table also shows the CPU time of both processes, the main
 * thread's time on a core and waiting for one, and the bytes this one wrote and read (on Linux):
 * they vary far less than the wall time on a shared machine, and say where it went.
 * Run under `--max-old-space-size=160` (npm run bench:ingest) so a sync that held the
 * whole set would fail rather than pass slowly, and with the flags every Tributary process
 * runs with (`--v8-pool-size=0`, docs/runtime.md).
 *
 * Prints a table, then as its very last line {"recordsPerSec": N, "peakRssMb": N}. With
 * `--profile` it also shows where the main thread's time went, by stage (stage-profile.ts);
 * sampling costs a few percent, so the figures of a profiled run are not the bench's.
 *
 *   node --max-old-space-size=160 --v8-pool-size=0 --import tsx bench/ingest.bench.ts [--contacts 100000] [--page-size 2000] [--profile]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import type { Clock } from '../src/ports/clock.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { objectOf, runPull } from '../src/sync/index.ts';
import { startStageProfile } from './stage-profile.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
  },
});
const contacts = Number(values.contacts);
const pageSize = Number(values['page-size']);
// The sandbox holds about 90% of its people as Contacts.
const size = Math.ceil(contacts / 0.9) + 500;

const BIN = join(import.meta.dirname, '..', 'bin', 'tributary.js');
const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--size', String(size), '--seed', values.seed, '--rate-limit-scale', '1000'], { stdio: ['ignore', 'ignore', 'pipe'] });
/** A figure read from Linux's /proc: `parse`'s answer for the file's text, or null elsewhere (no such file). */
function fromProc<T>(path: string, parse: (text: string) => T | null): T | null {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
/** The sandbox child's CPU time so far (user + system), in ms. */
const childCpuMs = (): number | null => fromProc(`/proc/${child.pid}/stat`, (text) => {
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
  const fields = text.split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
});
/** Bytes this process has passed to write(2) and its kin (`wchar`) and taken from read(2) and its kin (`rchar`) so far. */
const bytesMoved = (): { written: number; read: number } | null => fromProc('/proc/self/io', (text) => {
  const wchar = /^wchar: (\d+)$/m.exec(text)?.[1];
  const rchar = /^rchar: (\d+)$/m.exec(text)?.[1];
  return wchar === undefined || rchar === undefined ? null : { written: Number(wchar), read: Number(rchar) };
});
/**
 * The main thread's time on a core and waiting for one so far, in ms (schedstat is in
 * ns). The wait is the share the other threads (V8's helpers, the checkpointer, the
 * sandbox) took from the pull loop.
 */
const mainThreadMs = (): { running: number; waiting: number } | null => fromProc(`/proc/${process.pid}/task/${process.pid}/schedstat`, (text) => {
  const [running, waiting] = text.split(' ').map(Number);
  return running === undefined || waiting === undefined || !Number.isFinite(running + waiting) ? null : { running: running / 1e6, waiting: waiting / 1e6 };
});
const killChild = (): void => {
  if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('exit', killChild);

const seedStart = performance.now();
const base = await new Promise<string>((resolve, reject) => {
  let text = '';
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const match = /Sandbox running at (http:\/\/\S+?)[\s(]/.exec(text);
    if (match?.[1]) resolve(match[1]);
  });
  child.on('exit', (code) => reject(new Error(`the sandbox exited (${code}) before listening: ${text}`)));
});
const seedMs = performance.now() - seedStart;

const dir = mkdtempSync(join(tmpdir(), 'tributary-ingest-'));
const handle = openSqlite({ path: join(dir, 'tributary.db') });
const clock: Clock = { now: () => Date.now() };
const store = new SqliteStore(handle, { clock });
await store.migrate();

const tenantId = 'ten_bench';
const connectionId = 'con_bench';
const now = new Date().toISOString();
const mapping = defaultMapping('salesforce', 'Contact')!;
await store.tenants.insert({ id: tenantId, name: 'Ingest bench', metadata: {}, createdAt: now, updatedAt: now });
await store.connections.insert({ id: connectionId, tenantId, provider: 'salesforce', name: 'sandbox', status: 'active', baseUrl: `${base}/salesforce`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
const integration = {
  id: 'int_bench', tenantId, connectionId, object: 'Contact', direction: 'pull' as const, mapping: mapping as unknown as Record<string, unknown>,
  mappingVersion: 1, schedule: null, priority: 'normal' as const, dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true,
  cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
};
await store.integrations.insert(integration, null);

const mint = async (): Promise<string> => {
  const response = await fetch(`${base}/_sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'salesforce' }) });
  return ((await response.json()) as { accessToken: string }).accessToken;
};
let token = await mint();
const connection = { id: connectionId, tenantId, baseUrl: `${base}/salesforce`, settings: {} };
const http = createProviderHttp({
  provider: salesforceProvider,
  connection,
  tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => (token = await mint()) },
  egress: { allowPrivate: true },
});

const startRss = process.memoryUsage().rss;
let peakRss = startRss;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const memory = process.memoryUsage();
  peakRss = Math.max(peakRss, memory.rss);
  peakHeap = Math.max(peakHeap, memory.heapUsed);
}, 50);
const cpuBefore = process.cpuUsage();
const sandboxCpuBefore = childCpuMs();
const movedBefore = bytesMoved();
const mainBefore = mainThreadMs();

const stopProfile = values.profile ? await startStageProfile() : null;
const started = performance.now();
const outcome = await runPull({
  store, clock, integration, mapping, object: objectOf(salesforceProvider, 'Contact')!, ctx: { http, connection, now: () => clock.now() },
  runId: 'run_bench', trigger: 'manual', pageSize,
});
const elapsedMs = performance.now() - started;
const stages = await stopProfile?.();
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const sandboxCpuAfter = childCpuMs();
const movedAfter = bytesMoved();
const mainAfter = mainThreadMs();
const sandboxCpuMs = sandboxCpuBefore === null || sandboxCpuAfter === null ? null : sandboxCpuAfter - sandboxCpuBefore;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);

const entities = (handle.db.prepare('SELECT count(*) AS n FROM entities WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
await store.close();
rmSync(dir, { recursive: true, force: true });
killChild();

const recordsPerSec = Math.round(outcome.records / (elapsedMs / 1000));
const peakRssMb = Math.round(peakRss / 1024 / 1024);
const rows: [string, string][] = [
  ['sandbox seed (child process)', `${(seedMs / 1000).toFixed(1)} s for ${size} people`],
  ['run status', outcome.status + (outcome.error ? ` (${outcome.error.code}: ${outcome.error.message})` : '')],
  ['records', String(outcome.records)],
  ['pages', String(outcome.pages)],
  ['created / updated / failed', `${outcome.counts.created} / ${outcome.counts.updated} / ${outcome.counts.failed}`],
  ['entities', String(entities)],
  ['sync time', `${(elapsedMs / 1000).toFixed(1)} s`],
  ['records/s', String(recordsPerSec)],
  // On a shared machine the wall time includes waiting for a core; this is what one busy core would give.
  ['sync CPU (this process)', `${(cpuMs / 1000).toFixed(1)} s = ${Math.round(outcome.records / (cpuMs / 1000))} records per CPU-second`],
  // Where the wall time went on the pull loop's thread: working, or runnable but without a core.
  ['main thread', mainBefore === null || mainAfter === null ? 'not measured (needs /proc)'
    : `${((mainAfter.running - mainBefore.running) / 1000).toFixed(1)} s on a core, ${((mainAfter.waiting - mainBefore.waiting) / 1000).toFixed(1)} s waiting for one`],
  // The sandbox answers on the other core (the engine reads a page ahead): its share of the machine.
  ['sandbox CPU (child process)', sandboxCpuMs === null ? 'not measured (needs /proc)' : `${(sandboxCpuMs / 1000).toFixed(1)} s`],
  // The WAL frames, the checkpoints' copies into the database file and everything else written: unlike the
  // times, nearly the same from run to run, so a change to the write path shows here even on a noisy machine.
  ['bytes written (this process)', movedBefore === null || movedAfter === null ? 'not measured (needs /proc)' : `${Math.round((movedAfter.written - movedBefore.written) / 1e6)} MB`],
  // As steady as the bytes written: about 60 % is the checkpointer reading the WAL frames it copies, the rest SQLite
  // re-reading pages its cache (cache_size) let go and the provider's responses (per-thread /proc counts, 3 runs).
  ['bytes read (this process)', movedBefore === null || movedAfter === null ? 'not measured (needs /proc)' : `${Math.round((movedAfter.read - movedBefore.read) / 1e6)} MB`],
  ['peak RSS', `${peakRssMb} MB (bar: < 300 MB); start-up RSS ${Math.round(startRss / 1024 / 1024)} MB, peak JS heap ${Math.round(peakHeap / 1024 / 1024)} MB`],
  ['bar', `10,000 records/s: ${recordsPerSec >= 10_000 ? 'met' : 'NOT met'}; RSS: ${peakRssMb < 300 ? 'met' : 'NOT met'}`],
];
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
if (stages) {
  console.log(`\nmain thread during the sync, by stage (${(stages.totalMs / 1000).toFixed(1)} s sampled):`);
  const stageWidth = Math.max(...stages.stages.map((s) => s.stage.length));
  for (const { stage, ms } of stages.stages) console.log(`  ${stage.padEnd(stageWidth)}  ${(ms / 1000).toFixed(2).padStart(6)} s  ${((100 * ms) / stages.totalMs).toFixed(1).padStart(5)} %`);
}
console.log(JSON.stringify({ recordsPerSec, peakRssMb }));
