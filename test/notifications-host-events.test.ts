import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostEvent } from '../src/notifications/index.ts';
import { verifyStandardWebhook } from '../src/webhooks/index.ts';
import { SYSTEM, startNotificationWorld, waitFor, type NotificationWorld } from './notifications-fixture.ts';

/** A host-product endpoint on 127.0.0.1: answers each request with the next scripted answer (then 200). */
interface Receiver {
  readonly url: string;
  readonly received: { headers: IncomingHttpHeaders; body: string }[];
  script(...answers: { status: number; headers?: Record<string, string> }[]): void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  let answers: { status: number; headers?: Record<string, string> }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.shift() ?? { status: 200 };
      response.writeHead(answer.status, answer.headers ?? {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tributary`,
    received,
    script: (...next) => void (answers = next),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let world: NotificationWorld | null = null;
let receiver: Receiver | null = null;
afterEach(async () => {
  await world?.close();
  await receiver?.close();
  world = null;
  receiver = null;
});

const entityEvent = (tenantId: string, at: number, id = 'ent_1'): HostEvent => ({ type: 'entity.updated', tenantId, at, data: { entityId: id, fields: { email: 'ada@example.com' } } });

async function setUp(settings: { retryScheduleMs?: number[]; disableAfterMs?: number } = {}) {
  const w = (world = await startNotificationWorld({ hostEvents: { random: () => 0.5, ...settings } }));
  const r = (receiver = await startReceiver());
  const tenantId = await w.tenant();
  const created = await w.notifications.hostEvents.subscriptions.create(SYSTEM, tenantId, { url: r.url, eventTypes: ['entity.updated', 'run.completed'], description: 'CRM sync' });
  return { w, r, tenantId, subscriptionId: created.subscription.id, secret: created.secret };
}

const stats = async (w: NotificationWorld) => (await w.queue.stats()).find((s) => s.queue === 'notifications');

describe('events to the host product', () => {
  it('delivers subscribed events signed with Standard Webhooks, and skips other types', async () => {
    const { w, r, tenantId, subscriptionId, secret } = await setUp();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(await w.notifications.hostEvents.deliverer.publish({ type: 'connection.status_changed', tenantId, at: w.clock.now(), data: {} })).toBe(0);
    expect(await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()))).toBe(1);
    await waitFor('the delivery', async () => r.received.length === 1);
    const [request] = r.received;
    const verified = verifyStandardWebhook(Buffer.from(request?.body ?? ''), request?.headers ?? {}, [secret], w.clock.now());
    expect(verified.ok).toBe(true);
    expect(request?.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(JSON.parse(request?.body ?? '')).toEqual({ type: 'entity.updated', timestamp: '2026-01-05T09:00:00.000Z', tenantId, data: { entityId: 'ent_1', fields: { email: 'ada@example.com' } } });
    await waitFor('the delivered status', async () => (await w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId))[0]?.status === 'delivered');
    const [delivery] = await w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId);
    expect(delivery?.attempts).toEqual([{ at: '2026-01-05T09:00:00.000Z', status: 200, error: null }]);
  });

  it('retries failures on the schedule with jitter, honouring Retry-After, with the same webhook-id', async () => {
    const { w, r, tenantId, subscriptionId } = await setUp({ retryScheduleMs: [10_000, 20_000] });
    r.script({ status: 500 }, { status: 429, headers: { 'retry-after': '60' } });
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()));
    const deliveries = () => w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId);
    await waitFor('the first failure', async () => (await deliveries())[0]?.attempts.length === 1 && (await stats(w))?.delayed === 1);
    // random 0.5 makes the jitter factor exactly 1: the next attempt is 10 s later.
    expect((await deliveries())[0]).toMatchObject({ status: 'pending', nextAttemptAt: '2026-01-05T09:00:10.000Z' });
    expect((await w.notifications.hostEvents.subscriptions.get(tenantId, subscriptionId)).failingSince).toBe('2026-01-05T09:00:00.000Z');
    w.clock.advance(9_999);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received).toHaveLength(1);
    w.clock.advance(1);
    await waitFor('the 429', async () => (await deliveries())[0]?.attempts.length === 2 && (await stats(w))?.delayed === 1);
    // The schedule says 20 s, the endpoint says 60 s: Retry-After wins.
    expect((await deliveries())[0]?.nextAttemptAt).toBe('2026-01-05T09:01:10.000Z');
    w.clock.advance(60_000);
    await waitFor('the delivery', async () => (await deliveries())[0]?.status === 'delivered');
    expect(new Set(r.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect((await deliveries())[0]?.attempts.map((a) => a.status)).toEqual([500, 429, 200]);
    expect((await w.notifications.hostEvents.subscriptions.get(tenantId, subscriptionId)).failingSince).toBeNull();
  });

  it('marks a delivery failed once the schedule is exhausted', async () => {
    const { w, r, tenantId, subscriptionId } = await setUp({ retryScheduleMs: [1_000] });
    r.script({ status: 503 }, { status: 503 });
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()));
    const first = async () => (await w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId))[0];
    await waitFor('the retry', async () => (await first())?.attempts.length === 1 && (await stats(w))?.delayed === 1);
    w.clock.advance(1_000);
    await waitFor('the failure', async () => (await first())?.status === 'failed');
    expect((await first())?.attempts.map((a) => a.status)).toEqual([503, 503]);
  });

  it('stops on 410, disables the subscription and notifies the tenant', async () => {
    const { w, r, tenantId, subscriptionId } = await setUp();
    const hook = await w.slackHook();
    const channel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'ops', kind: 'slack_webhook', url: hook.url });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'webhooks', channelId: channel.id, eventTypes: ['webhook.disabled'] });
    r.script({ status: 410 });
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()));
    await waitFor('the notification', async () => (await w.slackPosts(hook.id)).length === 1);
    expect(await w.notifications.hostEvents.subscriptions.get(tenantId, subscriptionId)).toMatchObject({ status: 'disabled', disabledReason: 'the endpoint answered 410 Gone' });
    expect((await w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId))[0]?.status).toBe('stopped');
    const [post] = await w.slackPosts(hook.id);
    expect(post.body.text).toContain('Webhook disabled: webhook CRM sync (sub_');
    expect(JSON.stringify(post.body)).toContain('https://tributary.example.com/#/webhooks/sub_');
    expect(await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()))).toBe(0);
  });

  it('disables an endpoint that keeps failing past the disable threshold', async () => {
    const { w, r, tenantId, subscriptionId } = await setUp({ retryScheduleMs: [5_000, 5_000, 5_000], disableAfterMs: 8_000 });
    r.script({ status: 500 }, { status: 500 }, { status: 500 });
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()));
    const first = async () => (await w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId))[0];
    for (const attempts of [1, 2]) {
      await waitFor(`attempt ${attempts}`, async () => (await first())?.attempts.length === attempts && (await stats(w))?.delayed === 1);
      w.clock.advance(5_000);
    }
    await waitFor('the stop', async () => (await first())?.status === 'stopped');
    expect(await w.notifications.hostEvents.subscriptions.get(tenantId, subscriptionId)).toMatchObject({
      status: 'disabled',
      disabledReason: 'the endpoint kept failing since 2026-01-05T09:00:00.000Z',
    });
  });

  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    const { w, r, tenantId, subscriptionId, secret: old } = await setUp();
    const { secret: next, previousValidUntil } = await w.notifications.hostEvents.subscriptions.rotateSecret(SYSTEM, tenantId, subscriptionId, 60_000);
    expect(previousValidUntil).toBe('2026-01-05T09:01:00.000Z');
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()));
    await waitFor('the delivery', async () => r.received.length === 1);
    const during = r.received[0];
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [old, next]) expect(verifyStandardWebhook(Buffer.from(during?.body ?? ''), during?.headers ?? {}, [secret], w.clock.now()).ok).toBe(true);
    w.clock.advance(60_000);
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now(), 'ent_2'));
    await waitFor('the second delivery', async () => r.received.length === 2);
    const after = r.received[1];
    expect(verifyStandardWebhook(Buffer.from(after?.body ?? ''), after?.headers ?? {}, [old], w.clock.now()).ok).toBe(false);
    expect(verifyStandardWebhook(Buffer.from(after?.body ?? ''), after?.headers ?? {}, [next], w.clock.now()).ok).toBe(true);
  });

  it('replays a delivery with the same webhook-id', async () => {
    const { w, r, tenantId, subscriptionId } = await setUp();
    await w.notifications.hostEvents.deliverer.publish(entityEvent(tenantId, w.clock.now()));
    const first = async () => (await w.notifications.hostEvents.subscriptions.deliveries(tenantId, subscriptionId))[0];
    await waitFor('the delivery', async () => (await first())?.status === 'delivered');
    const id = (await first())?.id ?? '';
    await w.notifications.hostEvents.subscriptions.replay(SYSTEM, tenantId, subscriptionId, id);
    await waitFor('the replay', async () => (await first())?.attempts.length === 2 && (await first())?.status === 'delivered');
    expect(r.received.map((request) => request.headers['webhook-id'])).toEqual([id, id]);
  });
});
