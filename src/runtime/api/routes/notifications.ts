import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CHANNEL_KINDS, NOTIFICATION_EVENT_TYPES, SEVERITIES, type ChannelInput, type ChannelUpdate, type NotificationAdmin, type RuleInput, type RuleUpdate } from '../../../notifications/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { actionContext } from './action-context.ts';
import { Timestamp, errorResponses } from '../schemas.ts';

export interface NotificationRoutesOptions {
  notifications: NotificationAdmin;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const ChannelId = Type.String({ pattern: '^nch_[0-9a-f]{32}$', description: 'A notification channel id.' });
const RuleId = Type.String({ pattern: '^nru_[0-9a-f]{32}$', description: 'A notification rule id.' });
/** A union of string literals whose static type is the literal union (a mapped array alone loses it). */
const OneOf = <T extends string>(values: readonly T[], options: { description?: string } = {}) => Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value)), options));
const Kind = OneOf(CHANNEL_KINDS, {
  description: '`slack_webhook` (incoming-webhook URL), `slack_app` (chat.postMessage through a Slack connection), `teams_workflow` (Teams Workflows webhook URL).',
});
const EventType = OneOf(NOTIFICATION_EVENT_TYPES);
const Severity = OneOf(SEVERITIES);
const WebhookUrl = Type.String({ minLength: 8, maxLength: 2000, description: 'The webhook URL: stored as a secret, never returned; must pass the egress policy.' });

const Channel = Type.Object({
  id: ChannelId,
  name: Type.String(),
  kind: Kind,
  target: Nullable(Type.String({ description: 'The target host only (`hooks.slack.com/…`): the URL is a secret.' })),
  connectionId: Nullable(Type.String()),
  slackChannel: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('failing'), Type.Literal('disabled')], {
    description: '`failing`: recent deliveries failed (still tried); `disabled`: the target is gone or was switched off; nothing is sent.',
  }),
  failureCount: Type.Integer({ description: 'Consecutive failed deliveries.' }),
  lastError: Nullable(Type.String()),
  lastSuccessAt: Nullable(Timestamp),
  lastFailureAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const ChannelBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Kind,
    url: Type.Optional(WebhookUrl),
    connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    slackChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Channel id (`C…`) or name.' })),
  },
  { additionalProperties: false },
);

const ChannelPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    url: Type.Optional(WebhookUrl),
    connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    slackChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    enabled: Type.Optional(Type.Boolean({ description: 'true re-activates a failing or disabled channel; false disables it.' })),
  },
  { additionalProperties: false },
);

const Rule = Type.Object({
  id: RuleId,
  channelId: ChannelId,
  name: Type.String(),
  eventTypes: Type.Array(EventType, { description: 'Empty: every event type.' }),
  minSeverity: Severity,
  foldWindowMs: Type.Integer({ description: 'Repeats of the same event (type + subject) within this window fold into one "N more" message.' }),
  digestIntervalMs: Nullable(Type.Integer({ description: 'When set, events are summarised every interval instead of sent one by one.' })),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  channelId: ChannelId,
  eventTypes: Type.Optional(Type.Array(EventType, { maxItems: NOTIFICATION_EVENT_TYPES.length })),
  minSeverity: Type.Optional(Severity),
  foldWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400_000 })),
  digestIntervalMs: Type.Optional(Nullable(Type.Integer({ minimum: 60_000, maximum: 7 * 86_400_000 }))),
  enabled: Type.Optional(Type.Boolean()),
};
const RuleBody = Type.Object(ruleFields, { additionalProperties: false });
const RulePatch = Type.Object(
  { ...ruleFields, name: Type.Optional(ruleFields.name), channelId: Type.Optional(ChannelId) },
  { additionalProperties: false },
);

const ChannelParams = Type.Object({ id: ChannelId });
const RuleParams = Type.Object({ id: RuleId });
const tags = ['notifications'];

