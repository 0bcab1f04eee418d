import { afterEach, describe, expect, it } from 'vitest';
import { startTempPlatform, type TempPlatform } from '../testing/temp-platform.ts';
import type { RoleContext, RunningRole } from './role.ts';
import { webhookReceiverRole } from './webhook-receiver.ts';

let t: TempPlatform | null = null;
let running: RunningRole | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
  await t?.close();
  t = null;
});

function context(platform: TempPlatform, roles: RoleContext['roles']): RoleContext {
  return {
    services: platform.platform.services,
    server: { port: 0, host: '127.0.0.1' },
    tokenRefresher: { intervalMs: 60_000, windowMs: 60_000 },
    leader: { leaseMs: 15_000 }, retention: { purgeIntervalMs: 3_600_000 },
    workers: { leaseMs: null },
    roles,
    logger: platform.platform.services.logger,
  };
}

describe('the webhook-receiver role', () => {
  it('alone, serves the webhook intake and health on a server of its own, and no tenant API', async () => {
    t = await startTempPlatform({ adminKey: 'receiver-test-admin-key-012345', logLevel: 'warn' });
    running = await webhookReceiverRole.start(context(t, ['webhook-receiver']));
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const base = running.url!;

    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/ready`)).json()).toMatchObject({ status: 'ready' });
    const intake = await fetch(`${base}/webhooks/whr_nope/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(intake.status).toBe(404);
    expect(((await intake.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    // Even with the admin key, nothing of the tenant API, the docs or the UI is here.
    const admin = { authorization: 'Bearer receiver-test-admin-key-012345' };
    for (const path of ['/v1/tenants', '/v1/me', '/docs', '/']) {
      expect((await fetch(`${base}${path}`, { headers: admin })).status, path).toBe(404);
    }
  });

  it('beside the api role, leaves the intake to the API server and listens on nothing', async () => {
    t = await startTempPlatform({ logLevel: 'warn' });
    running = await webhookReceiverRole.start(context(t, ['api', 'webhook-receiver']));
    expect(running.url).toBeUndefined();
  });
});
