import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import { connectRedis } from '../src/backends/redis/client.ts';
import { RedisRateLimitBackend } from '../src/backends/redis/rate-limit-backend.ts';
import type { RateCall, RateLimitEvent, RateLimitPolicy } from '../src/ratelimit/index.ts';
import { DegradingRateLimitBackend, RateLimiter } from '../src/ratelimit/index.ts';

/** A private Redis for this test only: the machine's shared one must never be stopped. */
class PrivateRedis {
  child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'tributary-rl-redis-'));
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    const started = Date.now();
    for (;;) {
      try {
        const probe = await connectRedis({ url: `redis://127.0.0.1:${this.port}` });
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        if (Date.now() - started > 10_000) throw new Error('private redis-server did not start');
        await sleep(50);
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const policy: RateLimitPolicy = {
  provider: 'test',
  rules: [{ name: 'calls', level: 'connection', per: 'connection', limit: 100, windowMs: 60_000 }],
  concurrency: [],
  defaultRetryAfterMs: 1_000,
  observationTtlMs: 60_000,
};
const call: RateCall = { provider: 'test', tenantId: 'ten_a', connectionId: 'con_1', operation: 'read' };
const KEY = 'connection:test:calls:con_1';
const PREFIX = 'test:rl:degrade:';

describe('Redis stopped and restarted under the limiter', () => {
  let redis: PrivateRedis;
  let client: Redis;
  let backend: DegradingRateLimitBackend;
  let limiter: RateLimiter;
  const events: RateLimitEvent[] = [];

  beforeEach(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    client = await connectRedis({ url: `redis://127.0.0.1:${redis.port}`, commandTimeoutMs: 200, reconnectDelayMs: 50 });
    backend = new DegradingRateLimitBackend({
      primary: new RedisRateLimitBackend(client, { keyPrefix: PREFIX }),
      fallback: new MemoryRateLimitBackend(),
      share: 0.5,
      probeIntervalMs: 100,
      clock: systemClock,
      events: (e) => events.push(e),
    });
    limiter = new RateLimiter({ backend, clock: systemClock, random: Math.random, policies: { test: policy }, events: (e) => events.push(e) });
  });

  afterEach(async () => {
    limiter.close();
    await backend.close();
    client.disconnect();
    await redis.stop();
    rmSync(redis.dir, { recursive: true, force: true });
  });

  it('keeps limiting in process at the fallback share with an alert, then returns to Redis', async () => {
    for (let i = 0; i < 5; i++) await limiter.acquire(call, { timeoutMs: 0 });
    const shared = new RedisRateLimitBackend(client, { keyPrefix: PREFIX });
    expect((await shared.peek(KEY, 100, 1, 60_000, Date.now())).used).toBe(5);

    await redis.stop();
    const started = Date.now();
    for (let i = 0; i < 50; i++) await limiter.acquire(call, { timeoutMs: 0 });
    // 50 calls in well under a second: the fallback answers without waiting on Redis.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(backend.degraded).toBe(true);
    expect(events.filter((e) => e.type === 'ratelimit.backend_degraded')).toHaveLength(1);
    // The fallback's share is half the budget: 50 of 100, and no more.
    await expect(limiter.acquire(call, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });

    await redis.start();
    await until('the limiter to return to Redis', () => events.some((e) => e.type === 'ratelimit.backend_restored'));
    expect(backend.degraded).toBe(false);
    // Shared counting resumes: the restarted (empty) Redis holds the next call.
    await limiter.acquire(call, { timeoutMs: 0 });
    expect(await client.exists(PREFIX + KEY)).toBe(1);
    expect(backend.name).toBe('redis');
  });
});
