import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/backends/memory/clock.ts';
import { connectRedis } from '../src/backends/redis/client.ts';
import { RedisRateLimitBackend } from '../src/backends/redis/rate-limit-backend.ts';
import type { Logger } from '../src/ports/logger.ts';
import { TributaryError } from '../src/domain/errors.ts';
import { RateLimiter } from '../src/ratelimit/limiter.ts';
import { parseGithub } from '../src/ratelimit/parse/index.ts';
import type { RateCall, RateLimitPolicy } from '../src/ratelimit/types.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One budget the GitHub headers report (`core`) and one call in flight per connection. */
const POLICY: RateLimitPolicy = {
  provider: 'github',
  rules: [{ name: 'core', level: 'connection', per: 'connection', limit: 5_000, windowMs: 3_600_000, observes: ['core'] }],
  concurrency: [{ name: 'in-flight', per: 'connection', limit: 1, leaseMs: 60_000 }],
  defaultRetryAfterMs: 60_000,
  observationTtlMs: 60_000,
};

const CALL: RateCall = { provider: 'github', tenantId: 'ten_a', connectionId: 'con_1', operation: 'read', endpoint: 'GET /user' };

function githubHeaders(remaining: number): Record<string, string> {
  return { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3_600), 'x-ratelimit-resource': 'core' };
}

/** A logger that keeps the warnings it is given. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (_obj, msg) => warnings.push(msg ?? ''),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

/** True when `promise` has settled after the microtasks queued so far (no I/O can have happened). */
async function settledWithoutIo(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe('RateLimiter.complete on Redis (settlement in the background)', () => {
  const clients: Redis[] = [];
  const prefixes: string[] = [];

  afterEach(async () => {
    const cleaner = await connectRedis({ url: REDIS_URL });
    for (const prefix of prefixes.splice(0)) {
      let cursor = '0';
      do {
        const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await cleaner.del(...keys);
      } while (cursor !== '0');
    }
    cleaner.disconnect();
    for (const client of clients.splice(0)) client.disconnect();
  });

  async function setup(logger?: Logger, policy: RateLimitPolicy = POLICY): Promise<{ limiter: RateLimiter; redis: Redis }> {
    const redis = await connectRedis({ url: REDIS_URL });
    clients.push(redis);
    const prefix = `test:rlc:${randomUUID()}:`;
    prefixes.push(prefix);
    const limiter = new RateLimiter({
      backend: new RedisRateLimitBackend(redis, { keyPrefix: prefix }),
      clock: systemClock,
      random: Math.random,
      policies: { github: policy },
      ...(logger === undefined ? {} : { logger }),
    });
    return { limiter, redis };
  }

  it('returns before Redis answers, and the next call still finds the released slot', async () => {
    const { limiter } = await setup();
    for (let i = 0; i < 20; i++) {
      const permit = await limiter.acquire(CALL, { timeoutMs: 0 });
      await limiter.complete(permit, parseGithub(200, githubHeaders(4_999 - i), null));
      // Only one call may be in flight: this take would fail if the release were not applied before it.
      if (i === 0) expect(await settledWithoutIo(limiter.settled())).toBe(false);
    }
    await limiter.settled();
    limiter.close();
  });

  it('applies a refusal given to complete before the very next take', async () => {
    // No concurrency rule: only the block can refuse the next call.
    const { limiter } = await setup(undefined, { ...POLICY, concurrency: [] });
    const permit = await limiter.acquire(CALL, { timeoutMs: 0 });
    await limiter.complete(permit, parseGithub(429, { ...githubHeaders(0), 'retry-after': '60' }, { message: 'API rate limit exceeded' }));
    const next = limiter.acquire(CALL, { timeoutMs: 0 });
    await expect(next).rejects.toBeInstanceOf(TributaryError);
    await expect(next).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    await limiter.settled();
    limiter.close();
  });

  it('logs a failed background settlement instead of throwing it', async () => {
    const logger = recordingLogger();
    const { limiter, redis } = await setup(logger);
    const permit = await limiter.acquire(CALL, { timeoutMs: 0 });
    redis.disconnect();
    await expect(limiter.complete(permit, parseGithub(200, githubHeaders(4_000), null))).resolves.toBeUndefined();
    await limiter.settled();
    expect(logger.warnings).toEqual(['rate limiter: a background settlement failed']);
    limiter.close();
  });
});
