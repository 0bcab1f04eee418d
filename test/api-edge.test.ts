import { afterEach, describe, expect, it } from 'vitest';
import { buildApi } from '../src/runtime/api/build-api.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';

const ADMIN_KEY = 'edge-test-admin-key-abcdefghijkl';

let t: TempPlatform | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the API edge', () => {
  it('answers an unexpected failure with 500 INTERNAL and keeps the detail in the log only', async () => {
    t = await startTempPlatform({ adminKey: ADMIN_KEY });
    const app = buildApi(t.platform.services, { logger: t.platform.services.logger, docs: false });
    app.get('/boom', async () => {
      throw new Error('database password is hunter2 at /secret/path');
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'boom-1' } });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: { code: 'INTERNAL', message: 'An unexpected error occurred (request boom-1; the log has the detail)', requestId: 'boom-1' },
      });
      expect(response.body).not.toContain('hunter2');
    } finally {
      await app.close();
    }
  });

  it('answers /ready with 503 naming the backend that failed', async () => {
    t = await startTempPlatform({ adminKey: ADMIN_KEY });
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    await t.platform.services.store.close();
    const response = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(503);
    const body = response.json<{ status: string; backends: Record<string, string> }>();
    expect(body.status).toBe('unavailable');
    expect(body.backends.store).not.toBe('ok');
    // Liveness is not readiness: the process itself still answers.
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('logs every request with its request id and never the value of a presented key', async () => {
    t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'trace' });
    const tenant = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'log-req-1' },
      payload: { name: 'Logged' },
    });
    const tenantId = tenant.json<{ id: string }>().id;
    const created = await t.app.inject({
      method: 'POST',
      url: `/v1/tenants/${tenantId}/api-keys`,
      headers: { 'x-api-key': ADMIN_KEY },
      payload: { name: 'logged key' },
    });
    const tenantKey = created.json<{ key: string }>().key;
    await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${tenantKey}`, cookie: `session=${tenantKey}` } });
    await t.app.inject({ method: 'GET', url: '/v1/me', headers: { 'x-api-key': `${tenantKey}-wrong` } });

    const logs = t.logs();
    const lines = logs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.requestId === 'log-req-1').map((line) => line.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
    expect(lines.filter((line) => line.msg === 'incoming request').every((line) => typeof line.requestId === 'string')).toBe(true);
    // The headers are logged, with the credentials masked.
    expect(logs).toContain('"authorization":"[redacted]"');
    expect(logs).toContain('"x-api-key":"[redacted]"');
    expect(logs).not.toContain(ADMIN_KEY);
    expect(logs).not.toContain(tenantKey);
    expect(logs).not.toContain(tenantKey.split('_')[2]);
  });
});
