/**
 * Every change to the simulated Slack workspace, from the Web API, incoming webhooks or
 * the control API, with the Events API event Slack sends for it: `message` (and its
 * `message_changed` / `message_deleted` subtypes), `channel_created`, `channel_rename`,
 * `channel_archive` / `channel_unarchive`, `channel_deleted`, `team_join`, `user_change`.
 */
import type { SandboxContext } from '../core/types.ts';
import type { SlackChannel, SlackMessage, SlackStore, SlackUser } from './data.ts';
import { microsTs } from './data.ts';
import type { SlackEvents } from './events.ts';
import { channelJson, messageJson, userJson } from './representations.ts';

export interface NewMessage {
  user: string | null;
  botId?: string | null;
  text: string;
  blocks?: unknown[] | null;
  threadTs?: string | null;
  subtype?: string | null;
  username?: string | null;
}

const USER_FIELDS = ['realName', 'displayName', 'firstName', 'lastName', 'email', 'phone', 'title', 'name'] as const;

export class SlackChanges {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: SlackStore,
    private readonly events: SlackEvents,
  ) {}

  private eventTs(): string {
    return microsTs(this.ctx.clock.now() * 1000);
  }

  private channelType(channel: SlackChannel): string {
    return channel.isPrivate ? 'group' : 'channel';
  }

  postMessage(channel: SlackChannel, input: NewMessage): SlackMessage {
    const message: SlackMessage = {
      ts: this.store.nextTs(channel.id, this.ctx.clock.now()),
      channelId: channel.id,
      user: input.user,
      botId: input.botId ?? null,
      text: input.text,
      blocks: input.blocks ?? null,
      threadTs: input.threadTs ?? null,
      subtype: input.subtype ?? null,
      username: input.username ?? null,
      edited: null,
      deleted: false,
    };
    if (message.threadTs) {
      const parent = this.store.message(channel.id, message.threadTs);
      if (parent && !parent.threadTs) parent.threadTs = parent.ts;
    }
    this.store.addMessage(message);
    const event = { ...messageJson(this.store, message), channel: channel.id, event_ts: message.ts, channel_type: this.channelType(channel) };
    this.events.emit(event, channel);
    return message;
  }

  updateMessage(channel: SlackChannel, message: SlackMessage, input: { text?: string; blocks?: unknown[] | null; editor: string }): SlackMessage {
    const previous = messageJson(this.store, message);
    if (input.text !== undefined) message.text = input.text;
    if (input.blocks !== undefined) message.blocks = input.blocks;
    const eventTs = this.eventTs();
    message.edited = { user: input.editor, ts: eventTs };
    const event = {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      message: messageJson(this.store, message),
      channel: channel.id,
      previous_message: previous,
      event_ts: eventTs,
      ts: eventTs,
      channel_type: this.channelType(channel),
    };
    this.events.emit(event, channel);
    return message;
  }

  deleteMessage(channel: SlackChannel, message: SlackMessage): void {
    const previous = messageJson(this.store, message);
    message.deleted = true;
    const eventTs = this.eventTs();
    const event = {
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      deleted_ts: message.ts,
      channel: channel.id,
      previous_message: previous,
      event_ts: eventTs,
      ts: eventTs,
      channel_type: this.channelType(channel),
    };
    this.events.emit(event, channel);
  }

  createChannel(input: { id: string; name: string; isPrivate: boolean; creator: string; topic?: string; purpose?: string }): SlackChannel {
    const now = this.ctx.clock.now();
    const channel: SlackChannel = {
      id: input.id,
      name: input.name,
      isPrivate: input.isPrivate,
      isArchived: false,
      isGeneral: false,
      created: Math.floor(now / 1000),
      creator: input.creator,
      topic: input.topic ?? '',
      purpose: input.purpose ?? '',
      memberIds: [input.creator, this.store.app.botUserId],
      deleted: false,
      updated: now,
    };
    this.store.channels.set(channel.id, channel);
    this.events.emit({
      type: 'channel_created',
      channel: { id: channel.id, name: channel.name, created: channel.created, creator: channel.creator, is_channel: !channel.isPrivate, is_private: channel.isPrivate },
      event_ts: this.eventTs(),
    });
    return channel;
  }

  updateChannel(channel: SlackChannel, fields: Record<string, unknown>, actor: string): SlackChannel {
    channel.updated = this.ctx.clock.now();
    if (typeof fields.name === 'string' && fields.name !== channel.name) {
      channel.name = fields.name;
      this.events.emit({ type: 'channel_rename', channel: { id: channel.id, name: channel.name, created: channel.created }, event_ts: this.eventTs() });
    }
    if (typeof fields.topic === 'string') channel.topic = fields.topic;
    if (typeof fields.purpose === 'string') channel.purpose = fields.purpose;
    if (Array.isArray(fields.members)) channel.memberIds = fields.members.map(String);
    const archive = fields.is_archived ?? fields.isArchived;
    if (typeof archive === 'boolean' && archive !== channel.isArchived) {
      channel.isArchived = archive;
      this.events.emit({ type: archive ? 'channel_archive' : 'channel_unarchive', channel: channel.id, user: actor, event_ts: this.eventTs() });
    }
    return channel;
  }

  deleteChannel(channel: SlackChannel): void {
    channel.deleted = true;
    channel.updated = this.ctx.clock.now();
    this.events.emit({ type: 'channel_deleted', channel: channel.id, event_ts: this.eventTs() });
  }

  addUser(user: SlackUser): SlackUser {
    this.store.users.set(user.id, user);
    this.events.emit({ type: 'team_join', user: userJson(this.store, user, { withEmail: true }), event_ts: this.eventTs() });
    return user;
  }

  /** A person edits their profile (or an admin deactivates them: `deleted: true`). */
  updateUser(user: SlackUser, fields: Record<string, unknown>): SlackUser {
    const aliases: Record<string, (typeof USER_FIELDS)[number]> = { real_name: 'realName', display_name: 'displayName', first_name: 'firstName', last_name: 'lastName' };
    for (const [key, value] of Object.entries(fields)) {
      const field = aliases[key] ?? (USER_FIELDS as readonly string[]).find((candidate) => candidate === key);
      if (field === undefined) continue;
      if (field === 'email') user.email = value === null ? null : String(value);
      else user[field as Exclude<(typeof USER_FIELDS)[number], 'email'>] = String(value ?? '');
    }
    if (typeof fields.deleted === 'boolean') user.deleted = fields.deleted;
    user.updated = Math.floor(this.ctx.clock.now() / 1000);
    this.events.emit({ type: 'user_change', user: userJson(this.store, user, { withEmail: true }), cache_ts: user.updated, event_ts: this.eventTs() });
    return user;
  }

  /** The channel as a member of it sees it (events and the control API). */
  channelView(channel: SlackChannel): Record<string, unknown> {
    return channelJson(this.store, channel, this.store.app.botUserId);
  }
}
