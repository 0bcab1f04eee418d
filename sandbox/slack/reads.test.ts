import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createSlackSimulator } from './index.ts';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let base: string;
let token: string;

async function control(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Json;
}

async function call(method: string, args: Record<string, string> = {}, bearer = token): Promise<Json> {
  const response = await fetch(`${base}/slack/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

/** Follows `response_metadata.next_cursor` until it is "", as a Slack client does. */
async function walk(method: string, key: string, args: Record<string, string>): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let cursor = '';
  let pages = 0;
  do {
    const page = await call(method, cursor ? { ...args, cursor } : args);
    expect(page.ok).toBe(true);
    items.push(...(page[key] as Json[]));
    pages += 1;
    cursor = String((page.response_metadata as { next_cursor: string }).next_cursor);
  } while (cursor !== '');
  return { items, pages };
}

beforeAll(async () => {
  sandbox = await createSandbox({ providers: [createSlackSimulator()], seed: 21, size: 90 });
  base = await sandbox.listen(0);
  token = String((await control('POST', '/tokens', { provider: 'slack' })).accessToken);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('Slack reads', () => {
  it('walks users.list by cursor returning every member exactly once, deactivated ones with deleted: true', async () => {
    const all = (await control('GET', '/slack/users?limit=10000')) as { total: number };
    const { items, pages } = await walk('users.list', 'members', { limit: '7' });
    expect(pages).toBe(Math.ceil(all.total / 7));
    const ids = items.map((user) => user.id);
    expect(new Set(ids).size).toBe(all.total);
    expect(ids).toHaveLength(all.total);
    expect(items.some((user) => user.deleted === true)).toBe(true);
    const human = items.find((user) => user.is_bot === false && user.id !== 'USLACKBOT' && !user.deleted) as { profile: Json };
    expect(human.profile).toMatchObject({ real_name: expect.any(String), email: expect.stringContaining('@') });
    const truth = sandbox.ctx.truth.entries().filter((entry) => entry.provider === 'slack');
    expect(truth.length).toBe(items.filter((user) => user.is_bot === false && user.id !== 'USLACKBOT').length);
  });

  it('walks conversations.list and a channel history exactly once each', async () => {
    const { items: channels } = await walk('conversations.list', 'channels', { types: 'public_channel,private_channel', limit: '2' });
    expect(new Set(channels.map((channel) => channel.id)).size).toBe(channels.length);
    expect(channels.some((channel) => channel.is_private === true)).toBe(true);
    expect(channels.some((channel) => channel.is_archived === true)).toBe(true);
    const unarchived = await walk('conversations.list', 'channels', { types: 'public_channel,private_channel', exclude_archived: 'true', limit: '100' });
    expect(unarchived.items.length).toBe(channels.length - channels.filter((channel) => channel.is_archived).length);

    const general = channels.find((channel) => channel.name === 'general') as Json;
    const records = ((await control('GET', '/slack/messages?limit=10000')).records as Json[]).filter(
      (message) => message.channel === general.id && (message.thread_ts === undefined || message.thread_ts === message.ts),
    );
    const { items, pages } = await walk('conversations.history', 'messages', { channel: String(general.id), limit: '10' });
    expect(pages).toBe(Math.ceil(records.length / 10));
    expect(items.map((message) => message.ts)).toEqual(records.map((message) => message.ts).reverse());
  });

  it('returns exactly the new messages after `oldest`; edits and deletions change history but not the new-message window', async () => {
    const general = ((await call('conversations.list', { limit: '100' })).channels as Json[]).find((channel) => channel.name === 'general') as Json;
    const channel = String(general.id);
    const before = await walk('conversations.history', 'messages', { channel, limit: '200' });
    const newest = String(before.items[0]?.ts);
    const [, edited, removed] = before.items as Json[];

    sandbox.ctx.clock.advance(1_000);
    const posted = await call('chat.postMessage', { channel, text: 'Deploy finished' });
    const people = await control('POST', '/slack/messages', { channel, text: 'Nice!' });
    const second = await call('chat.postMessage', { channel, text: 'Rolling back', thread_ts: String(posted.ts) });
    await control('PATCH', `/slack/messages/${channel}:${String(edited?.ts)}`, { text: 'Edited by a person' });
    await control('DELETE', `/slack/messages/${channel}:${String(removed?.ts)}`);

    const after = await walk('conversations.history', 'messages', { channel, oldest: newest, limit: '1' });
    // The thread reply stays out of history; its parent is there.
    expect(after.items.map((message) => message.ts)).toEqual([String(people.ts), String(posted.ts)]);
    expect(after.items.find((message) => message.ts === posted.ts)).toMatchObject({ reply_count: 1, latest_reply: second.ts });

    const full = await walk('conversations.history', 'messages', { channel, limit: '200' });
    expect(full.items.map((message) => message.ts)).not.toContain(removed?.ts);
    expect(full.items.find((message) => message.ts === edited?.ts)).toMatchObject({ text: 'Edited by a person', edited: { ts: expect.any(String) } });
    expect(full.items).toHaveLength(before.items.length + 2 - 1);

    const inclusive = await call('conversations.history', { channel, oldest: String(posted.ts), inclusive: 'true' });
    expect((inclusive.messages as Json[]).map((message) => message.ts)).toEqual([String(people.ts), String(posted.ts)]);
    const thread = await call('conversations.replies', { channel, ts: String(posted.ts) });
    expect((thread.messages as Json[]).map((message) => message.text)).toEqual(['Deploy finished', 'Rolling back']);
  });

  it('refuses a token without the needed scope with missing_scope, needed and provided', async () => {
    const narrow = String((await control('POST', '/tokens', { provider: 'slack', scopes: ['users:read'] })).accessToken);
    const general = ((await call('conversations.list')).channels as Json[])[0] as Json;
    const refused = await call('conversations.history', { channel: String(general.id) }, narrow);
    expect(refused).toEqual({ ok: false, error: 'missing_scope', needed: 'channels:history', provided: 'users:read' });
    const users = await call('users.list', { limit: '5' }, narrow);
    expect(users.ok).toBe(true);
    // Without users:read.email, profiles carry no email.
    expect((users.members as { profile: Json }[]).every((user) => !('email' in user.profile))).toBe(true);
  });

  it('answers Slack errors for bad writes', async () => {
    const general = ((await call('conversations.list')).channels as Json[])[0] as Json;
    expect(await call('chat.postMessage', { channel: String(general.id) })).toEqual({ ok: false, error: 'no_text' });
    expect(await call('chat.postMessage', { channel: 'C000NOPE', text: 'x' })).toEqual({ ok: false, error: 'channel_not_found' });
    expect(await call('chat.update', { channel: String(general.id), ts: '1.000001', text: 'x' })).toEqual({ ok: false, error: 'message_not_found' });
    const history = await call('conversations.history', { channel: String(general.id), limit: '1' });
    const someoneElses = (history.messages as Json[])[0] as Json;
    expect(await call('chat.delete', { channel: String(general.id), ts: String(someoneElses.ts) })).toEqual({ ok: false, error: 'cant_delete_message' });
  });

  it('generates the same workspace from the same seed and size', async () => {
    const snapshot = (sandboxToRead: Sandbox) => {
      const sim = sandboxToRead.core.simulators[0];
      const users = (sim?.control.list('users', { limit: 10_000, offset: 0 }).records ?? []) as { id: string; name: string; profile: { email?: string } }[];
      const channels = (sim?.control.list('channels', { limit: 10_000, offset: 0 }).records ?? []) as { id: string; name: string }[];
      const messages = (sim?.control.list('messages', { limit: 10_000, offset: 0 }).records ?? []) as { id: string; text: string }[];
      return {
        users: users.map((user) => [user.id, user.name, user.profile.email]),
        channels: channels.map((channel) => [channel.id, channel.name]),
        messages: messages.map((message) => message.text),
      };
    };
    const first = await createSandbox({ providers: [createSlackSimulator()], seed: 5, size: 50 });
    const second = await createSandbox({ providers: [createSlackSimulator()], seed: 5, size: 50 });
    const other = await createSandbox({ providers: [createSlackSimulator()], seed: 6, size: 50 });
    try {
      expect(snapshot(first)).toEqual(snapshot(second));
      expect(snapshot(other).users).not.toEqual(snapshot(first).users);
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });
});
