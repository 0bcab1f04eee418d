/**
 * Messages of the channels in settings.channels (ids), or of every channel the token's
 * user is a member of. Ids are `<channel id>:<ts>`.
 *
 * Reads walk `conversations.history` channel by channel, with `oldest` = that channel's
 * watermark and `inclusive=false`, cursor-paginated. History answers newest first, so a
 * channel's watermark only moves once its walk is over (the newest ts seen is carried in
 * the cursor until then): a crash mid-channel resumes from Slack's page cursor and the
 * old watermark. Only new messages are seen this way; edits and deletions reach us by
 * the Events API (`message_changed`, `message_deleted`): deletions 'webhook'. Thread
 * replies are not in history (only their parents). A channel that became unreadable
 * since the run began (`channel_not_found`, `not_in_channel`) is skipped.
 *
 * Writes: chat.postMessage (create: `{channel, text, blocks?, thread_ts?}`), chat.update
 * (`{text?, blocks?}`), chat.delete. Slack has no preconditions.
 */
import type { ChangePage, Cursor, ExternalRecord, ObjectDefinition, ProviderContext } from '../../provider.ts';
import { TributaryError } from '../../../domain/errors.ts';
import { nextCursorOf, slackRead, slackWrite, tsToIso } from '../client.ts';
import { isSlackError } from '../errors.ts';
import { listChannels } from './channels.ts';

/** History errors that mean the channel is no longer readable for this token. */
const GONE_CHANNEL_ERRORS = ['channel_not_found', 'not_in_channel'];

export interface SlackMessagesCursor extends Cursor {
  /** Per channel: the newest ts already read. */
  watermarks: Record<string, string>;
  /** The channels of the run in progress, and which one is being read. */
  channels?: string[];
  index?: number;
  /** Slack's page cursor within the channel, and the newest ts seen in it so far. */
  page?: string;
  newest?: string;
}

type SlackMessage = Record<string, unknown> & { ts: string; edited?: { ts?: string } };

export function messageId(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

export function parseMessageId(id: string): { channel: string; ts: string } {
  const colon = id.indexOf(':');
  if (colon <= 0) throw new TributaryError('VALIDATION_FAILED', `A Slack message id is "<channel>:<ts>", got "${id}"`, { field: 'id' });
  return { channel: id.slice(0, colon), ts: id.slice(colon + 1) };
}

function messageRecord(channel: string, message: SlackMessage): ExternalRecord {
  const version = message.edited?.ts ?? message.ts;
  return { id: messageId(channel, message.ts), version, modifiedAt: tsToIso(version), data: { ...message, channel } };
}

function newer(a: string | undefined, b: string): string {
  return a === undefined || Number(b) > Number(a) ? b : a;
}

async function channelsToRead(ctx: ProviderContext): Promise<string[]> {
  const configured = ctx.connection.settings.channels;
  if (Array.isArray(configured) && configured.length > 0) return configured.map(String);
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const { channels, next } = await listChannels(ctx, cursor, 1000);
    for (const c of channels) if (c.is_member === true && c.is_archived !== true) ids.push(c.id);
    cursor = next ?? undefined;
  } while (cursor);
  return ids;
}

export const messagesObject: ObjectDefinition = {
  name: 'messages',
  label: 'Messages',
  capabilities: { incremental: true, deletions: 'webhook', create: true, update: true, delete: true, batch: false, webhooks: true, precondition: 'none' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const prior = (cursor ?? { watermarks: {} }) as SlackMessagesCursor;
    const watermarks = { ...(prior.watermarks ?? {}) };
    const channels = prior.channels ?? (await channelsToRead(ctx));
    const index = prior.index ?? 0;
    const channel = channels[index];
    if (channel === undefined) return { records: [], deletions: [], cursor: { watermarks } satisfies SlackMessagesCursor, done: true };

    let answer: { messages?: SlackMessage[]; response_metadata?: { next_cursor?: string } };
    try {
      answer = await slackRead(ctx, 'conversations.history', {
        channel,
        limit: Math.min(options.pageSize ?? 200, 999),
        oldest: watermarks[channel],
        inclusive: false,
        cursor: prior.page,
      });
    } catch (error) {
      // The channel went away or we were removed from it since the run began: skip it
      // (and forget its watermark) rather than fail every retry of the run on it.
      if (!isSlackError(error, ...GONE_CHANNEL_ERRORS)) throw error;
      delete watermarks[channel];
      const done = index + 1 >= channels.length;
      return { records: [], deletions: [], cursor: done ? { watermarks } : { watermarks, channels, index: index + 1 }, done };
    }
    let newest = prior.newest;
    const records: ExternalRecord[] = [];
    for (const message of answer.messages ?? []) {
      newest = newer(newest, message.ts);
      records.push(messageRecord(channel, message));
    }
    const next = nextCursorOf(answer);
    if (next) {
      const state: SlackMessagesCursor = { watermarks, channels, index, page: next };
      if (newest !== undefined) state.newest = newest;
      return { records, deletions: [], cursor: state, done: false };
    }
    if (newest !== undefined) watermarks[channel] = newest;
    const done = index + 1 >= channels.length;
    const state: SlackMessagesCursor = done ? { watermarks } : { watermarks, channels, index: index + 1 };
    return { records, deletions: [], cursor: state, done };
  },

  async fetchOne(ctx, id) {
    const { channel, ts } = parseMessageId(id);
    try {
      const answer = await slackRead<{ messages?: SlackMessage[] }>(ctx, 'conversations.history', { channel, oldest: ts, latest: ts, inclusive: true, limit: 1 });
      const found = (answer.messages ?? []).find((m) => m.ts === ts);
      return found ? messageRecord(channel, found) : null;
    } catch (error) {
      if (isSlackError(error, 'channel_not_found')) return null;
      throw error;
    }
  },

  async create(ctx, data) {
    if (typeof data.channel !== 'string' || data.channel === '') throw new TributaryError('VALIDATION_FAILED', 'A Slack message needs a channel', { field: 'channel' });
    const answer = await slackWrite<{ channel: string; ts: string; message?: SlackMessage }>(ctx, 'chat.postMessage', data);
    return messageRecord(answer.channel, { ...(answer.message ?? {}), ts: answer.ts });
  },

  async update(ctx, id, patch) {
    const { channel, ts } = parseMessageId(id);
    const answer = await slackWrite<{ channel: string; ts: string; message?: SlackMessage }>(ctx, 'chat.update', { ...patch, channel, ts });
    return messageRecord(answer.channel ?? channel, { ...(answer.message ?? {}), ts: answer.ts ?? ts });
  },

  /** Deleting a message that is already gone succeeds (deletes are idempotent). */
  async delete(ctx, id) {
    const { channel, ts } = parseMessageId(id);
    try {
      await slackWrite(ctx, 'chat.delete', { channel, ts });
    } catch (error) {
      if (!isSlackError(error, 'message_not_found')) throw error;
    }
  },
};
