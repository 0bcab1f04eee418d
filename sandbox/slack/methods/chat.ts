/**
 * `chat.postMessage` (special tier: about 1 a second per channel), `chat.update` and
 * `chat.delete`, with Slack's errors: `channel_not_found`, `not_in_channel`,
 * `is_archived`, `no_text`, `msg_too_long`, `message_not_found`, `cant_update_message`,
 * `cant_delete_message`. Each fires its Events API event through SlackChanges.
 */
import type { SlackPrincipal } from '../auth.ts';
import type { SlackChanges } from '../changes.ts';
import type { SlackChannel, SlackMessage, SlackStore } from '../data.ts';
import { SlackApiError } from '../errors.ts';
import { messageJson } from '../representations.ts';
import { jsonArg, str } from '../web-api.ts';
import type { SlackArgs, SlackMethodSpec } from '../web-api.ts';

const MAX_TEXT = 40_000;

function postableChannel(store: SlackStore, principal: SlackPrincipal, args: SlackArgs): SlackChannel {
  const id = str(args, 'channel');
  const channel = id ? store.channel(id) : undefined;
  if (!channel) throw new SlackApiError('channel_not_found');
  const member = channel.memberIds.includes(principal.userId);
  if (channel.isPrivate && !member) throw new SlackApiError('channel_not_found');
  if (channel.isArchived) throw new SlackApiError('is_archived');
  if (!member && !(principal.kind === 'bot' && principal.scopes.includes('chat:write.public'))) throw new SlackApiError('not_in_channel');
  return channel;
}

function content(args: SlackArgs): { text: string; blocks: unknown[] | null } {
  const blocks = jsonArg(args, 'blocks');
  const text = str(args, 'text') ?? '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (text === '' && !hasBlocks && args.attachments === undefined) throw new SlackApiError('no_text');
  if (text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  return { text, blocks: hasBlocks ? (blocks as unknown[]) : null };
}

function ownMessage(store: SlackStore, principal: SlackPrincipal, channel: SlackChannel, ts: string | undefined, refusal: string): SlackMessage {
  const message = ts ? store.message(channel.id, ts) : undefined;
  if (!message) throw new SlackApiError('message_not_found');
  const own = principal.kind === 'bot' ? message.botId === store.app.botId : message.user === principal.userId && message.botId === null;
  if (!own) throw new SlackApiError(refusal);
  return message;
}

export function chatMethods(store: SlackStore, changes: SlackChanges): Record<string, SlackMethodSpec> {
  return {
    'chat.postMessage': {
      auth: true,
      tier: 'post',
      scopes: () => ['chat:write'],
      run: ({ args, principal }) => {
        const channel = postableChannel(store, principal, args);
        const { text, blocks } = content(args);
        const threadTs = str(args, 'thread_ts') || null;
        const isBot = principal.kind === 'bot';
        const message = changes.postMessage(channel, { user: principal.userId, botId: isBot ? store.app.botId : null, text, blocks, threadTs });
        const json = messageJson(store, message);
        if (isBot) json.bot_profile = { id: store.app.botId, app_id: store.app.id, name: 'Tributary', deleted: false, team_id: store.team.id };
        return { channel: channel.id, ts: message.ts, message: json };
      },
    },

    'chat.update': {
      auth: true,
      tier: 3,
      scopes: () => ['chat:write'],
      run: ({ args, principal }) => {
        const channel = postableChannel(store, principal, args);
        const message = ownMessage(store, principal, channel, str(args, 'ts'), 'cant_update_message');
        const { text, blocks } = content(args);
        changes.updateMessage(channel, message, { text, blocks, editor: principal.userId });
        return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(store, message) };
      },
    },

    'chat.delete': {
      auth: true,
      tier: 3,
      scopes: () => ['chat:write'],
      run: ({ args, principal }) => {
        const channel = postableChannel(store, principal, args);
        const message = ownMessage(store, principal, channel, str(args, 'ts'), 'cant_delete_message');
        changes.deleteMessage(channel, message);
        return { channel: channel.id, ts: message.ts };
      },
    },
  };
}
