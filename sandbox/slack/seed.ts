/**
 * Fills a SlackStore from the sandbox's people: a workspace named for the largest
 * employer, about 80% of the people as members (real name, display name that is often a
 * nickname or empty, email, phone in whatever format they typed, title, time zone; a few
 * deactivated), Slackbot and the app's bot user, public and private channels, and
 * messages with threads over the last 90 days. Ground truth is recorded for every human
 * user (object `users`, external id = the `U…` id).
 */
import type { Rng, SandboxContext } from '../core/types.ts';
import type { SlackMessage, SlackStore, SlackUser } from './data.ts';
import { microsTs } from './data.ts';

const DAY_MS = 86_400_000;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PUBLIC_CHANNELS = ['general', 'random', 'engineering', 'sales', 'support', 'marketing', 'announcements', 'product', 'design', 'ops', 'customer-success', 'hiring'];
const PRIVATE_CHANNELS = ['leadership', 'proj-atlas', 'incidents', 'finance'];
const TIME_ZONES: [string, string, number][] = [
  ['America/Los_Angeles', 'Pacific Standard Time', -28800],
  ['America/New_York', 'Eastern Standard Time', -18000],
  ['Europe/London', 'Greenwich Mean Time', 0],
  ['Europe/Berlin', 'Central European Time', 3600],
  ['Asia/Kolkata', 'India Standard Time', 19800],
  ['Australia/Sydney', 'Australian Eastern Daylight Time', 39600],
];
const MESSAGES = [
  'Morning all! Standup in 5.', 'Can someone review my PR?', 'The deploy is done :rocket:', 'Customer call moved to 3pm.', 'Who owns the billing dashboard?',
  'Lunch? :sandwich:', 'FYI the VPN is flaky today.', 'Great job on the launch, team!', 'Please update the runbook after the incident.', 'Does anyone have the Q3 numbers?',
  'I pushed a fix for the login bug.', 'Reminder: all-hands tomorrow at 10.', 'Can we sync about the roadmap?', 'Looks good to me :+1:', 'Thanks, that worked!',
];
const REPLIES = ['On it.', 'Done :white_check_mark:', 'Thanks!', 'Let me check.', '+1', 'I can take a look after lunch.'];

export function slackId(rng: Rng, prefix: string, length = 10): string {
  let id = prefix;
  for (let i = 0; i < length; i++) id += ID_CHARS[rng.int(0, ID_CHARS.length)];
  return id;
}

function handle(given: string, family: string): string {
  return `${given}.${family}`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9._-]/g, '');
}