/** Copies the keys present (TypeBox leaves absent optionals absent), so `exactOptionalPropertyTypes` holds. */
function present<T extends object>(body: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as T;
}

/**
 * `/notification-channels` and `/notification-rules`, inside the tenant scope (at `/v1`
 * for tenant keys, `/v1/tenants/:tenantId` for admin keys). Another tenant's id answers
 * 404. Webhook URLs are accepted, checked against the egress policy and stored as
 * secrets; responses show only the target host.
 */
export const notificationRoutes: FastifyPluginAsyncTypebox<NotificationRoutesOptions> = async (app, { notifications }) => {
  app.get('/notification-channels', { schema: { tags, summary: "The tenant's notification channels with their delivery health.", response: { 200: Type.Object({ items: Type.Array(Channel) }), ...errorResponses } } }, async (request) => ({
    items: await notifications.listChannels(tenantIdOf(request)),
  }));

  app.post(
    '/notification-channels',
    { schema: { tags, summary: 'Add a Slack or Teams channel.', body: ChannelBody, response: { 201: Channel, ...errorResponses } } },
    async (request, reply) => reply.code(201).send(await notifications.createChannel(actionContext(request), tenantIdOf(request), present<ChannelInput>(request.body))),
  );

  app.get('/notification-channels/:id', { schema: { tags, summary: 'A channel and its delivery health.', params: ChannelParams, response: { 200: Channel, ...errorResponses } } }, async (request) =>
    notifications.getChannel(tenantIdOf(request), request.params.id),
  );

  app.put(
    '/notification-channels/:id',
    { schema: { tags, summary: 'Rename, retarget, re-enable or disable a channel.', params: ChannelParams, body: ChannelPatch, response: { 200: Channel, ...errorResponses } } },
    async (request) => notifications.updateChannel(actionContext(request), tenantIdOf(request), request.params.id, present<ChannelUpdate>(request.body)),
  );

  app.delete(
    '/notification-channels/:id',
    { schema: { tags, summary: 'Delete a channel, its rules and its stored URL.', params: ChannelParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await notifications.deleteChannel(actionContext(request), tenantIdOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/notification-channels/:id/test',
    {
      schema: {
        tags,
        summary: 'Send a test message now. The answer says whether it arrived; the channel records the outcome.',
        params: ChannelParams,
        response: { 200: Type.Object({ delivered: Type.Boolean(), error: Nullable(Type.String()), channel: Channel }), ...errorResponses },
      },
    },
    async (request) => notifications.testChannel(tenantIdOf(request), request.params.id),
  );

  app.get('/notification-rules', { schema: { tags, summary: "The tenant's notification rules.", response: { 200: Type.Object({ items: Type.Array(Rule) }), ...errorResponses } } }, async (request) => ({
    items: await notifications.listRules(tenantIdOf(request)),
  }));

  app.post(
    '/notification-rules',
    { schema: { tags, summary: 'Route event types of a minimum severity to a channel.', body: RuleBody, response: { 201: Rule, ...errorResponses } } },
    async (request, reply) => reply.code(201).send(await notifications.createRule(actionContext(request), tenantIdOf(request), present<RuleInput>(request.body))),
  );

  app.get('/notification-rules/:id', { schema: { tags, summary: 'A rule.', params: RuleParams, response: { 200: Rule, ...errorResponses } } }, async (request) =>
    notifications.getRule(tenantIdOf(request), request.params.id),
  );

  app.put(
    '/notification-rules/:id',
    { schema: { tags, summary: 'Change a rule.', params: RuleParams, body: RulePatch, response: { 200: Rule, ...errorResponses } } },
    async (request) => notifications.updateRule(actionContext(request), tenantIdOf(request), request.params.id, present<RuleUpdate>(request.body)),
  );

  app.delete('/notification-rules/:id', { schema: { tags, summary: 'Delete a rule.', params: RuleParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await notifications.deleteRule(actionContext(request), tenantIdOf(request), request.params.id);
    return reply.code(204).send(null);
  });
};
