import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createSlackSimulator } from './index.ts';

type Json = Record<string, unknown>;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

let sandbox: Sandbox;
let base: string;
let token: string;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** How the receiver answers event callbacks: a status per attempt, then 200. */
let plan: { status: number; headers?: Record<string, string>; advanceMs?: number }[] = [];
let echoChallenge = true;

/** Slack's documented algorithm, written here independently of the sandbox. */
function expectSigned(delivery: Received): void {
  const timestamp = String(delivery.headers['x-slack-request-timestamp']);
  expect(timestamp).toMatch(/^\d{10}$/);
  const expected = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${delivery.body}`).digest('hex')}`;
  const actual = String(delivery.headers['x-slack-signature']);
  expect(actual.length).toBe(expected.length);
  expect(timingSafeEqual(Buffer.from(actual), Buffer.from(expected))).toBe(true);
}

async function control(method: string, path: string, body?: unknown, expectOk = true): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (expectOk) expect(response.status).toBeLessThan(300);
  return { status: response.status, body: (await response.json()) as Json };
}

async function call(method: string, args: Record<string, string>): Promise<Json> {
  const response = await fetch(`${base}/slack/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(args),
  });
  return (await response.json()) as Json;
}

function callbacks(): Received[] {
  return received.filter((delivery) => (JSON.parse(delivery.body) as Json).type === 'event_callback');
}

function events(): Json[] {
  return callbacks().map((delivery) => (JSON.parse(delivery.body) as { event: Json }).event);
}

async function subscribe(): Promise<void> {
  const result = await control('POST', '/slack/event-subscriptions', { url: receiverUrl, signingSecret: SIGNING_SECRET });
  expect(result.status).toBe(201);
  received = [];
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body });
      const parsed = JSON.parse(body) as { type: string; challenge?: string };
      if (parsed.type === 'url_verification') {
        response.setHeader('content-type', 'text/plain');
        response.end(echoChallenge ? parsed.challenge : 'nope');
        return;
      }
      const answer = plan.shift() ?? { status: 200 };
      if (answer.advanceMs) sandbox.ctx.clock.advance(answer.advanceMs);
      for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
      response.statusCode = answer.status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/slack/events`;
  sandbox = await createSandbox({ providers: [createSlackSimulator()], seed: 9, size: 40, webhookDelayScale: 0.001 });
  base = await sandbox.listen(0);
});

beforeEach(async () => {
  await control('POST', '/reset', {});
  received = [];
  plan = [];
  echoChallenge = true;
  token = String((await control('POST', '/tokens', { provider: 'slack' })).body.accessToken);
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('Slack Events API', () => {
  it('verifies the request URL with a signed url_verification challenge, and refuses a URL that does not echo it', async () => {
    const ok = await control('POST', '/slack/event-subscriptions', { url: receiverUrl, signingSecret: SIGNING_SECRET });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ verified: true, url: receiverUrl });
    const handshake = received[0] as Received;
    expect(JSON.parse(handshake.body)).toMatchObject({ type: 'url_verification', challenge: expect.any(String), token: expect.any(String) });
    expectSigned(handshake);

    echoChallenge = false;
    const refused = await control('POST', '/slack/event-subscriptions', { url: receiverUrl, signingSecret: SIGNING_SECRET }, false);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ verified: false, error: 'challenge_failed' });
    received = [];
    await control('POST', '/slack/channels', { name: 'never-delivered' });
    await sandbox.ctx.webhooks.idle();
    expect(received).toHaveLength(0);
  });

  it('delivers signed event_callback envelopes for messages, edits, deletions, channels and users', async () => {
    await subscribe();
    const channel = ((await control('GET', '/slack/channels')).body.records as Json[]).find((candidate) => candidate.name === 'general') as Json;
    const posted = await call('chat.postMessage', { channel: String(channel.id), text: 'hello events' });
    await control('PATCH', `/slack/messages/${String(channel.id)}:${String(posted.ts)}`, { text: 'hello, edited' });
    await control('DELETE', `/slack/messages/${String(channel.id)}:${String(posted.ts)}`);
    const created = (await control('POST', '/slack/channels', { name: 'launch-plan' })).body;
    await control('PATCH', `/slack/channels/${String(created.id)}`, { is_archived: true });
    await control('DELETE', `/slack/channels/${String(created.id)}`);
    const workspace = (await control('GET', '/slack/workspace')).body;
    await control('PATCH', `/slack/users/${String(workspace.defaultUserId)}`, { display_name: 'Robbie' });
    await control('POST', '/slack/users', { real_name: 'Nina Novak', email: 'nina@example.org' });
    await sandbox.ctx.webhooks.idle();

    const seen = events().map((event) => (event.subtype ? `${String(event.type)}/${String(event.subtype)}` : String(event.type)));
    expect(seen).toEqual(['message', 'message/message_changed', 'message/message_deleted', 'channel_created', 'channel_archive', 'channel_deleted', 'user_change', 'team_join']);
    for (const delivery of callbacks()) {
      expectSigned(delivery);
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'event_callback',
        team_id: (workspace.team as Json).id,
        api_app_id: workspace.appId,
        event_id: expect.stringMatching(/^Ev/),
        event_time: expect.any(Number),
        authorizations: [{ user_id: workspace.botUserId, is_bot: true }],
      });
    }
    const [message, changed, deleted] = events();
    expect(message).toMatchObject({ channel: channel.id, text: 'hello events', ts: posted.ts, channel_type: 'channel' });
    expect(changed).toMatchObject({ message: { text: 'hello, edited', ts: posted.ts }, previous_message: { text: 'hello events' } });
    expect(deleted).toMatchObject({ deleted_ts: posted.ts, previous_message: { text: 'hello, edited' } });
    expect(events()[6]).toMatchObject({ user: { id: workspace.defaultUserId, profile: { display_name: 'Robbie' } } });
  });

  it('sends only the subscribed event types, and messages only from channels the bot is in', async () => {
    const result = await control('POST', '/slack/event-subscriptions', { url: receiverUrl, signingSecret: SIGNING_SECRET, events: ['message'] });
    expect(result.status).toBe(201);
    received = [];
    const workspace = (await control('GET', '/slack/workspace')).body;
    const general = ((await control('GET', '/slack/channels')).body.records as Json[]).find((channel) => channel.name === 'general') as Json;
    await control('POST', '/slack/messages', { channel: general.id, text: 'seen by the app' });
    const secret = (await control('POST', '/slack/channels', { name: 'secret-room', is_private: true })).body;
    // People leave the bot out of the room: its messages no longer reach the app.
    await control('PATCH', `/slack/channels/${String(secret.id)}`, { members: [workspace.defaultUserId] });
    await control('POST', '/slack/messages', { channel: secret.id, text: 'not for the app' });
    await sandbox.ctx.webhooks.idle();
    expect(events().map((event) => `${String(event.type)}:${String(event.text)}`)).toEqual(['message:seen by the app']);
  });

  it('retries a failed delivery with X-Slack-Retry-Num and -Reason, re-signed each time', async () => {
    await subscribe();
    plan = [
      { status: 500, advanceMs: 2_000 },
      { status: 503, advanceMs: 2_000 },
    ];
    await control('POST', '/slack/channels', { name: 'retry-me' });
    await sandbox.ctx.webhooks.idle();
    const attempts = callbacks();
    expect(attempts).toHaveLength(3);
    expect(attempts.map((attempt) => attempt.headers['x-slack-retry-num'])).toEqual([undefined, '1', '2']);
    expect(attempts.map((attempt) => attempt.headers['x-slack-retry-reason'])).toEqual([undefined, 'http_error', 'http_error']);
    for (const attempt of attempts) expectSigned(attempt);
    const timestamps = attempts.map((attempt) => Number(attempt.headers['x-slack-request-timestamp']));
    expect(timestamps[1]).toBeGreaterThan(timestamps[0] ?? Infinity);
    expect(timestamps[2]).toBeGreaterThan(timestamps[1] ?? Infinity);
    expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
  });

  it('gives up after three retries, or at once when the app answers X-Slack-No-Retry: 1', async () => {
    await subscribe();
    plan = [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }];
    await control('POST', '/slack/channels', { name: 'always-failing' });
    await sandbox.ctx.webhooks.idle();
    expect(callbacks()).toHaveLength(4);

    received = [];
    plan = [{ status: 500, headers: { 'x-slack-no-retry': '1' } }];
    await control('POST', '/slack/channels', { name: 'no-retry' });
    await sandbox.ctx.webhooks.idle();
    expect(callbacks()).toHaveLength(1);
  });
});

