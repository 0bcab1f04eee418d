import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';

const ADMIN_KEY = 'admin-key-for-api-tests-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

let t: TempPlatform;

interface TenantBody {
  id: string;
  name: string;
}
interface CreatedKeyBody {
  apiKey: { id: string; tenantId: string; prefix: string; name: string };
  key: string;
}
interface ErrorBody {
  error: { code: string; message: string; field?: string; requestId: string };
}

async function createTenant(name: string): Promise<TenantBody> {
  const response = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } });
  expect(response.statusCode).toBe(201);
  return response.json<TenantBody>();
}

async function createKey(tenantId: string, headers: Record<string, string> = admin): Promise<CreatedKeyBody> {
  const response = await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenantId}/api-keys`, headers, payload: { name: 'ci' } });
  expect(response.statusCode).toBe(201);
  return response.json<CreatedKeyBody>();
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY });
});

afterAll(async () => {
  await t.close();
});

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a key, with an unknown key and with a malformed header', async () => {
    for (const headers of [{}, bearer('trb_00000000_nope'), { authorization: 'Basic abc' }]) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/tenants', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json<ErrorBody>().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts the admin key as a bearer token and as x-api-key', async () => {
    const viaBearer = await t.app.inject({ method: 'GET', url: '/v1/me', headers: admin });
    const viaHeader = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { 'x-api-key': ADMIN_KEY } });
    expect(viaBearer.json()).toEqual({ actor: { kind: 'admin', keyId: null, tenantId: null }, tenant: null });
    expect(viaHeader.statusCode).toBe(200);
  });

  it('keeps /health and /ready open', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', backends: { store: 'ok', queue: 'ok' } });
  });
});

describe('validation and errors', () => {
  it('answers 400 naming the field that is missing, unknown or malformed', async () => {
    const cases: [unknown, string][] = [
      [{}, 'body.name'],
      [{ name: 'x', plan: 'gold' }, 'body.plan'],
      [{ name: '' }, 'body.name'],
      [{ name: 42 }, 'body.name'],
      [{ name: 'x', metadata: 'not-an-object' }, 'body.metadata'],
    ];
    for (const [payload, field] of cases) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json<ErrorBody>();
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.field).toBe(field);
      expect(body.error.message).toContain(field);
    }
  });

  it('names the query field of a bad page size', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=0', headers: admin });
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().error.field).toBe('querystring.limit');
  });

  it('answers malformed JSON with 400 on the body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body' });
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND and the request id', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: { 'x-request-id': 'trace-123' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('trace-123');
    expect(response.json<ErrorBody>().error).toMatchObject({ code: 'ROUTE_NOT_FOUND', requestId: 'trace-123' });
  });

  it('replaces an implausible x-request-id with a fresh one', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\nc' } });
    expect(response.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe('tenants and keys', () => {
  it('shows a new key once and stores only its SHA-256 hash', async () => {
    const tenant = await createTenant('Hashed Ltd');
    const created = await createKey(tenant.id);
    expect(created.key).toMatch(/^trb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.apiKey.prefix}_`)).toBe(true);

    const listed = await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}/api-keys`, headers: admin });
    expect(listed.body).not.toContain(created.key);
    expect(listed.body).not.toContain('hash');
    expect(listed.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toEqual([created.apiKey.id]);

    const db = new Database(join(t.dir, 'data', 'tributary.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM api_keys WHERE id = ?').all(created.apiKey.id);
      expect(JSON.stringify(rows)).not.toContain(created.key);
      expect(rows).toEqual([expect.objectContaining({ hash: createHash('sha256').update(created.key).digest('hex') })]);
    } finally {
      db.close();
    }

    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(created.key) });
    expect(me.json()).toMatchObject({ actor: { kind: 'tenant', keyId: created.apiKey.id, tenantId: tenant.id }, tenant: { id: tenant.id } });
  });

  it("keeps tenants apart: another tenant's id answers 404, lists show only one's own", async () => {
    const a = await createTenant('Tenant A');
    const b = await createTenant('Tenant B');
    const keyA = (await createKey(a.id)).key;
    const keyB = await createKey(b.id);
    const asA = bearer(keyA);

    const missing = await t.app.inject({ method: 'GET', url: '/v1/tenants/ten_00000000000000000000000000000000', headers: asA });
    const requests = [
      { method: 'GET' as const, url: `/v1/tenants/${b.id}` },
      { method: 'GET' as const, url: `/v1/tenants/${b.id}/api-keys` },
      { method: 'POST' as const, url: `/v1/tenants/${b.id}/api-keys`, payload: { name: 'sneaky' } },
      { method: 'DELETE' as const, url: `/v1/tenants/${b.id}/api-keys/${keyB.apiKey.id}` },
      { method: 'PATCH' as const, url: `/v1/tenants/${b.id}`, payload: { name: 'mine now' } },
      { method: 'GET' as const, url: `/v1/audit?tenantId=${b.id}` },
    ];
    for (const request of requests) {
      const response = await t.app.inject({ ...request, headers: asA });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
      expect(response.json<ErrorBody>().error.code).toBe('NOT_FOUND');
    }
    expect(missing.statusCode).toBe(404);

    // B's key still works: A's attempt to revoke it changed nothing.
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(keyB.key) })).statusCode).toBe(200);

    const own = await t.app.inject({ method: 'GET', url: `/v1/tenants/${a.id}`, headers: asA });
    expect(own.json<TenantBody>().name).toBe('Tenant A');
    const list = await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: asA });
    expect(list.json<{ items: TenantBody[] }>().items.map((x) => x.id)).toEqual([a.id]);
    const audit = await t.app.inject({ method: 'GET', url: '/v1/audit', headers: asA });
    const tenantsSeen = new Set(audit.json<{ items: { tenantId: string }[] }>().items.map((e) => e.tenantId));
    expect([...tenantsSeen]).toEqual([a.id]);
  });

  it('answers 404 to an admin key naming a tenant that does not exist', async () => {
    const ghost = 'ten_00000000000000000000000000000000';
    for (const request of [
      { method: 'GET' as const, url: `/v1/tenants/${ghost}` },
      { method: 'POST' as const, url: `/v1/tenants/${ghost}/api-keys`, payload: { name: 'x' } },
      { method: 'PATCH' as const, url: `/v1/tenants/${ghost}`, payload: { name: 'x' } },
    ]) {
      const response = await t.app.inject({ ...request, headers: admin });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
      expect(response.json<ErrorBody>().error).toMatchObject({ code: 'NOT_FOUND', field: 'params.tenantId' });
    }
  });

  it('refuses admin actions to a tenant key with 403', async () => {
    const tenant = await createTenant('Limited');
    const key = (await createKey(tenant.id)).key;
    const create = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: bearer(key), payload: { name: 'x' } });
    expect(create.statusCode).toBe(403);
    const patch = await t.app.inject({ method: 'PATCH', url: `/v1/tenants/${tenant.id}`, headers: bearer(key), payload: { name: 'y' } });
    expect(patch.json<ErrorBody>().error.code).toBe('FORBIDDEN');
  });

  it('lets a tenant key manage its own keys, and a revoked key stops working at once', async () => {
    const tenant = await createTenant('Self Service');
    const first = await createKey(tenant.id);
    const second = await createKey(tenant.id, bearer(first.key));
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/tenants/${tenant.id}/api-keys/${second.apiKey.id}`,
      headers: bearer(first.key),
    });
    expect(revoke.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(second.key) })).statusCode).toBe(401);
    const again = await t.app.inject({ method: 'DELETE', url: `/v1/tenants/${tenant.id}/api-keys/${second.apiKey.id}`, headers: admin });
    expect(again.statusCode).toBe(404);
  });

  it('pages through tenants with a cursor', async () => {
    for (const name of ['Page 1', 'Page 2', 'Page 3']) await createTenant(name);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await t.app.inject({ method: 'GET', url: `/v1/tenants?limit=2${query}`, headers: admin });
      const page = response.json<{ items: TenantBody[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});

describe('audit log', () => {
  it('records admin and key actions with actor and request id, and no secret', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...admin, 'x-request-id': 'audit-req-1' },
      payload: { name: 'Audited' },
    });
    const tenant = created.json<TenantBody>();
    const key = await createKey(tenant.id);
    const renamed = await t.app.inject({ method: 'PATCH', url: `/v1/tenants/${tenant.id}`, headers: admin, payload: { name: 'Audited 2' } });
    expect(renamed.json<TenantBody>().name).toBe('Audited 2');

    const response = await t.app.inject({ method: 'GET', url: `/v1/audit?tenantId=${tenant.id}`, headers: admin });
    expect(response.body).not.toContain(key.key);
    const entries = response.json<{ items: { action: string; actor: { kind: string }; requestId: string | null; target: string }[] }>().items;
    expect(entries.map((e) => e.action).sort()).toEqual(['api_key.create', 'tenant.create', 'tenant.update']);
    expect(entries.find((e) => e.action === 'tenant.create')).toMatchObject({ actor: { kind: 'admin' }, requestId: 'audit-req-1', target: tenant.id });
    expect(entries.find((e) => e.action === 'api_key.create')?.target).toBe(key.apiKey.id);
  });
});

