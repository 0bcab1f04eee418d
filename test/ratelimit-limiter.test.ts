import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import type { RateCall, RateLimitEvent, RateLimitPolicy, RateLimiterOptions } from '../src/ratelimit/index.ts';
import { DEFAULT_POLICIES, nextMultiplier, parseGithub, parseNotion, parseSlack, RateLimitAdmin, RateLimiter } from '../src/ratelimit/index.ts';
import { ManualTimers } from '../src/ratelimit/manual-timers.ts';

const T0 = 1_800_000_000_000;

/** A provider with one small budget: 10 calls a second per connection and 1 in flight when `concurrent`. */
function testPolicy(limit = 10, concurrency = 0): RateLimitPolicy {
  return {
    provider: 'test',
    rules: [{ name: 'calls', level: 'connection', per: 'connection', limit, windowMs: 1_000, observes: ['calls'] }],
    concurrency: concurrency > 0 ? [{ name: 'in-flight', per: 'connection', limit: concurrency, leaseMs: 60_000 }] : [],
    defaultRetryAfterMs: 5_000,
    observationTtlMs: 60_000,
  };
}

function setup(options: Partial<RateLimiterOptions> = {}) {
  const clock = new ManualClock(T0);
  const timers = new ManualTimers(clock);
  const events: RateLimitEvent[] = [];
  const backend = new MemoryRateLimitBackend();
  let seed = 1;
  const limiter = new RateLimiter({
    backend,
    clock,
    timers,
    random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
    events: (e) => events.push(e),
    policies: { test: testPolicy(), github: testPolicyGithub(), slack: slackLike() },
    ...options,
  });
  return { clock, timers, events, backend, limiter, admin: new RateLimitAdmin(limiter, clock) };
}

function testPolicyGithub(): RateLimitPolicy {
  return { ...testPolicy(5_000), provider: 'github', rules: [{ name: 'core', level: 'connection', per: 'connection', limit: 5_000, windowMs: 3_600_000, observes: ['core'] }] };
}

function slackLike(): RateLimitPolicy {
  return {
    ...testPolicy(),
    provider: 'slack',
    rules: [{ name: 'tier3', level: 'operation', per: 'account-endpoint', limit: 50, windowMs: 60_000, blockScopes: ['method'] }],
  };
}

const call = (over: Partial<RateCall> = {}): RateCall => ({ provider: 'test', tenantId: 'ten_a', connectionId: 'con_1', operation: 'read', ...over });

async function fill(limiter: RateLimiter, c: RateCall, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await limiter.acquire(c, { timeoutMs: 0 });
}

