import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../src/domain/errors.ts';
import { NOTIFICATION_EVENT_TYPES, type NotificationEvent, type NotificationEventType } from '../src/notifications/index.ts';
import { SYSTEM, startNotificationWorld, waitFor, type Json, type NotificationWorld } from './notifications-fixture.ts';

let world: NotificationWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

function event(tenantId: string, type: NotificationEventType, subjectId: string, at: number, severity: NotificationEvent['severity'] = 'critical'): NotificationEvent {
  const kind = type.startsWith('connection') || type.startsWith('token') || type.startsWith('ratelimit') ? 'connection' : type.startsWith('dead') ? 'queue' : 'integration';
  return { type, tenantId, severity, subject: { kind, id: subjectId, name: 'Sales CRM' }, at, facts: { provider: 'salesforce', failed: 3 } };
}

/** A Slack incoming webhook channel and a Teams channel, each with a rule taking every event. */
async function twoChannels(w: NotificationWorld, tenantId: string, rule: { foldWindowMs?: number; digestIntervalMs?: number } = {}) {
  const hook = await w.slackHook();
  const flow = await w.teamsWorkflow();
  const slack = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'ops-slack', kind: 'slack_webhook', url: hook.url });
  const teams = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'ops-teams', kind: 'teams_workflow', url: flow.url });
  for (const channel of [slack, teams]) await w.notifications.admin.createRule(SYSTEM, tenantId, { name: `all to ${channel.name}`, channelId: channel.id, minSeverity: 'info', ...rule });
  return { hook, flow, slack, teams };
}

const slackText = (post: Json) => JSON.stringify(post.body);
const teamsCard = (post: Json) => post.body.attachments[0].content;

