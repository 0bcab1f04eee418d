import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createGithubSimulator } from './index.ts';

let sandbox: Sandbox;
let base: string;
let auth: Record<string, string>;
let repo: string;

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  sandbox = await createSandbox({ providers: [createGithubSimulator()], seed: 11, size: 60 });
  base = await sandbox.listen(0);
});

beforeEach(async () => {
  await control('POST', '/reset', {});
  const tokens = await control('POST', '/tokens', { provider: 'github' });
  auth = { authorization: `Bearer ${String(tokens.accessToken)}` };
  // Through the control API, so that no primary budget is spent before the test.
  const repos = (await control('GET', '/github/repos')).records as { full_name: string; owner: { type: string } }[];
  repo = repos.find((candidate) => candidate.owner.type === 'Organization')?.full_name ?? '';
});

afterAll(async () => {
  await sandbox?.close();
});

describe('GitHub primary rate limit', () => {
  it('answers 403 with remaining 0 and the reset time once the hourly budget is spent, until the window resets', async () => {
    await control('PUT', '/limits', { keyPrefix: 'github:core:', limit: 5 });
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 6; i++) {
      last = await fetch(`${base}/github/repos/${repo}`, { headers: auth });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 403]);
    expect(last?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last?.headers.get('x-ratelimit-used')).toBe('5');
    expect(last?.headers.get('x-ratelimit-resource')).toBe('core');
    const reset = Number(last?.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(sandbox.ctx.clock.now());
    expect(reset * 1000).toBeLessThanOrEqual(sandbox.ctx.clock.now() + 3_601_000);
    expect(await last?.json()).toMatchObject({ message: expect.stringMatching(/^API rate limit exceeded for user ID \d+\./), documentation_url: expect.any(String) });

    // GET /rate_limit is free and shows the empty budget.
    const rateLimit = await fetch(`${base}/github/rate_limit`, { headers: auth });
    expect(rateLimit.status).toBe(200);
    expect(await rateLimit.json()).toMatchObject({ resources: { core: { limit: 5, remaining: 0, used: 5 } }, rate: { remaining: 0 } });
    expect(sandbox.ctx.limits.rejections('github')).toBe(1);

    sandbox.ctx.clock.advance(3_600_000);
    expect((await fetch(`${base}/github/repos/${repo}`, { headers: auth })).status).toBe(200);
  });

  it('can answer 429 instead, as GitHub sometimes does', async () => {
    await control('POST', '/github/settings', { primaryLimitStatus: 429 });
    await control('PUT', '/limits', { keyPrefix: 'github:core:', limit: 1 });
    expect((await fetch(`${base}/github/user`, { headers: auth })).status).toBe(200);
    const limited = await fetch(`${base}/github/user`, { headers: auth });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    await control('POST', '/github/settings', { primaryLimitStatus: 403 });
  });

  it('scales the real 5,000 an hour by rateLimitScale', async () => {
    const scaled = await createSandbox({ providers: [createGithubSimulator()], seed: 11, size: 30, rateLimitScale: 0.01 });
    try {
      const url = await scaled.listen(0);
      const token = scaled.core.simulators[0]?.mint(scaled.ctx, {}).accessToken;
      const response = await fetch(`${url}/github/user`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.headers.get('x-ratelimit-limit')).toBe('50');
      expect(response.headers.get('x-ratelimit-remaining')).toBe('49');
    } finally {
      await scaled.close();
    }
  });
});

describe('GitHub secondary rate limits', () => {
  it('stops content creation past the per-minute budget with 403 and retry-after', async () => {
    await control('PUT', '/limits', { keyPrefix: 'github:secondary:content-minute:', limit: 3 });
    const post = () =>
      fetch(`${base}/github/repos/${repo}/issues`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'burst' }) });
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(201);
    const limited = await post();
    expect(limited.status).toBe(403);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toMatch(/^You have exceeded a secondary rate limit/);
    sandbox.ctx.clock.advance(60_000);
    expect((await post()).status).toBe(201);
  });

  it('counts writes as 5 points against the per-endpoint budget', async () => {
    await control('PUT', '/limits', { keyPrefix: 'github:secondary:points:', limit: 12 });
    const patch = () =>
      fetch(`${base}/github/repos/${repo}/issues/1`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'edited' }) });
    expect((await patch()).status).toBe(200);
    expect((await patch()).status).toBe(200);
    expect((await patch()).status).toBe(403);
    // Reads of another endpoint have their own budget.
    expect((await fetch(`${base}/github/repos/${repo}/issues/1`, { headers: auth })).status).toBe(200);
  });
});

describe('GitHub injected faults', () => {
  it('fails about the configured share of requests with GitHub-shaped bodies', async () => {
    await control('POST', '/faults', { provider: 'github', kind: 'status', status: 502, rate: 0.25, path: '^/repos/' });
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${base}/github/repos/${repo}`, { headers: auth });
      if (response.status === 502) {
        failed += 1;
        expect(await response.json()).toMatchObject({ message: 'Server Error' });
      } else {
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    }
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(70);
    // Paths the fault does not match are untouched.
    expect((await fetch(`${base}/github/user`, { headers: auth })).status).toBe(200);
  });
});