describe('OpenAPI', () => {
  it('documents the routes at /docs/json and serves a docs page at /docs', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /ready',
        'GET /v1/me',
        'GET /v1/audit',
        'GET /v1/tenants',
        'POST /v1/tenants',
        'GET /v1/tenants/{tenantId}',
        'PATCH /v1/tenants/{tenantId}',
        'GET /v1/tenants/{tenantId}/api-keys',
        'POST /v1/tenants/{tenantId}/api-keys',
        'DELETE /v1/tenants/{tenantId}/api-keys/{keyId}',
        'GET /v1/rate-limits',
        'PUT /v1/rate-limits/{scope}',
        'POST /v1/rate-limits/{scope}/reset',
      ]),
    );
    // Every operation documents its error answers; liveness and readiness need no key.
    for (const [path, methods] of Object.entries(doc.paths)) {
      // The webhook intake answers each provider in its own terms (webhooks/); not our error body.
      if (path.startsWith('/webhooks/')) continue;
      for (const operation of Object.values(methods) as { responses: Record<string, unknown>; security?: unknown[] }[]) {
        expect(Object.keys(operation.responses), path).toEqual(expect.arrayContaining(['4XX', '5XX']));
        if (path === '/health' || path === '/ready') expect(operation.security).toEqual([]);
      }
    }
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });
});

describe('limits', () => {
  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: admin,
      payload: { name: 'Big', metadata: { blob: 'x'.repeat(1024 * 1024 + 10) } },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json<ErrorBody>().error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
