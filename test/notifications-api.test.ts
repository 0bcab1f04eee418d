import Fastify, { type FastifyBaseLogger } from 'fastify';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { createNotifications, type Notifications } from '../src/notifications/index.ts';
import type { Api } from '../src/runtime/api/build-api.ts';
import { errorHandling } from '../src/runtime/api/errors/error-handler.ts';
import { authentication } from '../src/runtime/api/plugins/auth.ts';
import { tenantScoped } from '../src/runtime/api/plugins/tenant-scope.ts';
import { eventSubscriptionRoutes } from '../src/runtime/api/routes/event-subscriptions.ts';
import { notificationRoutes } from '../src/runtime/api/routes/notifications.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { Json } from './notifications-fixture.ts';

const ADMIN_KEY = 'notifications-test-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let t: TempPlatform;
let sandbox: { url: string; close(): Promise<void> };
let app: Api;
let notifications: Notifications;
let tenantA: string;
let keyA: string;
let keyB: string;
const seen: string[] = [];

async function createTenant(name: string): Promise<{ id: string; key: string }> {
  const tenant = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } });
  const id = tenant.json<{ id: string }>().id;
  const key = await t.app.inject({ method: 'POST', url: `/v1/tenants/${id}/api-keys`, headers: admin, payload: { name: 'ci' } });
  return { id, key: key.json<{ key: string }>().key };
}

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, key: string, payload?: unknown): Promise<{ status: number; body: Json }> {
  const response = await app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  seen.push(response.body);
  return { status: response.statusCode, body: response.body === '' ? null : response.json() };
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'debug' });
  sandbox = await startSandbox({ port: 0, size: 10 });
  const services = t.platform.services;
  // Public names resolve to a private address here: the policy must refuse them too.
  const resolveHost = async (host: string) => (host === 'sneaky.example.com' ? ['10.1.2.3'] : ['93.184.216.34']);
  notifications = createNotifications({ ...services, logger: services.logger, publicUrl: 'https://tributary.example.com', egress: { allowPrivate: false, allowHosts: ['127.0.0.1'] }, resolveHost });
  app = Fastify({ loggerInstance: services.logger as FastifyBaseLogger }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorHandling);
  await app.register(
    async (v1) => {
      await v1.register(authentication, { apiKeys: services.apiKeys });
      await v1.register(tenantScoped(notificationRoutes), { tenants: services.tenants, notifications: notifications.admin });
      await v1.register(tenantScoped(notificationRoutes), { prefix: '/tenants/:tenantId', tenants: services.tenants, notifications: notifications.admin });
      await v1.register(tenantScoped(eventSubscriptionRoutes), { tenants: services.tenants, eventSubscriptions: notifications.hostEvents.subscriptions });
    },
    { prefix: '/v1' },
  );
  await app.ready();
  ({ id: tenantA, key: keyA } = await createTenant('A'));
  ({ key: keyB } = await createTenant('B'));
});

afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  await t?.close();
});

