import { afterEach, describe, expect, it } from 'vitest';
import { SandboxHttpError } from './errors.ts';
import { buildSandbox, type Sandbox } from './server.ts';
import type { ProviderSimulator, SandboxContext } from './types.ts';

/** Response bodies in these tests are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A minimal provider written for these tests: one echo route, a records list, truth entries. */
function testSimulator(): ProviderSimulator {
  let items: { id: string; name: string; truthId: string }[] = [];
  return {
    name: 'github',
    register(app, ctx) {
      app.get('/echo', async () => ({ ok: true, padding: 'x'.repeat(200) }));
      app.post('/echo', async (request) => ({ got: request.body }));
      app.get('/private', async (request, reply) => {
        const check = ctx.tokens.check('github', request.headers.authorization);
        return check.ok ? { account: check.grant.account } : reply.code(401).send({ message: 'Bad credentials' });
      });
    },
    seed(ctx: SandboxContext) {
      items = ctx.people.variantsFor('github', 0.5).map((v, i) => ({ id: String(i + 1), name: v.githubLogin ?? '', truthId: v.truthId }));
      for (const it of items) ctx.truth.record({ provider: 'github', object: 'users', externalId: it.id, truthId: it.truthId });
    },
    control: {
      objects: () => ['users'],
      list: (_o, { limit, offset }) => ({ total: items.length, records: items.slice(offset, offset + limit) }),
      create: (_o, fields) => {
        const item = { id: String(items.length + 1), name: String(fields.name), truthId: '' };
        items.push(item);
        return item;
      },
      update: (_o, id, fields) => {
        const item = items.find((i) => i.id === id);
        if (!item) throw new SandboxHttpError(404, 'no such user');
        item.name = String(fields.name);
        return item;
      },
      remove: (_o, id) => {
        const before = items.length;
        items = items.filter((i) => i.id !== id);
        return items.length < before;
      },
    },
    mint: (ctx, input) =>
      ctx.tokens.issue(
        { provider: 'github', clientId: 'sandbox-github-client', account: input.account ?? 'octocat', scopes: input.scopes ?? [], extra: {} },
        { accessPrefix: 'ghu_', accessSeconds: input.accessSeconds ?? 3600, rotateRefresh: false },
      ),
    faultResponse: (status) => ({ body: { message: `Server Error ${status}`, documentation_url: 'https://docs.github.com' } }),
  };
}

let sandbox: Sandbox | null = null;
let base = '';
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

