/**
 * A worker process for the shared-budget tests and the benchmark: WORKERS concurrent
 * loops call the sandbox's GitHub `GET /user` through one RateLimiter on Redis, observe
 * every answer, and stop when the limiter says the budget is gone until the provider's
 * reset (or at DEADLINE_MS). Prints `ready`, starts on a line from stdin, then prints
 * one JSON line: { ok, refused, statuses, stoppedBy }.
 *
 * Environment: SANDBOX_URL, GITHUB_TOKEN, REDIS_URL, KEY_PREFIX, WORKERS, DEADLINE_MS,
 * CONNECTION_ID.
 */
import { connectRedis } from '../src/backends/redis/client.ts';
import { RedisRateLimitBackend } from '../src/backends/redis/rate-limit-backend.ts';
import { systemClock } from '../src/backends/memory/clock.ts';
import { isTributaryError } from '../src/domain/errors.ts';
import { parseGithub, RateLimiter } from '../src/ratelimit/index.ts';
import type { RateCall } from '../src/ratelimit/index.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const redis = await connectRedis({ url: env('REDIS_URL') });
const limiter = new RateLimiter({
  backend: new RedisRateLimitBackend(redis, { keyPrefix: env('KEY_PREFIX') }),
  clock: systemClock,
  random: Math.random,
});
const call: RateCall = { provider: 'github', tenantId: 'ten_shared', connectionId: env('CONNECTION_ID'), operation: 'read', endpoint: 'GET /user' };
const statuses: Record<string, number> = {};
let ok = 0;
let refused = 0;
const stops: string[] = [];

async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    let permit;
    try {
      permit = await limiter.acquire(call, { timeoutMs: 1_000, priority: 'scheduled' });
    } catch (error) {
      if (isTributaryError(error) && error.code === 'PROVIDER_RATE_LIMITED' && (error.retryAfterMs ?? 0) > 10_000) {
        stops.push('budget-exhausted');
        return;
      }
      if (isTributaryError(error) && error.code === 'PROVIDER_RATE_LIMITED') continue;
      throw error;
    }
    let observation;
    try {
      const response = await fetch(`${env('SANDBOX_URL')}/github/user`, { headers: { authorization: `Bearer ${env('GITHUB_TOKEN')}` } });
      const body = await response.text();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      observation = parseGithub(response.status, response.headers, body);
      if (observation.limited) refused++;
      else if (response.ok) ok++;
    } finally {
      if (observation === undefined) await limiter.release(permit);
    }
    await limiter.complete(permit, observation);
  }
  stops.push('deadline');
}

// Every process starts together: say ready, then wait for the parent's go.
process.stdout.write('ready\n');
let going = false;
// An orphan (the parent died before saying go) exits instead of waiting forever.
process.stdin.once('end', () => going || process.exit(1));
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
going = true;
process.stdin.pause();
const deadline = Date.now() + Number(env('DEADLINE_MS'));
await Promise.all(Array.from({ length: Number(env('WORKERS')) }, () => worker()));
process.stdout.write(`${JSON.stringify({ ok, refused, statuses, stoppedBy: [...new Set(stops)] })}\n`);
limiter.close();
redis.disconnect();
