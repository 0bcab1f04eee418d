import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox/index.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { startTokenRefresher } from '../src/runtime/roles/token-refresher.ts';
import type { TokenRefresher } from '../src/runtime/roles/token-refresher.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { connectByOAuth, sandboxOAuthOptions } from './fixtures/connections-sandbox.ts';
import type { ConnectionBody } from './fixtures/connections-sandbox.ts';

const ADMIN_KEY = 'refresher-test-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

let sandbox: Sandbox;
let base: string;
let t: TempPlatform;
let connection: ConnectionBody;
const running: TokenRefresher[] = [];

async function googleRefreshes(): Promise<number> {
  const tokens = (await (await fetch(`${base}/_sandbox/tokens`)).json()) as { refreshCounts: Record<string, number> };
  return tokens.refreshCounts.google ?? Number.NaN;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function refresher(owner: string, intervalMs: number, windowMs: number, runAtStart = true): TokenRefresher {
  const started = startTokenRefresher({
    credentials: t.platform.services.credentials,
    locks: t.platform.services.locks,
    logger: t.platform.services.logger,
    intervalMs,
    windowMs,
    owner,
    runAtStart,
  });
  running.push(started);
  return started;
}

beforeAll(async () => {
  // Google access tokens last 10 minutes here, so a 15-minute window always finds one due.
  sandbox = await createSandbox({ seed: 3, size: 60, rateLimitScale: 100, tokenLifetimes: { google: { accessSeconds: 600 } } });
  base = await sandbox.listen(0);
  t = await startTempPlatform({ adminKey: ADMIN_KEY, allowPrivateEgress: true, logLevel: 'warn', ...sandboxOAuthOptions() });
  const tenant = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name: 'R' } });
  ({ connection } = await connectByOAuth(t, base, admin, 'google', {}, `/v1/tenants/${tenant.json<{ id: string }>().id}/connections`));
  expect(connection.status).toBe('active');
});

afterAll(async () => {
  for (const started of running) await started.stop();
  await t?.close();
  await sandbox?.close();
});

describe('the token refresher', () => {
  it('refreshes credentials expiring within the window at start and every interval, as the one leader, and stops cleanly', async () => {
    const before = await googleRefreshes();
    expect(before).toBe(0);
    const leader = refresher('process-a', 300, 15 * 60_000);
    await until(async () => (await googleRefreshes()) >= 2);

    // A second process finds the lease held: it does nothing.
    const follower = refresher('process-b', 60 * 60_000, 15 * 60_000, false);
    expect(await follower.runOnce()).toBeNull();

    await leader.stop();
    const afterStop = await googleRefreshes();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await googleRefreshes()).toBe(afterStop);

    // The lease was released: the other process leads now.
    expect(await follower.runOnce()).toMatchObject({ refreshed: 1, failed: 0 });
    await follower.stop();

    const info = await t.platform.services.credentials.info(connection.tenantId, connection.credential?.id ?? '');
    expect(info.refreshCount).toBe(afterStop + 1);
    const validated = await t.app.inject({ method: 'POST', url: `/v1/tenants/${connection.tenantId}/connections/${connection.id}/validate`, headers: admin });
    expect(validated.json<ConnectionBody>().status).toBe('active');
  });

  it('leaves alone credentials that expire after the window', async () => {
    const quiet = refresher('process-c', 60 * 60_000, 60_000, false);
    expect(await quiet.runOnce()).toMatchObject({ refreshed: 0, failed: 0 });
    await quiet.stop();
  });
});
