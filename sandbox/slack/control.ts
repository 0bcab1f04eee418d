/**
 * The control API's view of the simulated Slack (`RecordControl`): objects `users`,
 * `channels` and `messages`, listed as the Web API shows them and edited as people in
 * the workspace would, each change firing its Events API event. Ids: `U…` for users,
 * `C…`/`G…` for channels, `<channel id>:<ts>` for messages.
 *
 * Fields: users `{ real_name, display_name, first_name, last_name, email, phone, title,
 * name, deleted }` (create = `team_join`, remove = deactivation); channels `{ name,
 * is_private, topic, purpose, is_archived, members }` (`members` replaces the member
 * ids); messages `{ channel, text, user, thread_ts }` (update `{ text }`).
 */
import { randomBytes } from 'node:crypto';
import { SandboxHttpError } from '../core/errors.ts';
import type { RecordControl } from '../core/types.ts';
import type { SlackChanges } from './changes.ts';
import type { SlackChannel, SlackMessage, SlackStore, SlackUser } from './data.ts';
import { messageJson, userJson } from './representations.ts';

const OBJECTS = ['users', 'channels', 'messages'] as const;

function newId(prefix: string): string {
  return prefix + randomBytes(8).toString('hex').toUpperCase().slice(0, 10);
}

export function slackRecordControl(store: SlackStore, changes: () => SlackChanges, now: () => number): RecordControl {
  const channelOf = (id: unknown): SlackChannel => {
    const channel = store.channel(String(id ?? ''));
    if (!channel) throw new SandboxHttpError(404, `no channel ${String(id)}`);
    return channel;
  };
  const messageOf = (id: string): { channel: SlackChannel; message: SlackMessage } => {
    const colon = id.indexOf(':');
    const channel = channelOf(id.slice(0, colon));
    const message = store.message(channel.id, id.slice(colon + 1));
    if (colon < 0 || !message) throw new SandboxHttpError(404, `no message ${id}`);
    return { channel, message };
  };
  const userOf = (id: string): SlackUser => {
    const user = store.users.get(id);
    if (!user) throw new SandboxHttpError(404, `no user ${id}`);
    return user;
  };
  const unknown = (object: string): never => {
    throw new SandboxHttpError(404, `unknown object ${object}; Slack has ${OBJECTS.join(', ')}`);
  };
  const messageView = (message: SlackMessage) => ({ id: `${message.channelId}:${message.ts}`, channel: message.channelId, ...messageJson(store, message) });

  return {
    objects: () => [...OBJECTS],

    list(object, { limit, offset }) {
      let all: unknown[];
      if (object === 'users') all = [...store.users.values()].map((user) => userJson(store, user, { withEmail: true }));
      else if (object === 'channels') all = [...store.channels.values()].filter((channel) => !channel.deleted).map((channel) => changes().channelView(channel));
      else if (object === 'messages') all = [...store.messages.values()].flatMap((list) => list.filter((message) => !message.deleted).map(messageView));
      else return unknown(object);
      return { total: all.length, records: all.slice(offset, offset + limit) };
    },

    create(object, fields) {
      if (object === 'messages') {
        const channel = channelOf(fields.channel);
        const user = typeof fields.user === 'string' ? userOf(fields.user).id : store.defaultUserId;
        if (typeof fields.text !== 'string' || fields.text === '') throw new SandboxHttpError(400, 'text is required');
        const threadTs = typeof fields.thread_ts === 'string' ? fields.thread_ts : null;
        return messageView(changes().postMessage(channel, { user, text: fields.text, threadTs }));
      }
      if (object === 'channels') {
        const name = String(fields.name ?? '').toLowerCase();
        if (!/^[a-z0-9_-]{1,80}$/.test(name)) throw new SandboxHttpError(400, 'name must be lowercase letters, digits, - and _');
        if (store.channel(name)) throw new SandboxHttpError(400, 'name_taken');
        const isPrivate = fields.is_private === true;
        const input: Parameters<SlackChanges['createChannel']>[0] = { id: newId(isPrivate ? 'G' : 'C'), name, isPrivate, creator: store.defaultUserId };
        if (typeof fields.topic === 'string') input.topic = fields.topic;
        if (typeof fields.purpose === 'string') input.purpose = fields.purpose;
        return changes().channelView(changes().createChannel(input));
      }
      if (object === 'users') {
        const realName = String(fields.real_name ?? '');
        const [first = '', ...rest] = realName.split(' ');
        const user: SlackUser = {
          id: newId('U'), name: String(fields.name ?? realName.toLowerCase().replace(/\s+/g, '.')), deleted: false, isBot: false, isAdmin: false, isOwner: false,
          realName, displayName: String(fields.display_name ?? ''), firstName: String(fields.first_name ?? first), lastName: String(fields.last_name ?? rest.join(' ')),
          email: typeof fields.email === 'string' ? fields.email : null, phone: String(fields.phone ?? ''), title: String(fields.title ?? ''),
          tz: 'Europe/London', tzLabel: 'Greenwich Mean Time', tzOffset: 0, color: '4bbe2e', updated: Math.floor(now() / 1000), botId: null, truthId: null,
        };
        return userJson(store, changes().addUser(user), { withEmail: true });
      }
      return unknown(object);
    },

    update(object, id, fields) {
      if (object === 'messages') {
        const { channel, message } = messageOf(id);
        if (typeof fields.text !== 'string') throw new SandboxHttpError(400, 'text is required');
        return messageView(changes().updateMessage(channel, message, { text: fields.text, editor: message.user ?? store.defaultUserId }));
      }
      if (object === 'channels') return changes().channelView(changes().updateChannel(channelOf(id), fields, store.defaultUserId));
      if (object === 'users') return userJson(store, changes().updateUser(userOf(id), fields), { withEmail: true });
      return unknown(object);
    },

    remove(object, id) {
      if (object === 'messages') {
        const { channel, message } = messageOf(id);
        changes().deleteMessage(channel, message);
        return true;
      }
      if (object === 'channels') {
        changes().deleteChannel(channelOf(id));
        return true;
      }
      if (object === 'users') {
        const user = userOf(id);
        if (user.deleted) return false;
        changes().updateUser(user, { deleted: true });
        return true;
      }
      return unknown(object);
    },
  };
}
