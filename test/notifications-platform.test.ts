import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { notifierRole } from '../src/runtime/roles/notifier.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { Json } from './notifications-fixture.ts';

const ADMIN_KEY = 'notifications-platform-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

let t: TempPlatform;
let sandbox: { url: string; close(): Promise<void> };

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, allowPrivateEgress: true, publicUrl: 'https://tributary.example.com' });
  sandbox = await startSandbox({ port: 0, size: 10 });
});
afterAll(async () => {
  await sandbox?.close();
  await t?.close();
});

describe('notifications in the composed platform', () => {
  it('takes a channel and a rule through the API and delivers an event with the notifier role', async () => {
    const tenant = (await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name: 'Acme' } })).json<{ id: string }>();
    const hook = (await (await fetch(`${sandbox.url}/_sandbox/slack/incoming-webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as Json;
    const channel = await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenant.id}/notification-channels`, headers: admin, payload: { name: 'ops', kind: 'slack_webhook', url: hook.url } });
    expect(channel.statusCode).toBe(201);
    const rule = await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenant.id}/notification-rules`, headers: admin, payload: { name: 'all', channelId: channel.json().id } });
    expect(rule.statusCode).toBe(201);

    const role = await notifierRole.start({ services: t.platform.services, logger: t.platform.services.logger, notifier: { flushIntervalMs: 60_000 } });
    try {
      t.platform.services.notifications.sink({
        type: 'connection.needs_reauth',
        tenantId: tenant.id,
        severity: 'critical',
        subject: { kind: 'connection', id: 'con_1' },
        at: Date.now(),
        facts: { provider: 'google', reason: 'invalid_grant' },
      });
      const deadline = Date.now() + 5000;
      let posts: Json[] = [];
      while (posts.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        posts = ((await (await fetch(`${sandbox.url}/_sandbox/slack/incoming-webhooks/${hook.id}`)).json()) as Json).posts;
      }
      expect(posts).toHaveLength(1);
      expect(posts[0].body.text).toBe('🚨 Connection needs re-authorisation: connection con_1');
      expect(JSON.stringify(posts[0].body)).toContain('https://tributary.example.com/#/connections/con_1');
    } finally {
      await role.stop();
    }
    expect(t.logs()).toContain('notifier role started');
    expect(t.logs()).not.toContain(new URL(hook.url).pathname);
  });
});