describe('RateLimiter levels', () => {
  it('passes a call only when every level has room', async () => {
    const { limiter } = setup({ limits: { tenant: { limit: 3, windowMs: 1_000 } } });
    await fill(limiter, call(), 3);
    // The tenant budget is spent; the connection budget (10) is not.
    await expect(limiter.acquire(call({ connectionId: 'con_2' }), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    // Another tenant has its own budget.
    await expect(limiter.acquire(call({ tenantId: 'ten_b', connectionId: 'con_3' }), { timeoutMs: 0 })).resolves.toBeDefined();
  });

  it('fails at once with retryAfterMs when room is not expected before the timeout', async () => {
    const { limiter } = setup();
    await fill(limiter, call(), 10);
    const error = await limiter.acquire(call(), { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', category: 'rate_limit' });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(900);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1_050);
  });

  it('takes from the global and provider levels too, across connections', async () => {
    const { limiter } = setup({ limits: { global: { limit: 4, windowMs: 1_000 }, providers: { slack: { limit: 1, windowMs: 1_000 } } } });
    await fill(limiter, call({ provider: 'slack', endpoint: 'conversations.history' }), 1);
    await expect(limiter.acquire(call({ provider: 'slack', connectionId: 'con_9', endpoint: 'users.info' }), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    await fill(limiter, call(), 3);
    await expect(limiter.acquire(call({ connectionId: 'con_5' }), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
  });
});

describe('RateLimiter waiting', () => {
  it('serves waiters webhook first, then manual, then scheduled, each in arrival order', async () => {
    const { limiter, timers } = setup();
    await fill(limiter, call(), 10);
    const order: string[] = [];
    const wait = (name: string, priority: 'webhook' | 'manual' | 'scheduled') =>
      limiter.acquire(call(), { priority, timeoutMs: 60_000 }).then(() => order.push(name));
    const all = [wait('s1', 'scheduled'), wait('m1', 'manual'), wait('w1', 'webhook'), wait('s2', 'scheduled'), wait('w2', 'webhook')];
    await timers.advance(2_000);
    await Promise.all(all);
    expect(order).toEqual(['w1', 'w2', 'm1', 's1', 's2']);
  });

  it('times out a waiter with PROVIDER_RATE_LIMITED and the expected retry time', async () => {
    const { limiter, timers } = setup({ policies: { test: testPolicy(10, 1) } });
    const held = await limiter.acquire(call());
    const waiting = limiter.acquire(call(), { timeoutMs: 500 }).catch((e: unknown) => e);
    await timers.advance(500);
    const error = await waiting;
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(1);
    await limiter.release(held);
  });

  it('wakes a waiter when a concurrency slot is released', async () => {
    const { limiter } = setup({ policies: { test: testPolicy(10, 1) } });
    const held = await limiter.acquire(call());
    const waiting = limiter.acquire(call(), { timeoutMs: 60_000 });
    await limiter.release(held);
    await expect(waiting).resolves.toMatchObject({ call: call() });
  });

  it('refuses at once when the connection queue is full', async () => {
    const { limiter, timers } = setup({ queueCapacity: 1, policies: { test: testPolicy(10, 1) } });
    const held = await limiter.acquire(call());
    const first = limiter.acquire(call(), { timeoutMs: 1_000 }).catch((e: unknown) => e);
    await expect(limiter.acquire(call(), { timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED', message: expect.stringContaining('full') });
    await timers.advance(1_000);
    expect(await first).toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    await limiter.release(held);
  });

  it('stops waiting when the signal aborts', async () => {
    const { limiter } = setup({ policies: { test: testPolicy(10, 1) } });
    await limiter.acquire(call());
    const controller = new AbortController();
    const waiting = limiter.acquire(call(), { timeoutMs: 60_000, signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('job cancelled'));
    expect(await waiting).toMatchObject({ message: 'job cancelled' });
  });
});

describe('RateLimiter observations', () => {
  const gh = (over: Partial<RateCall> = {}) => call({ provider: 'github', ...over });
  const headers = (limit: number, remaining: number) => ({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(T0 / 1000 + 1800), 'x-ratelimit-resource': 'core' });

  it("follows the provider's remaining and reset over its own count", async () => {
    const { limiter, clock } = setup();
    const permit = await limiter.acquire(gh());
    // The provider says only 3 are left (someone else shares the token, or the limit fell).
    await limiter.observe(permit, parseGithub(200, headers(50, 3), '{}'));
    await fill(limiter, gh(), 3);
    const error = await limiter.acquire(gh(), { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(T0 + 1_800_000 - clock.now());
    // After the reset the configured budget applies again.
    clock.advance(1_800_001);
    await expect(limiter.acquire(gh(), { timeoutMs: 0 })).resolves.toBeDefined();
  });

  it('counts calls still in flight when the provider reports its lower count', async () => {
    const { limiter } = setup();
    const permits = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire(gh())));
    // The first answer comes back: the provider has counted only it (10 - 9 = 1 used).
    await limiter.observe(permits[0] as never, parseGithub(200, headers(10, 9), '{}'));
    // 3 others are in flight, so 10 - 1 - 3 = 6 more may start, not 9.
    await fill(limiter, gh(), 6);
    await expect(limiter.acquire(gh(), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
  });

  it('blocks the refused budget for Retry-After, alerts once, and lowers the multiplier', async () => {
    const { limiter, events } = setup();
    const slack = (endpoint: string) => call({ provider: 'slack', account: 'T123', endpoint });
    const permit = await limiter.acquire(slack('conversations.history'));
    await limiter.observe(permit, parseSlack(429, { 'retry-after': '30' }, { ok: false, error: 'ratelimited' }));
    await limiter.observe(slack('conversations.history'), parseSlack(429, { 'retry-after': '30' }, { ok: false, error: 'ratelimited' }));
    const error = await limiter.acquire(slack('conversations.history'), { timeoutMs: 0 }).catch((e: unknown) => e);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(30_000);
    // Another method of the same workspace has its own budget.
    await expect(limiter.acquire(slack('users.info'), { timeoutMs: 0 })).resolves.toBeDefined();
    expect(events.filter((e) => e.type === 'ratelimit.provider_limited')).toHaveLength(1);
    expect(await limiter.multiplier('con_1')).toBeCloseTo(0.563, 3);
  });

  it('pauses a GitHub connection for at least a minute on a secondary limit without retry-after', async () => {
    const { limiter } = setup({ policies: DEFAULT_POLICIES });
    const permit = await limiter.acquire(gh({ endpoint: 'POST /repos/{o}/{r}/issues', operation: 'write' }));
    await limiter.observe(permit, parseGithub(403, headers(5_000, 4_000), { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }));
    const error = await limiter.acquire(gh({ endpoint: 'GET /user' }), { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 60_000 });
  });

  it("blocks a Notion workspace for every connection in it when the 429 names the workspace", async () => {
    const { limiter } = setup({ policies: DEFAULT_POLICIES });
    const notion = (connectionId: string) => call({ provider: 'notion', connectionId, account: 'ws_1' });
    const permit = await limiter.acquire(notion('con_1'));
    const body = { object: 'error', status: 429, code: 'rate_limited', message: 'rate limited', additional_data: { rate_limit_reason: 'workspace_rate_limit' } };
    await limiter.observe(permit, parseNotion(429, { 'retry-after': '90' }, body));
    await expect(limiter.acquire(notion('con_2'), { timeoutMs: 0 })).rejects.toMatchObject({ retryAfterMs: 90_000 });
    await expect(limiter.acquire(call({ provider: 'notion', connectionId: 'con_3', account: 'ws_2' }), { timeoutMs: 0 })).resolves.toBeDefined();
  });

  it('scales the budget by the multiplier', async () => {
    const { limiter } = setup();
    await limiter.setMultiplier('con_1', 0.5);
    await fill(limiter, call(), 5);
    await expect(limiter.acquire(call(), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
  });
});

describe('adaptive multiplier', () => {
  it('stays within [0.5, 1.0]: drops on 429s and errors, recovers on successes', () => {
    let m = 1;
    for (let i = 0; i < 20; i++) m = nextMultiplier(m, 'limited');
    expect(m).toBe(0.5);
    m = nextMultiplier(nextMultiplier(1, 'error'), 'error');
    expect(m).toBe(0.9);
    for (let i = 0; i < 100; i++) m = nextMultiplier(m, 'success');
    expect(m).toBe(1);
  });
});

describe('alerts', () => {
  it('alerts once at 80% and once at 95% of a budget per window', async () => {
    const { limiter, events, clock } = setup({ policies: { test: testPolicy(20) } });
    await fill(limiter, call(), 15);
    expect(events).toEqual([]);
    await fill(limiter, call(), 1);
    expect(events.map((e) => e.type === 'ratelimit.threshold' && e.threshold)).toEqual([0.8]);
    await fill(limiter, call(), 4);
    expect(events.map((e) => e.type === 'ratelimit.threshold' && e.threshold)).toEqual([0.8, 0.95]);
    clock.advance(500);
    await expect(limiter.acquire(call(), { timeoutMs: 0 })).rejects.toBeDefined();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ level: 'connection', connectionId: 'con_1', tenantId: 'ten_a', used: 16, limit: 20 });
  });
});

describe('RateLimitAdmin', () => {
  it('shows a tenant only its own counters, and applies overrides and resets', async () => {
    const { limiter, admin } = setup({ limits: { global: { limit: 1_000, windowMs: 1_000 } } });
    await fill(limiter, call(), 4);
    await fill(limiter, call({ tenantId: 'ten_b', connectionId: 'con_b' }), 1);
    const own = await admin.status({ tenantId: 'ten_a' });
    expect(own.map((e) => e.key)).toEqual(['connection:test:calls:con_1']);
    expect(own[0]).toMatchObject({ used: 4, remaining: 6, limit: 10, multiplier: 1, waiting: 0 });
    expect((await admin.status()).map((e) => e.level)).toEqual(['global', 'connection', 'connection']);

    // An override adds a cap, counted from when it is set.
    await admin.configure({ kind: 'connection', connectionId: 'con_1' }, { limit: 2, windowMs: 1_000 });
    await fill(limiter, call(), 2);
    await expect(limiter.acquire(call(), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED' });
    expect(await admin.ownerOf({ kind: 'connection', connectionId: 'con_1' })).toBe('ten_a');

    expect(await admin.reset({ kind: 'connection', connectionId: 'con_1' })).toBe(2);
    await expect(limiter.acquire(call(), { timeoutMs: 0 })).resolves.toBeDefined();
  });
});
