/**
 * `npm run bench:ratelimit`: the rate limiter's overhead per call (acquire, then `complete`:
 * observe of a GitHub answer + release, through six counters: global, provider, tenant, connection
 * core, endpoint points, concurrency), in process and on Redis; then the sandbox run of
 * test/ratelimit-shared-budget.redis.test.ts (2 processes x 4 workers sharing one GitHub
 * budget through Redis): utilisation and 429s. Last line: one JSON object.
 *
 * `complete` returns once its backend operations are issued (they are acknowledged in the
 * background, in order before any later call); so that this background work is not hidden,
 * each measure also prints the wall time per call over the whole run including waiting for
 * every settlement (`limiter.settled()`) at the end.
 *
 * Every timed call counts (no sample is dropped); the calls before the timed ones warm up
 * the JIT and the counters. The Redis figures come with the bare PING round trip on the same
 * connection, timed in blocks between blocks of limiter calls, so that both see the same
 * machine: the limiter cannot be faster than the round trip it makes, and the PING tail
 * shows how much of the limiter's tail is the machine (a loaded host preempts Redis or Node).
 *
 * Environment: TRIBUTARY_TEST_REDIS_URL (default redis://127.0.0.1:6379).
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../src/backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/backends/redis/client.ts';
import { RedisRateLimitBackend } from '../src/backends/redis/rate-limit-backend.ts';
import type { RateLimitBackend } from '../src/ports/rate-limit-backend.ts';
import { parseGithub, RateLimiter } from '../src/ratelimit/index.ts';
import type { RateCall } from '../src/ratelimit/index.ts';
import { runSharedBudget } from '../test/ratelimit-run.fixture.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = 100;

interface Overhead {
  p50: number;
  p99: number;
  mean: number;
  calls: number;
  /** Wall time of the measured calls, including the background settlements, per call (µs). */
  wallPerCall: number;
  /** Bare round trips timed between blocks of calls (Redis only). */
  ping?: { p50: number; p99: number; calls: number };
}

/** Timed limiter calls per block; between blocks, `ping.perBlock` bare round trips (when given). */
const BLOCK = 1_000;

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

async function measure(backend: RateLimitBackend, calls: number, warmup: number, ping?: { redis: Redis; perBlock: number }): Promise<Overhead> {
  const limiter = new RateLimiter({
    backend,
    clock: systemClock,
    random: Math.random,
    limits: { global: { limit: 1e9, windowMs: 60_000 }, tenant: { limit: 1e9, windowMs: 60_000 }, providers: { github: { limit: 1e9, windowMs: 60_000 } } },
  });
  const reset = String(Math.ceil(Date.now() / 1000) + 3_600);
  const samples: number[] = [];
  const pings: number[] = [];
  let wall = 0n;
  let blockStarted = 0n;
  for (let i = 0; i < warmup + calls; i++) {
    if (i >= warmup && (i - warmup) % BLOCK === 0) {
      await limiter.settled();
      if (i > warmup) wall += process.hrtime.bigint() - blockStarted;
      if (ping !== undefined) {
        for (let k = 0; k < ping.perBlock; k++) {
          const started = process.hrtime.bigint();
          await ping.redis.ping();
          pings.push(Number(process.hrtime.bigint() - started) / 1_000);
        }
      }
      blockStarted = process.hrtime.bigint();
    }
    const n = i % CONNECTIONS;
    const call: RateCall = { provider: 'github', tenantId: `ten_${n % 10}`, connectionId: `con_${n}`, operation: 'read', endpoint: 'GET /repos/{owner}/{repo}/issues' };
    const headers = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(4999 - Math.floor(i / CONNECTIONS)), 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core' };
    const started = process.hrtime.bigint();
    const permit = await limiter.acquire(call, { timeoutMs: 0 });
    await limiter.complete(permit, parseGithub(200, headers, null));
    const elapsedUs = Number(process.hrtime.bigint() - started) / 1_000;
    if (i >= warmup) samples.push(elapsedUs);
  }
  await limiter.settled();
  wall += process.hrtime.bigint() - blockStarted;
  limiter.close();
  samples.sort((a, b) => a - b);
  pings.sort((a, b) => a - b);
  return {
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    calls: samples.length,
    wallPerCall: Number(wall) / 1_000 / calls,
    ...(ping === undefined ? {} : { ping: { p50: quantile(pings, 0.5), p99: quantile(pings, 0.99), calls: pings.length } }),
  };
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

const memory = await measure(new MemoryRateLimitBackend(), 20_000, 2_000);

// The limiter's own connection, as RedisRateLimitBackend asks (no auto-pipelining).
const redis = await connectRedis({ url: REDIS_URL, autoPipelining: false });
const prefix = `bench:rl:${randomUUID()}:`;
let redisOverhead: Overhead;
try {
  // 20,000 timed calls (p99 = the 200th slowest) after 5,000 warm-up calls; 5,000 PINGs in between.
  redisOverhead = await measure(new RedisRateLimitBackend(redis, { keyPrefix: prefix }), 20_000, 5_000, { redis, perBlock: 250 });
} finally {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

const run = await runSharedBudget({ limit: 300, processes: 2, workersPerProcess: 4, redisUrl: REDIS_URL });

const ping = redisOverhead.ping as NonNullable<Overhead['ping']>;
const rows: [string, string, string, string][] = [
  ['measure', 'p50', 'p99', 'bar'],
  [`overhead in process (µs, ${memory.calls} calls)`, String(round(memory.p50)), String(round(memory.p99)), '< 50 µs p99'],
  [`overhead with Redis (µs, ${redisOverhead.calls} calls)`, String(round(redisOverhead.p50)), String(round(redisOverhead.p99)), '< 1000 µs p99'],
  [`bare Redis PING round trip (µs, ${ping.calls} between the blocks of calls)`, String(round(ping.p50)), String(round(ping.p99)), ''],
];
const walls = `wall time per call incl. background settlement (µs): in process ${round(memory.wallPerCall)}, Redis ${round(redisOverhead.wallPerCall)}`;
const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] as number)).join('  '));
console.log(walls);
console.log('');
console.log(`sandbox run: 2 processes x 4 workers, one GitHub token, provider limit ${run.allowed}/h`);
console.log(`  calls counted by the sandbox: ${run.used} (${round(run.utilisation * 100)}% of the allowed budget, bar >= 90%)`);
console.log(`  429/403 rate refusals: ${run.provider429s} (bar 0); per process ok: ${run.workers.map((w) => w.ok).join(', ')}; ${run.elapsedMs} ms`);
console.log(
  JSON.stringify({
    overheadP99UsMemory: round(memory.p99),
    overheadP99UsRedis: round(redisOverhead.p99),
    utilisation: round(run.utilisation, 3),
    provider429s: run.provider429s,
  }),
);
