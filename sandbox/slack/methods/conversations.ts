/**
 * `conversations.list`, `conversations.info`, `conversations.history` and
 * `conversations.replies`. History lists a channel's top-level messages (thread parents
 * included, replies not) newest first between `oldest` and `latest` (exclusive unless
 * `inclusive`), with `has_more` and a `next_ts:` cursor; deleted messages are simply
 * gone, as on Slack (their deletion reaches apps as a `message_deleted` event).
 */
import type { SlackPrincipal } from '../auth.ts';
import { requireScope } from '../auth.ts';
import type { SlackChannel, SlackMessage, SlackStore } from '../data.ts';
import { tsMicros } from '../data.ts';
import { SlackApiError } from '../errors.ts';
import { decodeCursor, encodeCursor, limitArg, pageById } from '../pagination.ts';
import { channelJson, messageJson } from '../representations.ts';
import { bool, str } from '../web-api.ts';
import type { SlackArgs, SlackMethodSpec } from '../web-api.ts';

const TYPE_SCOPES: Record<string, string> = { public_channel: 'channels:read', private_channel: 'groups:read', mpim: 'mpim:read', im: 'im:read' };

/** The channel named by `args.channel` that the caller may read, or Slack's error. */
export function readableChannel(store: SlackStore, principal: SlackPrincipal, args: SlackArgs, options: { history: boolean }): SlackChannel {
  const id = str(args, 'channel');
  const channel = id ? store.channel(id) : undefined;
  if (!channel) throw new SlackApiError('channel_not_found');
  const member = channel.memberIds.includes(principal.userId);
  if (channel.isPrivate && !member) throw new SlackApiError('channel_not_found');
  if (options.history) {
    requireScope(principal, [channel.isPrivate ? 'groups:history' : 'channels:history']);
    if (!member && principal.kind === 'bot') throw new SlackApiError('not_in_channel');
  }
  return channel;
}

function tsArg(args: SlackArgs, key: string, fallback: number): number {
  const value = str(args, key);
  if (value === undefined || value === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new SlackApiError(key === 'latest' ? 'invalid_ts_latest' : 'invalid_ts_oldest');
  return tsMicros(value);
}

function window(args: SlackArgs, nowMs: number): (message: SlackMessage) => boolean {
  const oldest = tsArg(args, 'oldest', 0);
  const latest = tsArg(args, 'latest', nowMs * 1000 + 999);
  const inclusive = bool(args, 'inclusive');
  return (message) => {
    const at = tsMicros(message.ts);
    return inclusive ? at >= oldest && at <= latest : at > oldest && at < latest;
  };
}

/**
 * `nonMarketplace`: the app is a commercially distributed app outside the Marketplace,
 * created after 2025-05-29: Slack limits its `conversations.history` and
 * `conversations.replies` to 1 request a minute and 15 messages a request.
 */
export function conversationMethods(store: SlackStore, now: () => number, settings: { nonMarketplace: boolean }): Record<string, SlackMethodSpec> {
  const historyTier = () => (settings.nonMarketplace ? 1 : 3);
  const maxMessages = (normal: number) => (settings.nonMarketplace ? 15 : normal);
  return {
    'conversations.list': {
      auth: true,
      tier: 2,
      scopes: () => ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
      checkScopes: false,
      run: ({ args, principal }) => {
        const types = (str(args, 'types') ?? 'public_channel').split(',').map((type) => type.trim()).filter(Boolean);
        for (const type of types) {
          const scope = TYPE_SCOPES[type];
          if (!scope) throw new SlackApiError('invalid_types');
          requireScope(principal, [scope]);
        }
        const excludeArchived = bool(args, 'exclude_archived');
        const channels = [...store.channels.values()].filter(
          (channel) =>
            !channel.deleted &&
            (!excludeArchived || !channel.isArchived) &&
            ((types.includes('public_channel') && !channel.isPrivate) || (types.includes('private_channel') && channel.isPrivate && channel.memberIds.includes(principal.userId))),
        );
        const { page, nextCursor } = pageById(channels, 'team', args.cursor, limitArg(args.limit, 100, 1000));
        return { channels: page.map((channel) => channelJson(store, channel, principal.userId)), response_metadata: { next_cursor: nextCursor } };
      },
    },

    'conversations.info': {
      auth: true,
      tier: 3,
      scopes: () => ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
      run: ({ args, principal }) => ({ channel: channelJson(store, readableChannel(store, principal, args, { history: false }), principal.userId) }),
    },

    'conversations.history': {
      auth: true,
      tier: historyTier,
      scopes: () => ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
      checkScopes: false,
      run: ({ args, principal }) => {
        const channel = readableChannel(store, principal, args, { history: true });
        const inWindow = window(args, now());
        const before = decodeCursor('next_ts', args.cursor);
        const beforeMicros = before === null ? Number.POSITIVE_INFINITY : Number(before);
        const newestFirst = (store.messages.get(channel.id) ?? [])
          .filter((message) => !message.deleted && (message.threadTs === null || message.threadTs === message.ts) && inWindow(message) && tsMicros(message.ts) <= beforeMicros)
          .reverse();
        const limit = limitArg(args.limit, maxMessages(100), maxMessages(999));
        const page = newestFirst.slice(0, limit);
        const next = newestFirst[limit];
        return {
          messages: page.map((message) => messageJson(store, message)),
          has_more: next !== undefined,
          pin_count: 0,
          channel_actions_ts: null,
          channel_actions_count: 0,
          response_metadata: { next_cursor: next ? encodeCursor('next_ts', String(tsMicros(next.ts))) : '' },
        };
      },
    },

    'conversations.replies': {
      auth: true,
      tier: historyTier,
      scopes: () => ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
      checkScopes: false,
      run: ({ args, principal }) => {
        const channel = readableChannel(store, principal, args, { history: true });
        const ts = str(args, 'ts');
        const parent = ts ? store.message(channel.id, ts) : undefined;
        if (!parent) throw new SlackApiError('thread_not_found');
        const inWindow = window(args, now());
        const thread = [parent, ...store.replies(channel.id, parent.ts)].filter((message, index) => index === 0 || inWindow(message));
        const after = decodeCursor('next_ts', args.cursor);
        const fromMicros = after === null ? 0 : Number(after);
        const rest = thread.filter((message) => tsMicros(message.ts) >= fromMicros);
        const limit = limitArg(args.limit, maxMessages(1000), maxMessages(1000));
        const page = rest.slice(0, limit);
        const next = rest[limit];
        return {
          messages: page.map((message) => messageJson(store, message)),
          has_more: next !== undefined,
          response_metadata: { next_cursor: next ? encodeCursor('next_ts', String(tsMicros(next.ts))) : '' },
        };
      },
    },
  };
}
