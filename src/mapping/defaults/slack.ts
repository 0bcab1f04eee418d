/**
 * Slack defaults: users (`users.list` members), channels (`conversations.list`) and
 * messages (`conversations.history` items and Events API `message` events).
 *
 * Contract with the fetcher: a message record must carry its `channel` id. Events API
 * messages have it; `conversations.history` items do not, so the Slack fetcher adds it
 * (it knows the channel it is reading). Message ids are `channel:ts`.
 */
import type { MappingDocument } from '../../domain/mapping.ts';
import { field, readOnly, t } from './build.ts';

export const SLACK_USER: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'slack', object: 'user' },
  targets: [
    {
      entityType: 'person',
      key: 'id',
      version: 'updated',
      tombstone: { source: 'deleted' },
      fields: [
        readOnly('name', ['profile.real_name', 'real_name', 'profile.display_name', 'name'], [t('coalesce'), t('trim')]),
        readOnly('displayName', 'profile.display_name', [t('nullify_empty')]),
        readOnly('givenName', 'profile.first_name', [t('nullify_empty')]),
        readOnly('familyName', 'profile.last_name', [t('nullify_empty')]),
        readOnly('handle', 'name'),
        readOnly('email', 'profile.email', [t('email')]),
        readOnly('phone', 'profile.phone', [t('nullify_empty'), t('phone_e164')]),
        readOnly('title', 'profile.title', [t('nullify_empty')]),
        readOnly('timeZone', 'tz'),
        readOnly('avatarUrl', 'profile.image_192'),
        readOnly('isBot', 'is_bot'),
        readOnly('isAdmin', 'is_admin'),
        readOnly('deleted', 'deleted', [t('default', false)]),
        readOnly('updatedAt', 'updated', [t('epoch_to_iso')]),
      ],
    },
  ],
};

export const SLACK_CHANNEL: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'slack', object: 'channel' },
  targets: [
    {
      entityType: 'channel',
      key: 'id',
      fields: [
        readOnly('name', ['name', 'name_normalized'], [t('coalesce')]),
        readOnly('topic', 'topic.value', [t('nullify_empty')]),
        readOnly('purpose', 'purpose.value', [t('nullify_empty')]),
        readOnly('isPrivate', 'is_private', [t('default', false)]),
        readOnly('isArchived', 'is_archived', [t('default', false)]),
        readOnly('isShared', 'is_shared', [t('default', false)]),
        readOnly('memberCount', 'num_members'),
        readOnly('createdAt', 'created', [t('epoch_to_iso')]),
      ],
      relationships: [{ kind: 'created_by', toEntityType: 'person', toObject: 'user', via: 'creator' }],
    },
  ],
};

export const SLACK_MESSAGE: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'slack', object: 'message' },
  targets: [
    {
      entityType: 'message',
      key: { sources: ['channel', 'ts'], transforms: [t('compound_key', ':')] },
      version: 'edited.ts',
      fields: [
        // chat.update takes mrkdwn: the inverse escapes &, < and > as Slack requires.
        field('text', 'text', [t('slack_to_text')]),
        readOnly('rawText', 'text'),
        readOnly('sentAt', 'ts', [t('slack_ts_to_iso')]),
        readOnly('editedAt', 'edited.ts', [t('slack_ts_to_iso')]),
        readOnly('threadTs', 'thread_ts'),
        readOnly('ts', 'ts'),
        readOnly('channelId', 'channel'),
        readOnly('userId', ['user', 'bot_id'], [t('coalesce')]),
        readOnly('subtype', 'subtype'),
        readOnly('replyCount', 'reply_count'),
        readOnly('fileNames', 'files[*].name', [t('nullify_empty')]),
        readOnly('reactions', 'reactions[*].name', [t('nullify_empty')]),
      ],
      relationships: [
        { kind: 'posted_in', toEntityType: 'channel', toObject: 'channel', via: 'channel' },
        { kind: 'authored_by', toEntityType: 'person', toObject: 'user', via: 'user' },
      ],
    },
  ],
};
