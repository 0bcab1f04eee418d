/**
 * The Slack simulator's records and their store. Times are Slack's: `ts` strings
 * (`"1700000000.000100"`, unique per channel, in order), `created`/`updated` epoch
 * seconds. Deleted channels and messages stay flagged so the control API can tell
 * "deleted" from "never existed"; the Web API hides them as Slack does.
 */

export interface SlackTeam {
  id: string;
  name: string;
  domain: string;
  emailDomain: string;
}

export interface SlackApp {
  id: string;
  botId: string;
  botUserId: string;
  verificationToken: string;
}

export interface SlackUser {
  id: string;
  name: string;
  deleted: boolean;
  isBot: boolean;
  isAdmin: boolean;
  isOwner: boolean;
  realName: string;
  displayName: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string;
  title: string;
  tz: string;
  tzLabel: string;
  tzOffset: number;
  color: string;
  /** Epoch seconds. */
  updated: number;
  botId: string | null;
  truthId: string | null;
}

export interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  isGeneral: boolean;
  /** Epoch seconds. */
  created: number;
  creator: string;
  topic: string;
  purpose: string;
  memberIds: string[];
  deleted: boolean;
  /** Epoch ms, as `updated` in conversations.list. */
  updated: number;
}

export interface SlackMessage {
  ts: string;
  channelId: string;
  user: string | null;
  botId: string | null;
  text: string;
  blocks: unknown[] | null;
  threadTs: string | null;
  subtype: string | null;
  username: string | null;
  edited: { user: string; ts: string } | null;
  deleted: boolean;
}

export interface IncomingWebhook {
  id: string;
  channelId: string;
  secret: string;
  configurationId: string;
  revoked: boolean;
  posts: { at: number; contentType: string; raw: string; body: unknown }[];
}

/** `ts` as a number of microseconds, for ordering and arithmetic. */
export function tsMicros(ts: string): number {
  const [seconds = '0', fraction = '0'] = ts.split('.');
  return Number(seconds) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

export function microsTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

export class SlackStore {
  team: SlackTeam = { id: '', name: '', domain: '', emailDomain: '' };
  app: SlackApp = { id: '', botId: '', botUserId: '', verificationToken: '' };
  readonly users = new Map<string, SlackUser>();
  readonly channels = new Map<string, SlackChannel>();
  /** Per channel, every message (replies included) in `ts` order. */
  readonly messages = new Map<string, SlackMessage[]>();
  readonly webhooks = new Map<string, IncomingWebhook>();
  /** User tokens are minted for this user when none is named. */
  defaultUserId = '';

  clear(): void {
    this.users.clear();
    this.channels.clear();
    this.messages.clear();
    this.webhooks.clear();
    this.defaultUserId = '';
  }

  channelMessages(channelId: string): SlackMessage[] {
    let list = this.messages.get(channelId);
    if (!list) {
      list = [];
      this.messages.set(channelId, list);
    }
    return list;
  }

  /** A `ts` for a new message in the channel: from `nowMs`, after every existing one. */
  nextTs(channelId: string, nowMs: number): string {
    const list = this.channelMessages(channelId);
    const last = list.length > 0 ? tsMicros((list[list.length - 1] as SlackMessage).ts) : 0;
    return microsTs(Math.max(nowMs * 1000, last + 1));
  }

  /** Inserts keeping `ts` order (seeding may add out of order). */
  addMessage(message: SlackMessage): void {
    const list = this.channelMessages(message.channelId);
    const micros = tsMicros(message.ts);
    let index = list.length;
    while (index > 0 && tsMicros((list[index - 1] as SlackMessage).ts) > micros) index -= 1;
    list.splice(index, 0, message);
  }

  message(channelId: string, ts: string): SlackMessage | undefined {
    return this.messages.get(channelId)?.find((message) => message.ts === ts && !message.deleted);
  }

  replies(channelId: string, threadTs: string): SlackMessage[] {
    return (this.messages.get(channelId) ?? []).filter((message) => !message.deleted && message.threadTs === threadTs && message.ts !== threadTs);
  }

  /** A live channel by id, or by name with or without `#`. */
  channel(idOrName: string): SlackChannel | undefined {
    const byId = this.channels.get(idOrName);
    if (byId) return byId.deleted ? undefined : byId;
    const name = idOrName.replace(/^#/, '');
    for (const channel of this.channels.values()) if (!channel.deleted && channel.name === name) return channel;
    return undefined;
  }
}
