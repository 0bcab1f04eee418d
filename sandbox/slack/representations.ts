/**
 * Slack's JSON shapes: the user object (users.list / users.info), the conversation
 * object (conversations.list), messages (conversations.history / replies) and the team
 * (team.info). `profile.email` is only shown to tokens with `users:read.email`, as on
 * Slack.
 */
import type { SlackChannel, SlackMessage, SlackStore, SlackUser } from './data.ts';

function avatarHash(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 33 + char.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(8, '0').slice(0, 12);
}

export function userJson(store: SlackStore, user: SlackUser, options: { withEmail: boolean }): Record<string, unknown> {
  const hash = avatarHash(user.id);
  const image = (size: number) => `https://secure.gravatar.com/avatar/${hash}.jpg?s=${size}&d=mp`;
  const profile: Record<string, unknown> = {
    title: user.title,
    phone: user.phone,
    skype: '',
    real_name: user.realName,
    real_name_normalized: normalize(user.realName),
    display_name: user.displayName,
    display_name_normalized: normalize(user.displayName),
    fields: null,
    status_text: '',
    status_emoji: '',
    status_emoji_display_info: [],
    status_expiration: 0,
    avatar_hash: hash,
    first_name: user.firstName,
    last_name: user.lastName,
    image_24: image(24),
    image_32: image(32),
    image_48: image(48),
    image_72: image(72),
    image_192: image(192),
    image_512: image(512),
    status_text_canonical: '',
    team: store.team.id,
  };
  if (user.isBot && user.botId) {
    profile.bot_id = user.botId;
    profile.api_app_id = store.app.id;
    profile.always_active = true;
  }
  if (options.withEmail && user.email !== null && !user.isBot) profile.email = user.email;
  const json: Record<string, unknown> = {
    id: user.id,
    team_id: store.team.id,
    name: user.name,
    deleted: user.deleted,
    color: user.color,
    real_name: user.realName,
    tz: user.tz,
    tz_label: user.tzLabel,
    tz_offset: user.tzOffset,
    profile,
    is_admin: user.isAdmin,
    is_owner: user.isOwner,
    is_primary_owner: user.isOwner,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: user.updated,
    is_email_confirmed: !user.isBot,
    who_can_share_contact_card: 'EVERYONE',
  };
  if (user.deleted) {
    // Deactivated accounts lose their roles, as Slack shows them.
    for (const key of ['is_admin', 'is_owner', 'is_primary_owner', 'is_restricted', 'is_ultra_restricted', 'tz', 'tz_label', 'tz_offset', 'color']) delete json[key];
  }
  return json;
}

function normalize(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

export function channelJson(store: SlackStore, channel: SlackChannel, viewerId: string | null): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isPrivate,
    is_group: channel.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    created: channel.created,
    is_archived: channel.isArchived,
    is_general: channel.isGeneral,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: store.team.id,
    updated: channel.updated,
    parent_conversation: null,
    creator: channel.creator,
    is_ext_shared: false,
    shared_team_ids: [store.team.id],
    pending_connected_team_ids: [],
    is_member: viewerId !== null && channel.memberIds.includes(viewerId),
    topic: { value: channel.topic, creator: channel.topic ? channel.creator : '', last_set: channel.topic ? channel.created : 0 },
    purpose: { value: channel.purpose, creator: channel.purpose ? channel.creator : '', last_set: channel.purpose ? channel.created : 0 },
    previous_names: [],
    num_members: channel.memberIds.length,
  };
}

/** A message as history and replies show it, with thread fields on a thread's parent. */
export function messageJson(store: SlackStore, message: SlackMessage): Record<string, unknown> {
  const json: Record<string, unknown> = { type: 'message' };
  if (message.subtype) json.subtype = message.subtype;
  json.text = message.text;
  if (message.user) json.user = message.user;
  if (message.botId) {
    json.bot_id = message.botId;
    json.app_id = store.app.id;
  }
  if (message.username) json.username = message.username;
  json.ts = message.ts;
  json.team = store.team.id;
  if (message.blocks) json.blocks = message.blocks;
  if (message.edited) json.edited = message.edited;
  if (message.threadTs) {
    json.thread_ts = message.threadTs;
    if (message.threadTs === message.ts) {
      const replies = store.replies(message.channelId, message.ts);
      json.reply_count = replies.length;
      json.reply_users_count = new Set(replies.map((reply) => reply.user ?? reply.botId)).size;
      json.latest_reply = replies.at(-1)?.ts ?? message.ts;
      json.reply_users = [...new Set(replies.map((reply) => reply.user ?? reply.botId))].slice(0, 5);
      json.is_locked = false;
      json.subscribed = false;
    } else {
      json.parent_user_id = store.message(message.channelId, message.threadTs)?.user ?? undefined;
    }
  }
  return json;
}

export function teamJson(store: SlackStore): Record<string, unknown> {
  return {
    id: store.team.id,
    name: store.team.name,
    url: `https://${store.team.domain}.slack.com/`,
    domain: store.team.domain,
    email_domain: store.team.emailDomain,
    icon: {
      image_default: true,
      image_34: 'https://a.slack-edge.com/dfc0/img/avatars-teams/ava_0001-34.png',
      image_44: 'https://a.slack-edge.com/dfc0/img/avatars-teams/ava_0001-44.png',
      image_68: 'https://a.slack-edge.com/dfc0/img/avatars-teams/ava_0001-68.png',
    },
    avatar_base_url: 'https://ca.slack-edge.com/',
    is_verified: false,
    lob_sales_home_enabled: false,
    is_sfdc_auto_slack: false,
  };
}