async function start(seed = 7) {
  sandbox = await buildSandbox({ providers: [testSimulator()], seed, size: 200 });
  base = await sandbox.listen(0);
  return sandbox;
}
const json = (method: string, body?: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
const control = async (path: string, init?: RequestInit) => (await fetch(`${base}/_sandbox${path}`, init)).json() as Json;

describe('sandbox server and control API', () => {
  it('updates ctx.options.baseUrl on listen and reports itself', async () => {
    const sb = await start();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.ctx.options.baseUrl).toBe(base);
    expect(await control('/')).toMatchObject({ seed: 7, size: 200, providers: ['github'], baseUrl: base });
  });

  it('injects status faults at roughly the configured rate, reproducibly, with the provider body', async () => {
    const rates: number[][] = [];
    for (let run = 0; run < 2; run++) {
      await start(99);
      const fault = await control('/faults', json('POST', { provider: 'github', kind: 'status', status: 503, rate: 0.3, path: '^/echo' }));
      expect(fault.id).toMatch(/^fault_/);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await fetch(`${base}/github/echo`)).status);
      rates.push(statuses);
      const failed = statuses.filter((s) => s === 503).length;
      expect(failed / 200).toBeGreaterThan(0.2);
      expect(failed / 200).toBeLessThan(0.4);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      const listed = await control('/faults');
      expect(listed.faults[0]).toMatchObject({ matched: 200, applied: failed });
      const one = await fetch(`${base}/github/echo`);
      if (one.status === 503) expect(await one.json() as Json).toMatchObject({ message: 'Server Error 503' });
      await sandbox?.close();
      sandbox = null;
    }
    expect(rates[0]).toEqual(rates[1]);
  });

  it('applies a counted fault only N times and can be removed', async () => {
    await start();
    await control('/faults', json('POST', { provider: 'github', kind: 'status', status: 429, count: 2, retryAfterSeconds: 7 }));
    const first = await fetch(`${base}/github/echo`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await fetch(`${base}/github/echo`)).status).toBe(429);
    expect((await fetch(`${base}/github/echo`)).status).toBe(200);
    await control('/faults', json('POST', { provider: 'github', kind: 'status', status: 500 }));
    expect((await fetch(`${base}/github/echo`)).status).toBe(500);
    expect(await control('/faults', { method: 'DELETE' })).toEqual({ removed: 2 });
    expect((await fetch(`${base}/github/echo`)).status).toBe(200);
  });

  it('truncates JSON, drops connections, holds for timeouts and slows responses', async () => {
    await start();
    await control('/faults', json('POST', { provider: 'github', kind: 'malformed', count: 1 }));
    const text = await (await fetch(`${base}/github/echo`)).text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text.startsWith('{"ok":true')).toBe(true);

    await control('/faults', json('POST', { provider: 'github', kind: 'drop', count: 1 }));
    await expect(fetch(`${base}/github/echo`)).rejects.toThrow();

    await control('/faults', json('POST', { provider: 'github', kind: 'timeout', count: 1, delayMs: 60_000 }));
    const started = Date.now();
    await expect(fetch(`${base}/github/echo`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    await control('/faults', json('POST', { provider: 'github', kind: 'slow', count: 1, delayMs: 200 }));
    const t0 = Date.now();
    expect((await fetch(`${base}/github/echo`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);

    const log = await control('/requests?provider=github');
    expect(log.requests.map((r: { fault: string | null }) => r.fault)).toEqual(['malformed', 'drop', 'timeout', 'slow']);
    expect(log.requests.map((r: { status: number | null }) => r.status)).toEqual([200, null, null, 200]);
  });

  it('logs every provider request with masked credentials, filters and clears', async () => {
    await start();
    const minted = await control('/tokens', json('POST', { provider: 'github', account: 'hubot' }));
    expect((await fetch(`${base}/github/private`, { headers: { authorization: `Bearer ${minted.accessToken}` } })).status).toBe(200);
    await fetch(`${base}/github/echo`, json('POST', { hello: 'world', client_secret: 'sandbox-github-secret' }));
    await fetch(`${base}/github/nowhere?x=1`);
    const all = await control('/requests');
    expect(all.count).toBe(3);
    const [priv, post, missing] = all.requests;
    expect(priv).toMatchObject({ provider: 'github', method: 'GET', path: '/github/private', status: 200 });
    expect(priv.headers.authorization).not.toContain(minted.accessToken);
    expect(priv.headers.authorization.startsWith('Bearer ghu_')).toBe(true);
    expect(post.body).toMatchObject({ hello: 'world' });
    expect(post.body.client_secret).not.toBe('sandbox-github-secret');
    expect(missing).toMatchObject({ path: '/github/nowhere', query: { x: '1' }, status: 404 });
    expect((await control('/requests?method=post')).count).toBe(1);
    expect((await control('/requests?path=/priv')).count).toBe(1);
    expect((await control('/requests?path=/^\\/github\\/(echo|nowhere)/')).count).toBe(2);
    await control('/requests', { method: 'DELETE' });
    expect((await control('/requests')).count).toBe(0);
  });

  it('mints tokens that expire when the clock advances', async () => {
    await start();
    const minted = await control('/tokens', json('POST', { provider: 'github', accessSeconds: 30 }));
    expect(minted.expiresIn).toBe(30);
    const call = () => fetch(`${base}/github/private`, { headers: { authorization: `Bearer ${minted.accessToken}` } });
    expect((await call()).status).toBe(200);
    const advanced = await control('/clock/advance', json('POST', { ms: 31_000 }));
    expect(advanced.offsetMs).toBe(31_000);
    expect((await call()).status).toBe(401);
    expect((await fetch(`${base}/_sandbox/tokens`, json('POST', { provider: 'nobody' }))).status).toBe(400);
    expect(await control('/tokens')).toEqual({ refreshCounts: { github: 0 }, clients: { github: ['sandbox-github-client'] } });
  });

  it('serves ground truth as JSON and CSV, edits records and resets to the seed', async () => {
    await start();
    const truth = await control('/ground-truth');
    expect(truth.count).toBeGreaterThan(60);
    expect(truth.entries[0]).toMatchObject({ provider: 'github', object: 'users', externalId: '1' });
    const csv = await (await fetch(`${base}/_sandbox/ground-truth?format=csv`)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('provider,object,externalId,truthId');
    expect(lines).toHaveLength(truth.count + 1);
    expect(lines[1]).toBe(`github,users,1,${truth.entries[0].truthId}`);

    expect(await control('/github/objects')).toEqual({ objects: ['users'] });
    const page = await control('/github/users?limit=2&offset=1');
    expect(page.records.map((r: { id: string }) => r.id)).toEqual(['2', '3']);
    const created = await control('/github/users', json('POST', { name: 'new-user' }));
    expect(created.name).toBe('new-user');
    expect(await control('/github/users/1', json('PATCH', { name: 'renamed' }))).toMatchObject({ id: '1', name: 'renamed' });
    const missing = await fetch(`${base}/_sandbox/github/users/99999`, json('PATCH', { name: 'x' }));
    expect(missing.status).toBe(404);
    expect((await fetch(`${base}/_sandbox/github/users/1`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${base}/_sandbox/github/users/1`, { method: 'DELETE' })).status).toBe(404);

    const before = truth.entries.map((e: { truthId: string }) => e.truthId);
    expect(await control('/reset', json('POST', { seed: 7, size: 200 }))).toEqual({ seed: 7, size: 200 });
    expect((await control('/ground-truth')).entries.map((e: { truthId: string }) => e.truthId)).toEqual(before);
    expect((await control('/github/users?limit=1')).records[0].id).toBe('1');
    await control('/reset', json('POST', { seed: 8 }));
    expect((await control('/ground-truth')).entries.map((e: { truthId: string }) => e.truthId)).not.toEqual(before);
  });

  it('lowers a limit through the control API and shows usage', async () => {
    const sb = await start();
    const rule = { key: 'github:core:octocat', limit: 5000, windowMs: 3_600_000 };
    sb.ctx.limits.take(rule);
    expect((await control('/limits', json('PUT', { keyPrefix: 'github:core', limit: 1 }))).overrides).toEqual([{ keyPrefix: 'github:core', limit: 1 }]);
    expect(sb.ctx.limits.take(rule).allowed).toBe(false);
    sb.ctx.limits.recordRejection('github');
    const limits = await control('/limits');
    expect(limits.counters).toEqual([expect.objectContaining({ key: 'github:core:octocat', limit: 1, used: 1 })]);
    expect(limits.rejections.github).toBe(1);
    expect((await fetch(`${base}/_sandbox/limits`, json('PUT', { limit: 3 }))).status).toBe(400);
  });
});