export function seedSlack(ctx: SandboxContext, store: SlackStore): void {
  store.clear();
  const rng = ctx.rng('slack:seed');
  const anchor = ctx.clock.now() - 60_000;
  const people = ctx.people.all();
  const byDomain = new Map<string, number>();
  for (const person of people) byDomain.set(person.companyDomain, (byDomain.get(person.companyDomain) ?? 0) + 1);
  const top = [...byDomain.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'example.com';
  const company = people.find((person) => person.companyDomain === top)?.company ?? 'Example';
  store.team = { id: slackId(rng, 'T', 8), name: company, domain: (top.split('.')[0] ?? 'example').toLowerCase(), emailDomain: top };
  store.app = { id: slackId(rng, 'A'), botId: slackId(rng, 'B'), botUserId: slackId(rng, 'U'), verificationToken: slackId(rng, '', 24).toLowerCase() };

  const base = (id: string, name: string, updated: number): SlackUser => ({
    id, name, deleted: false, isBot: false, isAdmin: false, isOwner: false, realName: '', displayName: '', firstName: '', lastName: '', email: null, phone: '', title: '',
    tz: 'America/Los_Angeles', tzLabel: 'Pacific Standard Time', tzOffset: -28800, color: '757575', updated, botId: null, truthId: null,
  });
  const slackbot = { ...base('USLACKBOT', 'slackbot', Math.floor((anchor - 400 * DAY_MS) / 1000)), realName: 'Slackbot', displayName: 'Slackbot', firstName: 'slackbot', color: '757575' };
  store.users.set(slackbot.id, slackbot);
  const bot = { ...base(store.app.botUserId, 'tributary', Math.floor((anchor - 30 * DAY_MS) / 1000)), isBot: true, realName: 'Tributary', displayName: '', botId: store.app.botId };
  store.users.set(bot.id, bot);

  const humans: SlackUser[] = [];
  const handles = new Set<string>();
  for (const variant of ctx.people.variantsFor('slack', 0.8)) {
    let name = handle(variant.givenName, variant.familyName) || `user${humans.length}`;
    while (handles.has(name)) name += String(rng.int(0, 10));
    handles.add(name);
    const [tz, tzLabel, tzOffset] = rng.pick(TIME_ZONES);
    const user: SlackUser = {
      ...base(slackId(rng, 'U'), name, Math.floor((anchor - rng.int(0, 300) * DAY_MS) / 1000)),
      deleted: humans.length > 0 && rng.chance(0.04),
      isAdmin: humans.length === 0 || rng.chance(0.05),
      isOwner: humans.length === 0,
      realName: `${variant.givenName} ${variant.familyName}`.trim(),
      displayName: rng.chance(0.3) ? '' : variant.givenName,
      firstName: variant.givenName,
      lastName: variant.familyName,
      email: variant.email,
      phone: variant.phone ?? '',
      title: variant.title ?? '',
      tz,
      tzLabel,
      tzOffset,
      color: rng.int(0, 0xffffff).toString(16).padStart(6, '0'),
      truthId: variant.truthId,
    };
    store.users.set(user.id, user);
    humans.push(user);
    ctx.truth.record({ provider: 'slack', object: 'users', externalId: user.id, truthId: variant.truthId });
  }
  const active = humans.filter((user) => !user.deleted);
  store.defaultUserId = active[0]?.id ?? '';

  const channelCount = Math.max(5, Math.ceil(people.length / 15));
  const names = [...PUBLIC_CHANNELS.slice(0, Math.min(PUBLIC_CHANNELS.length, channelCount)), ...PRIVATE_CHANNELS.slice(0, Math.max(1, Math.floor(channelCount / 4)))];
  if (channelCount >= 6) names.push('old-project');
  for (const name of names) {
    const isPrivate = PRIVATE_CHANNELS.includes(name);
    const everyone = name === 'general' || name === 'random' || name === 'announcements';
    const members = active.filter(() => everyone || rng.chance(0.4)).map((user) => user.id);
    if (members.length === 0 && active[0]) members.push(active[0].id);
    if (!members.includes(store.defaultUserId) && (!isPrivate || rng.chance(0.5))) members.push(store.defaultUserId);
    // The app sits in every public channel and was invited to the first private one.
    if (!isPrivate || name === PRIVATE_CHANNELS[0] || rng.chance(0.5)) members.push(store.app.botUserId);
    const created = anchor - rng.int(120, 700) * DAY_MS;
    const id = slackId(rng, isPrivate ? 'G' : 'C');
    store.channels.set(id, {
      id, name, isPrivate, isArchived: name === 'old-project', isGeneral: name === 'general', created: Math.floor(created / 1000),
      creator: members[0] ?? store.defaultUserId, topic: rng.chance(0.5) ? `All things ${name.replace(/-/g, ' ')}` : '', purpose: rng.chance(0.5) ? `Discussion about ${name}` : '',
      memberIds: members.filter(Boolean), deleted: false, updated: created,
    });
  }

  const channels = [...store.channels.values()];
  const used = new Set<string>();
  const uniqueTs = (channelId: string, ms: number): string => {
    let micros = ms * 1000 + rng.int(0, 1000);
    while (used.has(`${channelId}:${micros}`)) micros += 1;
    used.add(`${channelId}:${micros}`);
    return microsTs(micros);
  };
  const messageCount = Math.min(20_000, Math.max(50, people.length * 6));
  const byChannel = new Map<string, SlackMessage[]>();
  const authorsOf = new Map(channels.map((channel) => [channel.id, channel.memberIds.filter((id) => id !== store.app.botUserId)]));
  for (let i = 0; i < messageCount; i++) {
    const channel = rng.pick(channels);
    const authors = authorsOf.get(channel.id) ?? [];
    const at = anchor - DAY_MS - Math.floor(rng.next() * 89 * DAY_MS);
    const parent: SlackMessage = {
      ts: uniqueTs(channel.id, at), channelId: channel.id, user: rng.pick(authors.length > 0 ? authors : [store.defaultUserId]), botId: null, text: rng.pick(MESSAGES),
      blocks: null, threadTs: null, subtype: null, username: null, edited: null, deleted: false,
    };
    const list = byChannel.get(channel.id) ?? [];
    list.push(parent);
    if (rng.chance(0.12)) {
      parent.threadTs = parent.ts;
      const replyCount = rng.int(1, 4);
      for (let r = 1; r <= replyCount; r++) {
        list.push({ ...parent, ts: uniqueTs(channel.id, at + r * rng.int(60_000, 3_600_000)), user: rng.pick(authors.length > 0 ? authors : [store.defaultUserId]), text: rng.pick(REPLIES), threadTs: parent.ts });
      }
    }
    byChannel.set(channel.id, list);
  }
  for (const [channelId, list] of byChannel) {
    list.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    store.messages.set(channelId, list);
  }
}