describe('notifications delivered to Slack and Teams', () => {
  it('renders every event type and delivers it to both channels, with the admin link and what to do', async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const { hook, flow } = await twoChannels(w, tenantId);
    for (const [index, type] of NOTIFICATION_EVENT_TYPES.entries()) {
      expect(await w.notifications.dispatcher.notify(event(tenantId, type, `int_${index}`, w.clock.now()))).toBe(2);
    }
    const count = NOTIFICATION_EVENT_TYPES.length;
    await waitFor('every message on both channels', async () => (await w.slackPosts(hook.id)).length === count && (await w.teamsPosts(flow.id)).length === count);
    const slackPosts = await w.slackPosts(hook.id);
    const teamsPosts = await w.teamsPosts(flow.id);
    for (const [index, type] of NOTIFICATION_EVENT_TYPES.entries()) {
      const slack = slackPosts.find((post: Json) => slackText(post).includes(`\`${type}\``));
      expect(slack, type).toBeDefined();
      const kind = type.startsWith('connection') || type.startsWith('token') || type.startsWith('ratelimit') ? 'connections' : type.startsWith('dead') ? 'dead-letters' : 'integrations';
      // Waiting dedup reviews link to the review page; every other event to its subject's page.
      const link = type === 'dedup.reviews_waiting' ? 'https://tributary.example.com/#/dedup' : `https://tributary.example.com/#/${kind}/int_${index}`;
      expect(slackText(slack), type).toContain(link);
      expect(slackText(slack), type).toContain('What to do:');
      const teams = teamsPosts.find((post: Json) => JSON.stringify(post.body).includes(`${type} · tenant`));
      expect(teams, type).toBeDefined();
      expect(teamsCard(teams)).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
      expect(teamsCard(teams).actions[0]).toEqual({ type: 'Action.OpenUrl', title: 'Open in Tributary', url: link });
    }
    const channels = await w.notifications.admin.listChannels(tenantId);
    expect(channels.map((c) => [c.status, c.failureCount])).toEqual([['active', 0], ['active', 0]]);
    expect(channels.every((c) => c.lastSuccessAt !== null)).toBe(true);
  });

  it('folds 10 identical events into the first message plus one "9 more" message at the window end', async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const { hook, flow } = await twoChannels(w, tenantId);
    const start = w.clock.now();
    for (let i = 0; i < 10; i++) {
      await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_a', w.clock.now()));
      w.clock.advance(30_000);
    }
    await waitFor('the first message', async () => (await w.slackPosts(hook.id)).length === 1 && (await w.teamsPosts(flow.id)).length === 1);
    expect(await w.notifications.dispatcher.flush()).toEqual({ folded: 0, digests: 0 });
    w.clock.set(start + 600_000);
    expect(await w.notifications.dispatcher.flush()).toEqual({ folded: 2, digests: 0 });
    await waitFor('the folded message', async () => (await w.slackPosts(hook.id)).length === 2 && (await w.teamsPosts(flow.id)).length === 2);
    const [, folded] = await w.slackPosts(hook.id);
    expect(folded.body.text).toContain('9 more since 2026-01-05T09:00:00Z');
    expect(JSON.stringify((await w.teamsPosts(flow.id))[1].body)).toContain('**9 more** since 2026-01-05T09:00:00Z');
    // The window is closed: the next occurrence is sent at once again.
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_a', w.clock.now()));
    await waitFor('a fresh first message', async () => (await w.slackPosts(hook.id)).length === 3);
  });

  it('sends a digest rule\'s events as one summary at its interval', async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const { hook, flow } = await twoChannels(w, tenantId, { digestIntervalMs: 3_600_000 });
    for (let i = 0; i < 3; i++) await w.notifications.dispatcher.notify(event(tenantId, 'conflicts.waiting', 'int_a', w.clock.now(), 'warning'));
    for (let i = 0; i < 2; i++) await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_b', w.clock.now()));
    w.clock.advance(3_599_000);
    expect(await w.notifications.dispatcher.flush()).toEqual({ folded: 0, digests: 0 });
    expect(await w.slackPosts(hook.id)).toHaveLength(0);
    w.clock.advance(1000);
    expect(await w.notifications.dispatcher.flush()).toEqual({ folded: 0, digests: 2 });
    await waitFor('the digests', async () => (await w.slackPosts(hook.id)).length === 1 && (await w.teamsPosts(flow.id)).length === 1);
    const [digest] = await w.slackPosts(hook.id);
    expect(digest.body.text).toBe('Tributary digest (all to ops-slack): 5 events from 2026-01-05T09:00:00Z to 2026-01-05T10:00:00Z');
    expect(slackText(digest)).toContain('*Conflicts are waiting for review* ×3');
    expect(slackText(digest)).toContain('*Sync failed* ×2');
    const facts = teamsCard((await w.teamsPosts(flow.id))[0]).body[2].facts;
    expect(facts.map((f: Json) => f.title)).toEqual(['⚠️ Conflicts are waiting for review ×3', '🚨 Sync failed ×2']);
  });

  it('honours a 429 Retry-After before delivering again, without counting it as a channel failure', async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const hook = await w.slackHook();
    const channel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'ops', kind: 'slack_webhook', url: hook.url });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'all', channelId: channel.id });
    await w.control('POST', '/_sandbox/faults', { provider: 'slack', kind: 'status', status: 429, path: '^/services/', count: 1, retryAfterSeconds: 30 });
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_a', w.clock.now()));
    await waitFor('the retry to be scheduled', async () => (await w.queue.stats()).find((s) => s.queue === 'notifications')?.delayed === 1);
    w.clock.advance(29_000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await w.slackPosts(hook.id)).toHaveLength(0);
    w.clock.advance(1_500);
    await waitFor('the delivery after Retry-After', async () => (await w.slackPosts(hook.id)).length === 1);
    expect(await w.notifications.admin.getChannel(tenantId, channel.id)).toMatchObject({ status: 'active', failureCount: 0, lastError: null });
  });

  it('retries a 5xx until it succeeds, and marks a channel failing when failures persist', async () => {
    const w = (world = await startNotificationWorld({ maxAttempts: 3 }));
    const tenantId = await w.tenant();
    const flow = await w.teamsWorkflow();
    const channel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'teams', kind: 'teams_workflow', url: flow.url });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'all', channelId: channel.id });
    const tick = () => void w.clock.advance(5);
    await w.control('POST', '/_sandbox/faults', { provider: 'teams', kind: 'status', status: 503, path: '^/workflows/', count: 2 });
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_a', w.clock.now()));
    await waitFor('delivery after two 503s', async () => (await w.teamsPosts(flow.id)).length === 1, { tick });
    expect(await w.notifications.admin.getChannel(tenantId, channel.id)).toMatchObject({ status: 'active', failureCount: 0 });

    await w.control('POST', '/_sandbox/faults', { provider: 'teams', kind: 'status', status: 500, path: '^/workflows/', count: 3 });
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_b', w.clock.now()));
    await waitFor('the dead letter', async () => (await w.queue.stats()).find((s) => s.queue === 'notifications')?.deadLetters === 1, { tick });
    const failing = await w.notifications.admin.getChannel(tenantId, channel.id);
    expect(failing).toMatchObject({ status: 'failing', failureCount: 3, lastError: 'PROVIDER_UNAVAILABLE: Teams workflow answered 500 ServiceUnavailable' });
    // A failing channel is still tried: the next event goes through and heals it.
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_c', w.clock.now()));
    await waitFor('the healing delivery', async () => (await w.teamsPosts(flow.id)).length === 2, { tick });
    expect(await w.notifications.admin.getChannel(tenantId, channel.id)).toMatchObject({ status: 'active', failureCount: 0 });
  });

  it('disables a channel whose target is gone (Slack 404 no_service, 410 channel_is_archived; Teams 404) and stops sending to it', async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const { hook, flow, slack, teams } = await twoChannels(w, tenantId);
    const archived = await w.slackHook('random');
    const archivedChannel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'archived', kind: 'slack_webhook', url: archived.url });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'to archived', channelId: archivedChannel.id, minSeverity: 'info' });
    await w.control('DELETE', `/_sandbox/slack/incoming-webhooks/${hook.id}`);
    await w.control('DELETE', `/_sandbox/teams/workflows/${flow.id}`);
    const channels = (await w.control('GET', '/_sandbox/slack/channels?limit=100')) as Json;
    const random = channels.records.find((c: Json) => c.name === 'random');
    await w.control('PATCH', `/_sandbox/slack/channels/${random.id}`, { is_archived: true });

    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_a', w.clock.now()));
    await waitFor('three dead letters', async () => (await w.queue.stats()).find((s) => s.queue === 'notifications')?.deadLetters === 3);
    expect(await w.notifications.admin.getChannel(tenantId, slack.id)).toMatchObject({ status: 'disabled', failureCount: 1, lastError: 'PROVIDER_REJECTED: Slack webhook answered 404 no_service' });
    expect(await w.notifications.admin.getChannel(tenantId, archivedChannel.id)).toMatchObject({ status: 'disabled', lastError: 'PROVIDER_REJECTED: Slack webhook answered 410 channel_is_archived' });
    expect(await w.notifications.admin.getChannel(tenantId, teams.id)).toMatchObject({ status: 'disabled', lastError: 'PROVIDER_REJECTED: Teams workflow answered 404 WorkflowNotFound' });
    expect(await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_b', w.clock.now()))).toBe(0);

    // The webhook URLs never reached a log line.
    const logs = w.logs.join('\n');
    for (const url of [hook.url, archived.url, flow.url]) expect(logs).not.toContain(url.split('/').pop()?.split('sig=').pop());
  });

  it('posts Block Kit through a connected Slack workspace with chat.postMessage, waiting out its rate limit', async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const connectionId = await w.slackConnection(tenantId);
    const channel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'app', kind: 'slack_app', connectionId, slackChannel: 'general' });
    expect(channel).toMatchObject({ kind: 'slack_app', target: null, connectionId, slackChannel: 'general' });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'all', channelId: channel.id });
    await w.control('PUT', '/_sandbox/limits', { keyPrefix: 'slack:chat.postMessage:', limit: 1 });
    const posted = async () =>
      ((await w.control('GET', '/_sandbox/slack/messages?limit=1000')) as Json).records.filter((m: Json) => typeof m.text === 'string' && m.text.includes('Sync failed'));
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_a', w.clock.now()));
    await w.notifications.dispatcher.notify(event(tenantId, 'sync.failed', 'int_b', w.clock.now()));
    await waitFor('one post and one rate-limited retry', async () => (await posted()).length === 1 && (await w.queue.stats()).find((s) => s.queue === 'notifications')?.delayed === 1);
    const [first] = await posted();
    expect(JSON.stringify(first.blocks)).toContain('https://tributary.example.com/#/integrations/int_');
    await w.control('POST', '/_sandbox/clock/advance', { ms: 61_000 });
    w.clock.advance(61_000);
    await waitFor('the second post after Retry-After', async () => (await posted()).length === 2);
    expect(await w.notifications.admin.getChannel(tenantId, channel.id)).toMatchObject({ status: 'active', failureCount: 0 });
  });

  it("waits out Teams' throttling (429 with Retry-After) and then delivers", async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const flow = await w.teamsWorkflow();
    const channel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'teams', kind: 'teams_workflow', url: flow.url });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'all', channelId: channel.id });
    await w.control('PUT', '/_sandbox/teams/settings', { ratePerMinute: 1 });
    await w.notifications.dispatcher.notify(event(tenantId, 'webhook.failing', 'int_a', w.clock.now()));
    await w.notifications.dispatcher.notify(event(tenantId, 'webhook.failing', 'int_b', w.clock.now()));
    await waitFor('one card and one throttled retry', async () => (await w.teamsPosts(flow.id)).length === 1 && (await w.queue.stats()).find((s) => s.queue === 'notifications')?.delayed === 1);
    await w.control('POST', '/_sandbox/clock/advance', { ms: 61_000 });
    w.clock.advance(61_000);
    await waitFor('the throttled card', async () => (await w.teamsPosts(flow.id)).length === 2);
    expect(await w.notifications.admin.getChannel(tenantId, channel.id)).toMatchObject({ status: 'active', failureCount: 0 });
  });

  it("reports a tenant's growing dead letters (other queues than its own) as one event per integration", async () => {
    const w = (world = await startNotificationWorld());
    const tenantId = await w.tenant();
    const hook = await w.slackHook();
    const channel = await w.notifications.admin.createChannel(SYSTEM, tenantId, { name: 'ops', kind: 'slack_webhook', url: hook.url });
    await w.notifications.admin.createRule(SYSTEM, tenantId, { name: 'dead letters', channelId: channel.id, eventTypes: ['dead_letters.growing'] });
    w.clock.advance(1_000);
    w.queue.consume('sync-inbound', async () => {
      throw new TributaryError('PROVIDER_REJECTED', 'the record is gone');
    }, { concurrency: 1 });
    for (let i = 0; i < 3; i++) await w.queue.enqueue('sync-inbound', { tenantId, integrationId: 'int_x', page: i });
    await w.queue.enqueue('sync-inbound', { tenantId: 'ten_other', integrationId: 'int_y' });
    await waitFor('four dead letters', async () => (await w.queue.stats()).find((s) => s.queue === 'sync-inbound')?.deadLetters === 4);
    w.clock.advance(1_000);
    await w.notifier.flushNow();
    await waitFor('the notification', async () => (await w.slackPosts(hook.id)).length === 1);
    const [post] = await w.slackPosts(hook.id);
    expect(post.body.text).toBe('⚠️ Failed jobs are piling up: integration int_x');
    expect(slackText(post)).toContain('*newDeadLetters*\\n3');
    expect(slackText(post)).toContain('PROVIDER_REJECTED');
    // Nothing new since: the next check stays quiet.
    await w.notifier.flushNow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await w.slackPosts(hook.id)).toHaveLength(1);
  });
});
