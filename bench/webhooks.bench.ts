/**
 * Webhook intake throughput and latency: verified, durable deliveries per second.
 *
 * This process runs the intake exactly as the receiver role does: Fastify route, the
 * WebhookReceiver (registration cache, rate limit, GitHub HMAC verification, duplicate
 * check) and group commit into a real SQLite file (WAL) holding both the store and the
 * job queue: each group commit's WAL is fsynced (in libuv's thread pool, off the event
 * loop) before any of its requests is answered, and checkpoints run in a worker thread
 * (backends/sqlite/off-loop-commit.ts). A SECOND process
 * (bench/webhooks-driver.mjs, autocannon) sends signed GitHub `issues` deliveries, each
 * with a unique delivery id. A 2xx means the event row and its `webhook-events` job
 * were committed; the bench checks afterwards that the stored events match the 2xx count.
 *
 * Phase 1: as fast as it goes (--connections concurrent requests) -> webhooks/s.
 * Phase 2: a fixed 1,000/s -> p50 / p99 latency at that rate.
 * The last line is {"webhooksPerSec": N, "p50Ms": N, "p99Ms": N} (latency of phase 2).
 *
 *   node --import tsx bench/webhooks.bench.ts [--duration 10] [--connections 256] [--rate 1000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startWebhookIntake } from '../test/fixtures/webhooks-intake.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '256' },
    rate: { type: 'string', default: '1000' },
  },
});

interface DriverResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  durationS: number;
  bodyBytes: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

function drive(args: string[]): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'webhooks-driver.mjs'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`driver exited ${code}`));
      else resolve(JSON.parse(line) as DriverResult);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-bench-'));
const secret = 'bench-signing-secret';
const intake = await startWebhookIntake({ dir, receiver: { ratePerSecond: 1_000_000, burst: 1_000_000 } });
try {
  const registration = await intake.register({ providerId: 'github', secret });
  const url = `${intake.url}/webhooks/${registration.id}/events`;
  const common = ['--url', url, '--secret', secret];

  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const max = await drive([...common, '--duration', values.duration, '--connections', values.connections, '--prepare', String(8000 * Number(values.duration))]);
  await intake.receiver.drain();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPer1000 = ((cpu.user + cpu.system) / 1000 / max.ok) * 1000;
  const loop = performance.eventLoopUtilization(loopBefore);
  const steady = await drive([...common, '--duration', values.duration, '--connections', '32', '--rate', values.rate, '--prepare', String(Math.ceil(1.2 * Number(values.rate) * Number(values.duration)))]);
  await intake.receiver.drain();

  const stored = (intake.handle.db.prepare('SELECT count(*) AS n FROM webhook_events').get() as { n: number }).n;
  const jobs = (intake.handle.db.prepare("SELECT count(*) AS n FROM jobs WHERE queue = 'webhook-events'").get() as { n: number }).n;
  const accepted = max.ok + steady.ok;
  const perSec = Math.round(max.ok / max.durationS);

  console.log(`body ${max.bodyBytes} bytes, SQLite WAL, group commit fsynced (thread pool) before its 2xx, checkpoints in a worker thread; driver in a second process`);
  console.log('phase                    sent      2xx   non2xx  errors   per s    p50 ms  p99 ms');
  for (const [name, r] of [['max (' + values.connections + ' conns)', max], [`steady ${values.rate}/s`, steady]] as const) {
    console.log(
      `${name.padEnd(22)} ${String(r.sent).padStart(7)} ${String(r.ok).padStart(8)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(7)} ${String(Math.round(r.ok / r.durationS)).padStart(7)} ${String(r.p50Ms).padStart(9)} ${String(r.p99Ms).padStart(7)}`,
    );
  }
  // Requests still in flight when the driver stopped may be stored without their 2xx being counted.
  const sent = max.sent + steady.sent;
  const consistent = stored >= accepted && stored <= sent && jobs === stored;
  console.log(`durability check: ${accepted} answered 2xx, ${sent} sent, ${stored} events stored, ${jobs} jobs queued: ${consistent ? 'every 2xx is stored and enqueued' : 'MISMATCH'}`);
  if (!consistent) process.exitCode = 1;
  console.log(
    `server CPU in the max phase: ${cpuMsPer1000.toFixed(0)} ms per 1,000 accepted webhooks (user+system of every thread, fsync waits excluded) -> ` +
      `about ${Math.round(1_000_000 / cpuMsPer1000)}/s if the server had one core to itself; load average now ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
  );
  // The event loop is the intake's one serial resource: its busy time per webhook bounds the rate.
  console.log(
    `event loop in the max phase: ${(loop.utilization * 100).toFixed(0)}% busy, ${((loop.active * 1000) / max.ok).toFixed(0)} µs busy per accepted webhook (wall time, so inflated when the machine is loaded)`,
  );
  console.log(JSON.stringify({ webhooksPerSec: perSec, p50Ms: steady.p50Ms, p99Ms: steady.p99Ms }));
} finally {
  await intake.close();
  rmSync(dir, { recursive: true, force: true });
}
