import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createSlackSimulator } from './index.ts';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let base: string;
let token: string;
let channels: string[];

async function control(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Json;
}

async function call(url: string, method: string, bearer: string, args: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/slack/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
}

beforeAll(async () => {
  sandbox = await createSandbox({ providers: [createSlackSimulator()], seed: 4, size: 40 });
  base = await sandbox.listen(0);
});

beforeEach(async () => {
  await control('POST', '/reset', {});
  token = String((await control('POST', '/tokens', { provider: 'slack' })).accessToken);
  channels = ((await control('GET', '/slack/channels')).records as { id: string; is_private: boolean; is_archived: boolean }[])
    .filter((channel) => !channel.is_private && !channel.is_archived)
    .map((channel) => channel.id);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('Slack rate limits', () => {
  it('answers HTTP 429 with Retry-After and ratelimited once a method tier is spent, until the minute passes', async () => {
    await control('PUT', '/limits', { keyPrefix: 'slack:users.list:', limit: 3 });
    for (let i = 0; i < 3; i++) expect((await call(base, 'users.list', token, { limit: '5' })).status).toBe(200);
    const limited = await call(base, 'users.list', token, { limit: '5' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(sandbox.ctx.limits.rejections('slack')).toBe(1);
    // Another method has its own budget.
    expect((await call(base, 'team.info', token)).status).toBe(200);
    sandbox.ctx.clock.advance(60_000);
    expect((await call(base, 'users.list', token, { limit: '5' })).status).toBe(200);
  });

  it('scales the real tier numbers by rateLimitScale (Tier 2: 20 a minute)', async () => {
    const scaled = await createSandbox({ providers: [createSlackSimulator()], seed: 4, size: 20, rateLimitScale: 0.1 });
    try {
      const url = await scaled.listen(0);
      const bearer = scaled.core.simulators[0]?.mint(scaled.ctx, {}).accessToken ?? '';
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(url, 'conversations.list', bearer)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await scaled.close();
    }
  });

  it('limits chat.postMessage per channel', async () => {
    await control('PUT', '/limits', { keyPrefix: 'slack:chat.postMessage:', limit: 2 });
    const [first, second] = channels;
    for (let i = 0; i < 2; i++) expect(((await (await call(base, 'chat.postMessage', token, { channel: first ?? '', text: `m${i}` })).json()) as Json).ok).toBe(true);
    const limited = await call(base, 'chat.postMessage', token, { channel: first ?? '', text: 'too fast' });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect((await call(base, 'chat.postMessage', token, { channel: second ?? '', text: 'other channel' })).status).toBe(200);
  });
});

describe('Slack limits for non-Marketplace apps', () => {
  it('allows one history call a minute with at most 15 messages', async () => {
    await control('POST', '/slack/settings', { nonMarketplace: true });
    try {
      const first = await call(base, 'conversations.history', token, { channel: channels[0] ?? '', limit: '200' });
      const body = (await first.json()) as { messages: unknown[]; has_more: boolean };
      expect(body.messages).toHaveLength(15);
      expect(body.has_more).toBe(true);
      expect((await call(base, 'conversations.history', token, { channel: channels[0] ?? '' })).status).toBe(429);
      sandbox.ctx.clock.advance(60_000);
      expect((await call(base, 'conversations.history', token, { channel: channels[0] ?? '' })).status).toBe(200);
    } finally {
      await control('POST', '/slack/settings', { nonMarketplace: false });
    }
  });
});

describe('Slack injected faults', () => {
  it('fails about the configured share of matching calls with Slack-shaped bodies', async () => {
    await control('PUT', '/limits', { keyPrefix: 'slack:conversations.info:', limit: 10_000 });
    await control('POST', '/faults', { provider: 'slack', kind: 'status', status: 503, rate: 0.3, path: '^/api/conversations\\.' });
    let failed = 0;
    for (let i = 0; i < 150; i++) {
      const response = await call(base, 'conversations.info', token, { channel: channels[0] ?? '' });
      const body = (await response.json()) as Json;
      if (response.status === 503) {
        failed += 1;
        expect(body).toEqual({ ok: false, error: 'service_unavailable' });
      } else {
        expect(body.ok).toBe(true);
      }
    }
    expect(failed).toBeGreaterThan(25);
    expect(failed).toBeLessThan(70);
    expect((await call(base, 'team.info', token)).status).toBe(200);
  });
});
