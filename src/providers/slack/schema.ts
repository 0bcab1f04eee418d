/**
 * Slack's object schemas are fixed by the Web API: `discover` answers these static
 * schemas (users, channels, messages), with dotted paths into the provider JSON.
 */
import type { FieldSchema, ObjectSchema } from '../provider.ts';
import { channelsObject } from './objects/channels.ts';
import { messagesObject } from './objects/messages.ts';
import { usersObject } from './objects/users.ts';

const USER_FIELDS: FieldSchema[] = [
  { name: 'id', type: 'string', readOnly: true },
  { name: 'name', label: 'Handle', type: 'string', readOnly: true },
  { name: 'real_name', type: 'string', readOnly: true },
  { name: 'profile.display_name', type: 'string', readOnly: true },
  { name: 'profile.first_name', type: 'string', readOnly: true },
  { name: 'profile.last_name', type: 'string', readOnly: true },
  { name: 'profile.email', type: 'email', readOnly: true },
  { name: 'profile.phone', type: 'phone', readOnly: true },
  { name: 'profile.title', type: 'string', readOnly: true },
  { name: 'tz', type: 'string', readOnly: true },
  { name: 'is_bot', type: 'boolean', readOnly: true },
  { name: 'is_admin', type: 'boolean', readOnly: true },
  { name: 'deleted', type: 'boolean', readOnly: true },
  { name: 'updated', type: 'integer', readOnly: true },
];

const CHANNEL_FIELDS: FieldSchema[] = [
  { name: 'id', type: 'string', readOnly: true },
  { name: 'name', type: 'string', readOnly: true },
  { name: 'is_private', type: 'boolean', readOnly: true },
  { name: 'is_archived', type: 'boolean', readOnly: true },
  { name: 'is_member', type: 'boolean', readOnly: true },
  { name: 'topic.value', label: 'Topic', type: 'string', readOnly: true },
  { name: 'purpose.value', label: 'Purpose', type: 'string', readOnly: true },
  { name: 'num_members', type: 'integer', readOnly: true },
  { name: 'creator', type: 'reference', references: 'users', readOnly: true },
  { name: 'created', type: 'integer', readOnly: true },
];

const MESSAGE_FIELDS: FieldSchema[] = [
  { name: 'channel', type: 'reference', references: 'channels', required: true },
  { name: 'ts', type: 'string', readOnly: true },
  { name: 'text', type: 'string' },
  { name: 'blocks', type: 'json' },
  { name: 'thread_ts', type: 'string' },
  { name: 'user', type: 'reference', references: 'users', readOnly: true },
  { name: 'bot_id', type: 'string', readOnly: true },
  { name: 'edited.ts', type: 'string', readOnly: true },
  { name: 'reply_count', type: 'integer', readOnly: true },
];

export const SLACK_SCHEMAS: readonly ObjectSchema[] = [
  { name: usersObject.name, label: usersObject.label, fields: USER_FIELDS, capabilities: usersObject.capabilities },
  { name: channelsObject.name, label: channelsObject.label, fields: CHANNEL_FIELDS, capabilities: channelsObject.capabilities },
  { name: messagesObject.name, label: messagesObject.label, fields: MESSAGE_FIELDS, capabilities: messagesObject.capabilities },
];

export function discoverSlack(): Promise<ObjectSchema[]> {
  return Promise.resolve(SLACK_SCHEMAS.map((s) => ({ ...s, fields: [...s.fields] })));
}
