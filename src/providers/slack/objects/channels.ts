/**
 * Channels (`conversations.list`, types from settings.channelTypes, default
 * `public_channel,private_channel`; archived ones included with `is_archived`). No
 * change filter: every run lists them all (incremental false). Deleted channels vanish
 * from the list; their deletion arrives by webhook (`channel_deleted`). Read-only.
 */
import type { ChangePage, ExternalRecord, ObjectDefinition, ProviderContext } from '../../provider.ts';
import { nextCursorOf, slackRead, tsToIso } from '../client.ts';
import { isSlackError } from '../errors.ts';

export type SlackChannel = Record<string, unknown> & { id: string; is_member?: boolean; updated?: number; created?: number };

export function channelTypes(ctx: ProviderContext): string {
  const types = ctx.connection.settings.channelTypes;
  if (Array.isArray(types) && types.length > 0) return types.map(String).join(',');
  return typeof types === 'string' && types !== '' ? types : 'public_channel,private_channel';
}

function channelRecord(channel: SlackChannel): ExternalRecord {
  // `updated` is in milliseconds on Slack's channel objects.
  const updated = typeof channel.updated === 'number' ? new Date(channel.updated).toISOString() : tsToIso(channel.created);
  return { id: channel.id, version: typeof channel.updated === 'number' ? String(channel.updated) : null, modifiedAt: updated, data: channel };
}

/** One page of `conversations.list`. */
export async function listChannels(ctx: ProviderContext, cursor: string | undefined, limit: number): Promise<{ channels: SlackChannel[]; next: string | null }> {
  const answer = await slackRead<{ channels?: SlackChannel[]; response_metadata?: { next_cursor?: string } }>(ctx, 'conversations.list', {
    types: channelTypes(ctx),
    exclude_archived: false,
    limit,
    cursor,
  });
  return { channels: answer.channels ?? [], next: nextCursorOf(answer) };
}

export const channelsObject: ObjectDefinition = {
  name: 'channels',
  label: 'Channels',
  capabilities: { incremental: false, deletions: 'webhook', create: false, update: false, delete: false, batch: false, webhooks: true, precondition: 'none' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const { channels, next } = await listChannels(ctx, typeof cursor?.cursor === 'string' ? cursor.cursor : undefined, Math.min(options.pageSize ?? 200, 1000));
    return { records: channels.map(channelRecord), deletions: [], cursor: next ? { cursor: next } : {}, done: next === null };
  },

  async fetchOne(ctx, id) {
    try {
      const answer = await slackRead<{ channel?: SlackChannel }>(ctx, 'conversations.info', { channel: id });
      return answer.channel ? channelRecord(answer.channel) : null;
    } catch (error) {
      if (isSlackError(error, 'channel_not_found')) return null;
      throw error;
    }
  },
};