describe('Slack incoming webhooks', () => {
  async function hook(channel = 'general'): Promise<Json> {
    return (await control('POST', '/slack/incoming-webhooks', { channel })).body;
  }
  const post = (url: string, body: string, contentType = 'application/json') => fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('posts text and blocks into the channel, answers ok, and keeps what was posted', async () => {
    const created = await hook();
    expect(created.url).toMatch(/\/slack\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[\w-]+$/);
    const ok = await post(String(created.url), JSON.stringify({ text: 'Sync failed for Acme', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Sync failed*' } }] }));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('ok');
    const asForm = await post(String(created.url), new URLSearchParams({ payload: JSON.stringify({ text: 'form style' }) }).toString(), 'application/x-www-form-urlencoded');
    expect(await asForm.text()).toBe('ok');

    const readBack = (await control('GET', `/slack/incoming-webhooks/${String(created.id)}`)).body as { posts: { body: Json }[] };
    expect(readBack.posts.map((entry) => entry.body.text)).toEqual(['Sync failed for Acme', 'form style']);
    const history = await call('conversations.history', { channel: String(created.channelId), limit: '2' });
    expect((history.messages as Json[]).map((message) => message.text)).toEqual(['form style', 'Sync failed for Acme']);
    expect((history.messages as Json[])[0]).toMatchObject({ subtype: 'bot_message' });
  });

  it('answers errors as plain text with Slack statuses', async () => {
    const created = await hook();
    const url = String(created.url);
    const bad = await post(url, '{"text": ');
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_payload']);
    const empty = await post(url, JSON.stringify({ username: 'x' }));
    expect([empty.status, await empty.text()]).toEqual([400, 'no_text']);
    const unknown = await post(url.replace(/\/[\w-]+$/, '/wrongsecret'), JSON.stringify({ text: 'x' }));
    expect([unknown.status, await unknown.text()]).toEqual([404, 'no_service']);

    await control('PATCH', `/slack/channels/${String(created.channelId)}`, { is_archived: true });
    const archived = await post(url, JSON.stringify({ text: 'x' }));
    expect([archived.status, await archived.text()]).toEqual([410, 'channel_is_archived']);

    await control('DELETE', `/slack/incoming-webhooks/${String(created.id)}`);
    const revoked = await post(url, JSON.stringify({ text: 'x' }));
    expect([revoked.status, await revoked.text()]).toEqual([404, 'no_service']);
  });
});
