/**
 * The Slack provider against the sandbox's Slack simulator over real HTTP.
 *
 * Calls go through the real client (test/fixtures/provider-sandbox.ts): static token,
 * one attempt, no refresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackSimulator } from '../../../sandbox/slack/index.ts';
import { providerSandboxes, rejection, walk } from '../../../test/fixtures/provider-sandbox.ts';
import { isSlackRefreshRejected, slackProvider, type SlackMessagesCursor } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sandboxes = providerSandboxes();
afterEach(() => sandboxes.closeAll());

async function start(settings: Record<string, unknown> = {}) {
  const running = await sandboxes.start({ provider: slackProvider, sandbox: { providers: [createSlackSimulator()], size: 60, seed: 3, rateLimitScale: 100 }, path: 'slack/api', settings });
  const { control, ctx, calls, setToken } = running;
  const workspace = await control('/slack/workspace');
  return { control, ctx, calls, workspace, setToken };
}

const object = (name: string) => slackProvider.objects.find((o) => o.name === name)!;
const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

describe('Slack provider', () => {
  it('validates with auth.test, reports health and discovers the static schemas', async () => {
    const { ctx, workspace } = await start();
    const account = await slackProvider.validate(ctx);
    expect(account.accountId).toBe(workspace.team.id);
    expect(account.details.userId).toBe(workspace.botUserId);
    expect(await slackProvider.health(ctx)).toEqual({ ok: true });
    expect((await slackProvider.discover(ctx)).map((s) => s.name)).toEqual(['users', 'channels', 'messages']);
  });

  it('users: a paged listing returns every member once, deactivated ones as deletions', async () => {
    const { ctx, control } = await start();
    const all = (await control('/slack/users?limit=10000')).records as Json[];
    const victim = all.find((u) => !u.deleted && !u.is_bot)!;
    await control(`/slack/users/${victim.id}`, 'DELETE');
    const { records, deletions, pages } = await walk(object('users'), ctx, null, 7);
    expect(pages.length).toBe(Math.ceil(all.length / 7));
    expect(records.length + deletions.length).toBe(all.length);
    expect(new Set([...ids(records), ...ids(deletions)]).size).toBe(all.length);
    expect(deletions.map((d) => d.id)).toContain(victim.id);
    expect(await object('users').fetchOne(ctx, victim.id)).toBeNull();
    expect((await object('users').fetchOne(ctx, records[0]!.id))!.id).toBe(records[0]!.id);
  });

  it('channels: a paged listing returns every visible channel once', async () => {
    const { ctx } = await start();
    const { records, pages } = await walk(object('channels'), ctx, null, 3);
    expect(pages.length).toBeGreaterThan(1);
    expect(new Set(ids(records)).size).toBe(records.length);
    expect(await object('channels').fetchOne(ctx, 'C0000NOPE')).toBeNull();
  });

  it('messages: a full walk of member channels, then only new messages since each watermark', async () => {
    const { ctx, control, workspace } = await start();
    const messages = object('messages');
    const full = await walk(messages, ctx, null, 20);
    const cursor = full.cursor as SlackMessagesCursor;
    const channelIds = Object.keys(cursor.watermarks);
    expect(channelIds.length).toBeGreaterThan(1);
    expect(new Set(ids(full.records)).size).toBe(full.records.length);
    const truth = ((await control('/slack/messages?limit=10000')).records as Json[]).filter((m) => channelIds.includes(m.channel) && (!m.thread_ts || m.thread_ts === m.ts));
    expect(ids(full.records)).toEqual(truth.map((m) => m.id).sort());

    const [c1, c2] = channelIds;
    const m1 = await control('/slack/messages', 'POST', { channel: c1, text: 'first new' });
    const m2 = await control('/slack/messages', 'POST', { channel: c2, text: 'second new' });
    const m3 = await control('/slack/messages', 'POST', { channel: c1, text: 'third new' });
    const inc = await walk(messages, ctx, cursor, 1);
    expect(ids(inc.records)).toEqual([m1.id, m2.id, m3.id].sort());
    expect((inc.records.find((r) => r.id === m3.id)!.data as Json).text).toBe('third new');
    const idle = await walk(messages, ctx, inc.cursor);
    expect(idle.records).toEqual([]);
    expect(workspace.botUserId).toBeDefined();
  });

  it('messages: settings.channels limits the walk, and a crash mid-channel resumes from the committed cursor', async () => {
    const { ctx, control } = await start();
    const channels = (await walk(object('channels'), ctx, null)).records.filter((c) => (c.data as Json).is_member && !(c.data as Json).is_archived);
    const busy = channels[0]!.id;
    const only = { ...ctx, connection: { ...ctx.connection, settings: { channels: [busy] } } };
    const first = await object('messages').readPage(only, null, { pageSize: 5 });
    expect(first.done).toBe(false);
    // Resuming from the committed cursor (as after a crash) gives the rest, no repeats.
    const rest = await walk(object('messages'), only, first.cursor, 5);
    const all = [...first.records, ...rest.records];
    expect(new Set(ids(all)).size).toBe(all.length);
    const truth = ((await control('/slack/messages?limit=10000')).records as Json[]).filter((m) => m.channel === busy && (!m.thread_ts || m.thread_ts === m.ts));
    expect(all).toHaveLength(truth.length);
    expect(Object.keys((rest.cursor as SlackMessagesCursor).watermarks)).toEqual([busy]);

    // A channel that vanished (or was never readable) is skipped, not a failed run.
    const gone = { ...ctx, connection: { ...ctx.connection, settings: { channels: ['C0000GONE', busy] } } };
    const skipped = await walk(object('messages'), gone, { watermarks: { C0000GONE: '1.000000' } }, 500);
    expect(skipped.records).toHaveLength(truth.length);
    expect(Object.keys((skipped.cursor as SlackMessagesCursor).watermarks)).toEqual([busy]);
  });

  it('messages: posts, fetches, edits and deletes through chat.*', async () => {
    const { ctx, calls } = await start();
    const channel = (await walk(object('channels'), ctx, null)).records.find((c) => (c.data as Json).is_member && !(c.data as Json).is_archived)!.id;
    const messages = object('messages');
    const posted = await messages.create!(ctx, { channel, text: 'Hello from Tributary' });
    expect(posted.id).toMatch(new RegExp(`^${channel}:\\d+\\.\\d+$`));
    expect(calls.at(-1)!.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect((await messages.fetchOne(ctx, posted.id))!.data).toMatchObject({ text: 'Hello from Tributary', channel });
    const edited = await messages.update!(ctx, posted.id, { text: 'Edited' });
    expect((edited.data as Json).text).toBe('Edited');
    expect((await messages.fetchOne(ctx, posted.id))!.version).not.toBe(posted.version);
    await messages.delete!(ctx, posted.id);
    expect(await messages.fetchOne(ctx, posted.id)).toBeNull();
    await messages.delete!(ctx, posted.id);
  });

  it('classifies real error answers: bad, expired and revoked token, rate limit with Retry-After, bad data, missing scope', async () => {
    const { ctx, control, setToken } = await start();
    setToken('xoxb-not-a-token');
    expect(await rejection(slackProvider.validate(ctx))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { slackError: 'invalid_auth', status: 200 } });
    setToken(((await control('/tokens', 'POST', { provider: 'slack', accessSeconds: 1 })) as Json).accessToken as string);
    await control('/clock/advance', 'POST', { ms: 5_000 });
    expect(await rejection(slackProvider.validate(ctx))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { slackError: 'token_expired' } });
    const good = ((await control('/tokens', 'POST', { provider: 'slack' })) as Json).accessToken as string;
    setToken(good);

    const channel = (await walk(object('channels'), ctx, null)).records.find((c) => (c.data as Json).is_member && !(c.data as Json).is_archived)!.id;
    expect(await rejection(object('messages').create!(ctx, { channel, text: '' }))).toMatchObject({ code: 'PROVIDER_BAD_DATA', details: { slackError: 'no_text' } });
    expect(await rejection(object('messages').create!(ctx, { channel, text: 'x'.repeat(50_000) }))).toMatchObject({ code: 'PROVIDER_BAD_DATA', details: { slackError: 'msg_too_long' } });

    const narrow = ((await control('/tokens', 'POST', { provider: 'slack', scopes: ['users:read'] })) as Json).accessToken as string;
    setToken(narrow);
    const scope = await rejection(object('channels').readPage(ctx, null, {}));
    expect(scope).toMatchObject({ code: 'PROVIDER_REJECTED', details: { slackError: 'missing_scope' } });
    expect(typeof scope.details?.needed).toBe('string');
    setToken(good);

    await control('/faults', 'POST', { provider: 'slack', kind: 'status', status: 429, count: 1 });
    const limited = await rejection(slackProvider.validate(ctx));
    expect(limited).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 30_000, details: { status: 429 } });
    await control('/faults', 'POST', { provider: 'slack', kind: 'status', status: 503, count: 1 });
    expect(await rejection(slackProvider.validate(ctx))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', category: 'transient' });

    const revoke = await fetch(ctx.connection.baseUrl + '/auth.revoke', { method: 'POST', headers: { authorization: `Bearer ${good}` } });
    expect(revoke.status).toBe(200);
    expect(await rejection(slackProvider.validate(ctx))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { slackError: 'token_revoked' } });
  });

  it('recognises dead refresh tokens in both shapes', () => {
    expect(isSlackRefreshRejected(200, { ok: false, error: 'invalid_refresh_token' })).toBe(true);
    expect(isSlackRefreshRejected(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })).toBe(true);
    expect(isSlackRefreshRejected(200, { ok: false, error: 'ratelimited' })).toBe(false);
    expect(isSlackRefreshRejected(503, { error: 'invalid_grant' })).toBe(false);
  });
});