describe('notification channels and rules API', () => {
  let channelId: string;
  let hookId: string;
  let hookUrl: string;

  it('creates a Slack webhook channel, shows only the masked host, and sends a test message now', async () => {
    const hook = (await (await fetch(`${sandbox.url}/_sandbox/slack/incoming-webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":"general"}' })).json()) as Json;
    hookId = hook.id;
    hookUrl = hook.url;
    const created = await call('POST', '/v1/notification-channels', keyA, { name: 'ops', kind: 'slack_webhook', url: hookUrl });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ops', kind: 'slack_webhook', target: `${new URL(hookUrl).host}/…`, status: 'active', failureCount: 0 });
    channelId = created.body.id;
    const tested = await call('POST', `/v1/notification-channels/${channelId}/test`, keyA);
    expect(tested).toMatchObject({ status: 200, body: { delivered: true, error: null, channel: { status: 'active' } } });
    const posts = ((await (await fetch(`${sandbox.url}/_sandbox/slack/incoming-webhooks/${hookId}`)).json()) as Json).posts;
    expect(posts).toHaveLength(1);
    expect(posts[0].body.text).toBe('Tributary test message for channel ops: notifications reach this channel.');
    expect((await call('GET', '/v1/notification-channels', keyA)).body.items.map((c: Json) => c.id)).toEqual([channelId]);
  });

  it('creates, lists, updates and deletes rules; unknown event types are refused', async () => {
    const rule = await call('POST', '/v1/notification-rules', keyA, { name: 'failures', channelId, eventTypes: ['sync.failed', 'webhook.disabled'], minSeverity: 'critical' });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ channelId, eventTypes: ['sync.failed', 'webhook.disabled'], minSeverity: 'critical', foldWindowMs: 600_000, digestIntervalMs: null, enabled: true });
    const updated = await call('PUT', `/v1/notification-rules/${rule.body.id}`, keyA, { digestIntervalMs: 3_600_000, minSeverity: 'warning' });
    expect(updated.body).toMatchObject({ digestIntervalMs: 3_600_000, minSeverity: 'warning', name: 'failures' });
    const bad = await call('POST', '/v1/notification-rules', keyA, { name: 'x', channelId, eventTypes: ['sync.exploded'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await call('GET', '/v1/notification-rules', keyA)).body.items).toHaveLength(1);
    expect((await call('DELETE', `/v1/notification-rules/${rule.body.id}`, keyA)).status).toBe(204);
    expect((await call('GET', `/v1/notification-rules/${rule.body.id}`, keyA)).status).toBe(404);
  });

  it("answers 404 for another tenant's channel and rule, and never lists them", async () => {
    const rule = await call('POST', '/v1/notification-rules', keyA, { name: 'mine', channelId });
    for (const [method, url] of [
      ['GET', `/v1/notification-channels/${channelId}`],
      ['PUT', `/v1/notification-channels/${channelId}`],
      ['DELETE', `/v1/notification-channels/${channelId}`],
      ['POST', `/v1/notification-channels/${channelId}/test`],
      ['GET', `/v1/notification-rules/${rule.body.id}`],
      ['DELETE', `/v1/notification-rules/${rule.body.id}`],
    ] as const) {
      const answer = await call(method, url, keyB, method === 'PUT' ? { name: 'stolen' } : undefined);
      expect(answer.status, `${method} ${url}`).toBe(404);
    }
    // Tenant B cannot point its own rule at A's channel either.
    expect((await call('POST', '/v1/notification-rules', keyB, { name: 'theirs', channelId })).status).toBe(404);
    expect((await call('GET', '/v1/notification-channels', keyB)).body.items).toEqual([]);
    expect((await call('GET', `/v1/tenants/${tenantA}/notification-channels`, keyB)).status).toBe(404);
    expect((await call('GET', `/v1/notification-channels/${channelId}`, keyA)).body.name).toBe('ops');
  });

  it('refuses URLs that point at private addresses unless the operator allows them', async () => {
    for (const url of ['http://10.0.0.5/hook', 'https://sneaky.example.com/hook', 'http://[::1]:8080/x', 'https://user:pw@hooks.slack.com/services/x']) {
      const refused = await call('POST', '/v1/notification-channels', keyA, { name: 'bad', kind: 'teams_workflow', url });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.url' });
    }
    const allowed = await call('POST', '/v1/notification-channels', keyA, { name: 'public', kind: 'teams_workflow', url: 'https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=TOPSECRET123' });
    expect(allowed.status).toBe(201);
    expect(allowed.body.target).toBe('prod-01.westus.logic.azure.com/…');
    expect((await call('DELETE', `/v1/notification-channels/${allowed.body.id}`, keyA)).status).toBe(204);
  });

  it('marks a channel disabled when its test hits a revoked webhook, and re-enables it with a new URL', async () => {
    await fetch(`${sandbox.url}/_sandbox/slack/incoming-webhooks/${hookId}`, { method: 'DELETE' });
    const tested = await call('POST', `/v1/notification-channels/${channelId}/test`, keyA);
    expect(tested.body).toMatchObject({ delivered: false, error: 'PROVIDER_REJECTED: Slack webhook answered 404 no_service', channel: { status: 'disabled', failureCount: 1 } });
    const hook = (await (await fetch(`${sandbox.url}/_sandbox/slack/incoming-webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":"general"}' })).json()) as Json;
    hookUrl = hook.url;
    const updated = await call('PUT', `/v1/notification-channels/${channelId}`, keyA, { url: hookUrl });
    expect(updated.body).toMatchObject({ status: 'active', failureCount: 0, lastError: null });
    expect((await call('POST', `/v1/notification-channels/${channelId}/test`, keyA)).body.delivered).toBe(true);
  });

  it('never shows a webhook URL in responses or logs', async () => {
    const logs = t.logs();
    for (const secret of [new URL(hookUrl).pathname, 'TOPSECRET123']) {
      for (const body of seen) expect(body).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(seen.length).toBeGreaterThan(10);
  });

  it('records who changed channels and rules in the audit log, without the URL', async () => {
    const page = await t.platform.services.store.audit.list({ tenantId: tenantA, limit: 100 });
    const actions = page.items.map((entry) => entry.action);
    for (const action of ['notification_channel.create', 'notification_channel.update', 'notification_channel.delete', 'notification_rule.create', 'notification_rule.update', 'notification_rule.delete']) {
      expect(actions, action).toContain(action);
    }
    expect(page.items.find((entry) => entry.action === 'notification_channel.create')?.actor).toMatchObject({ kind: 'tenant', tenantId: tenantA });
    const json = JSON.stringify(page.items);
    expect(json).not.toContain(new URL(hookUrl).pathname);
    expect(json).not.toContain('TOPSECRET123');
  });
});

describe('event subscriptions API', () => {
  it('returns the signing secret only at creation and rotation, isolates tenants and refuses private URLs', async () => {
    const created = await call('POST', '/v1/event-subscriptions', keyA, { url: 'https://hooks.host-product.example.com/tributary', eventTypes: ['entity.created', 'run.completed'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.subscription).toMatchObject({ status: 'active', eventTypes: ['entity.created', 'run.completed'], failingSince: null });
    const id = created.body.subscription.id;
    const read = await call('GET', `/v1/event-subscriptions/${id}`, keyA);
    expect(JSON.stringify(read.body)).not.toContain(created.body.secret);
    const rotated = await call('POST', `/v1/event-subscriptions/${id}/rotate-secret`, keyA, { overlapMs: 3_600_000 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    for (const [method, url] of [
      ['GET', `/v1/event-subscriptions/${id}`],
      ['PUT', `/v1/event-subscriptions/${id}`],
      ['DELETE', `/v1/event-subscriptions/${id}`],
      ['POST', `/v1/event-subscriptions/${id}/rotate-secret`],
      ['GET', `/v1/event-subscriptions/${id}/deliveries`],
    ] as const) {
      expect((await call(method, url, keyB, method === 'PUT' ? { description: 'x' } : method === 'POST' ? {} : undefined)).status, `${method} ${url}`).toBe(404);
    }
    const refused = await call('POST', '/v1/event-subscriptions', keyA, { url: 'http://192.168.1.20/hook' });
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.url' });
    expect((await call('GET', `/v1/event-subscriptions/${id}/deliveries`, keyA)).body.items).toEqual([]);
    const disabled = await call('PUT', `/v1/event-subscriptions/${id}`, keyA, { enabled: false });
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'disabled through the API' });
    expect((await call('DELETE', `/v1/event-subscriptions/${id}`, keyA)).status).toBe(204);
    const logs = t.logs();
    for (const secret of [created.body.secret, rotated.body.secret]) {
      expect(logs).not.toContain(secret);
      expect(seen.filter((body) => body.includes(secret))).toHaveLength(1);
    }
  });
});

describe('the platform API', () => {
  it('serves the notification and event-subscription routes, for tenant keys and admin keys, under the platform egress policy', async () => {
    const { key, id } = await createTenant('C');
    const list = await t.app.inject({ method: 'GET', url: '/v1/notification-channels', headers: bearer(key) });
    expect(list.json()).toEqual({ items: [] });
    expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${id}/notification-rules`, headers: admin })).json()).toEqual({ items: [] });
    expect((await t.app.inject({ method: 'GET', url: '/v1/event-subscriptions', headers: bearer(key) })).json()).toEqual({ items: [] });
    // The platform here allows no private egress: the sandbox's loopback URL is refused.
    const refused = await t.app.inject({ method: 'POST', url: '/v1/notification-channels', headers: bearer(key), payload: { name: 'x', kind: 'slack_webhook', url: `${sandbox.url}/slack/services/T/B/x` } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.url' });
  });
});
