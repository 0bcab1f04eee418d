import { afterEach, describe, expect, it } from 'vitest';
import { startNotion, type NotionHarness } from './test-harness.ts';

let h: NotionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function authorize(base: string): Promise<string> {
  const url = `${base}/notion/v1/oauth/authorize?client_id=sandbox-notion-client&response_type=code&owner=user&redirect_uri=${encodeURIComponent('https://app.example.com/cb')}&state=xyz`;
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe('https://app.example.com/cb');
  expect(location.searchParams.get('state')).toBe('xyz');
  return location.searchParams.get('code') ?? '';
}

async function token(base: string, body: Record<string, unknown>, secret = 'sandbox-notion-secret') {
  const res = await fetch(`${base}/notion/v1/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic('sandbox-notion-client', secret), 'content-type': 'application/json', 'notion-version': '2025-09-03' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('Notion auth', () => {
  it('answers a missing Notion-Version with 400 missing_version and a bad token with 401 unauthorized', async () => {
    h = await startNotion();
    const noVersion = await fetch(`${h.base}/notion/v1/users/me`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ object: 'error', status: 400, code: 'missing_version' });
    const bad = await h.call('GET', '/notion/v1/users/me', undefined, { authorization: 'Bearer ntn_not_a_token' });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' });
    expect(typeof bad.json.request_id).toBe('string');
  });

  it('runs the OAuth code flow; access tokens expire on the clock and refresh rotates the refresh token', async () => {
    h = await startNotion({ tokenLifetimes: { notion: { accessSeconds: 3600 } } });
    const code = await authorize(h.base);
    const wrongSecret = await token(h.base, { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/cb' }, 'wrong');
    expect(wrongSecret.status).toBe(401);
    const code2 = await authorize(h.base);
    const issued = await token(h.base, { grant_type: 'authorization_code', code: code2, redirect_uri: 'https://app.example.com/cb' });
    expect(issued.status).toBe(200);
    expect(issued.json).toMatchObject({ token_type: 'bearer', workspace_name: 'Tributary Sandbox' });
    for (const k of ['access_token', 'refresh_token', 'bot_id', 'workspace_id', 'owner']) expect(issued.json[k], k).toBeTruthy();
    const reuse = await token(h.base, { grant_type: 'authorization_code', code: code2, redirect_uri: 'https://app.example.com/cb' });
    expect(reuse.json.error).toBe('invalid_grant');

    const me = (access: unknown) => h!.call('GET', '/notion/v1/users/me', undefined, { authorization: `Bearer ${String(access)}` });
    expect((await me(issued.json.access_token)).status).toBe(200);
    h.sandbox.ctx.clock.advance(3601_000);
    expect((await me(issued.json.access_token)).status).toBe(401);

    const refreshed = await token(h.base, { grant_type: 'refresh_token', refresh_token: issued.json.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(issued.json.refresh_token);
    expect((await me(refreshed.json.access_token)).status).toBe(200);
    const old = await token(h.base, { grant_type: 'refresh_token', refresh_token: issued.json.refresh_token });
    expect(old.status).toBe(400);
    expect(old.json).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('rate-limits a connection with 429 rate_limited, an integer Retry-After and the limit reason', async () => {
    h = await startNotion({ rateLimitScale: 0.05 });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<NotionHarness['call']>> | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await h.call('GET', '/notion/v1/users/me');
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    // 180 per minute x 0.05 = 9 calls fit the window.
    expect(statuses.slice(0, 9).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(9).every((s) => s === 429)).toBe(true);
    expect(limited?.json).toMatchObject({ object: 'error', status: 429, code: 'rate_limited', additional_data: { rate_limit_reason: 'connection_rate_limit' } });
    const retryAfter = limited?.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    h.sandbox.ctx.clock.advance(61_000);
    expect((await h.call('GET', '/notion/v1/users/me')).status).toBe(200);
  });

  it('rate-limits a workspace across connections with its own reason', async () => {
    h = await startNotion();
    h.sandbox.ctx.limits.override('notion:workspace:', 3);
    const statuses: number[] = [];
    let limited: Record<string, unknown> = {};
    for (let i = 0; i < 4; i++) {
      const res = await h.call('GET', '/notion/v1/users/me');
      statuses.push(res.status);
      limited = res.json;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(limited).toMatchObject({ code: 'rate_limited', additional_data: { rate_limit_reason: 'workspace_rate_limit' } });
    expect(h.sandbox.ctx.limits.rejections('notion')).toBe(1);
  });

  it('injects 529 service_overload at the configured rate, in Notion error shape', async () => {
    h = await startNotion();
    const added = await fetch(`${h.base}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'notion', kind: 'status', status: 529, rate: 0.3, retryAfterSeconds: 2 }),
    });
    expect(added.status).toBe(201);
    let overloaded = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const res = await h.call('GET', '/notion/v1/users/me');
      if (res.status === 529) {
        overloaded++;
        expect(res.json).toMatchObject({ object: 'error', status: 529, code: 'service_overload' });
        expect(res.headers.get('retry-after')).toBe('2');
      } else expect(res.status).toBe(200);
    }
    expect(overloaded / n).toBeGreaterThan(0.22);
    expect(overloaded / n).toBeLessThan(0.38);
  });

  it('refuses writes Notion refuses, in Notion words', async () => {
    h = await startNotion();
    const info = (await (await fetch(`${h.base}/_sandbox/notion/info`)).json()) as { data_sources: { id: string; object: string }[] };
    const ds = info.data_sources.find((d) => d.object === 'contacts')?.id;
    const create = (properties: unknown) => h!.call('POST', '/notion/v1/pages', { parent: { data_source_id: ds }, properties });
    const long = await create({ Name: { title: [{ text: { content: 'x'.repeat(2001) } }] } });
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({
      code: 'validation_error',
      message: 'body failed validation: body.properties.Name.title[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    });
    expect((await create({ Nope: { checkbox: true } })).json.message).toBe('Nope is not a property that exists.');
    expect((await create({ Email: { number: 3 } })).json.message).toBe('Email is expected to be email.');
    expect((await create({ ID: { unique_id: { number: 3 } } })).json.code).toBe('validation_error');
    const ok = await create({ Name: { title: [{ text: { content: 'Ok' } }] }, Stage: { select: { name: 'Brand new stage' } } });
    expect(ok.status).toBe(200);
    expect((ok.json.properties as Record<string, { select: { name: string } }>).Stage?.select.name).toBe('Brand new stage');
    const unknownPage = await h.call('GET', '/notion/v1/pages/00000000-0000-4000-8000-000000000000');
    expect(unknownPage.status).toBe(404);
    expect(unknownPage.json.code).toBe('object_not_found');
    const badJson = await fetch(`${h.base}/notion/v1/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: '{"query":',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { code: string }).code).toBe('invalid_json');
  });
});
