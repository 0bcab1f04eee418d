/**
 * The Slack simulator: the Web API under `/slack/api/<method>`, OAuth under
 * `/slack/oauth/v2/authorize`, incoming webhooks under `/slack/services/T…/B…/…`. Control
 * routes under `/_sandbox/slack/`:
 *
 * - `POST /event-subscriptions {url, signingSecret, events?}`: sets the Events API request
 *   URL after the `url_verification` handshake (201 when the challenge is echoed, 400 when
 *   not), for the event types in `events` (default all); `GET` shows it (without the
 *   secret), `DELETE` removes it.
 * - `GET /events`: every event sent, with its delivery attempts.
 * - `POST /incoming-webhooks {channel}` -> `{id, url, ...}`; `GET /incoming-webhooks[/:id]`
 *   shows what was posted (`posts`); `DELETE /incoming-webhooks/:id` revokes the URL.
 * - `GET|PUT|POST /settings {tokenRotation, nonMarketplace}` (defaults true, false); `GET
 *   /workspace`: team, app and bot ids, the default user.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IssuedTokens, ProviderSimulator, SandboxContext } from '../core/types.ts';
import { BOT_SCOPES, USER_SCOPES } from './auth.ts';
import { SlackChanges } from './changes.ts';
import { slackRecordControl } from './control.ts';
import { SlackStore } from './data.ts';
import { SlackEvents } from './events.ts';
import { IncomingWebhooks } from './incoming-webhooks.ts';
import { chatMethods } from './methods/chat.ts';
import { conversationMethods } from './methods/conversations.ts';
import { userMethods } from './methods/users.ts';
import { SlackTokens, authMethods, registerAuthorizeRoute } from './oauth.ts';
import { seedSlack } from './seed.ts';
import { InvalidJson, registerWebApi } from './web-api.ts';

export interface SlackSimulatorOptions {
  /** Token rotation (12 h `xoxe.` tokens with `xoxe-` refresh tokens); default true. */
  tokenRotation?: boolean;
  /**
   * The app is a commercially distributed non-Marketplace app created after 2025-05-29:
   * history and replies are limited to 1 request a minute and 15 messages. Default false
   * (internal and Marketplace apps are not affected).
   */
  nonMarketplace?: boolean;
}

interface Runtime {
  ctx: SandboxContext;
  events: SlackEvents;
  changes: SlackChanges;
  tokens: SlackTokens;
  webhooks: IncomingWebhooks;
}

export function createSlackSimulator(options: SlackSimulatorOptions = {}): ProviderSimulator {
  const store = new SlackStore();
  const settings = { rotation: options.tokenRotation ?? true, nonMarketplace: options.nonMarketplace ?? false };
  let runtime: Runtime | null = null;

  const ensure = (ctx: SandboxContext): Runtime => {
    if (runtime && runtime.ctx === ctx) return runtime;
    const events = new SlackEvents(ctx, store);
    const changes = new SlackChanges(ctx, store, events);
    runtime = { ctx, events, changes, tokens: new SlackTokens(ctx, store, settings), webhooks: new IncomingWebhooks(ctx, store, () => changes) };
    return runtime;
  };
  const current = (): Runtime => {
    if (!runtime) throw new Error('the Slack simulator is not registered in a sandbox yet');
    return runtime;
  };

  return {
    name: 'slack',

    async register(scope: FastifyInstance, ctx: SandboxContext) {
      const { changes, tokens, webhooks } = ensure(ctx);
      if (scope.hasContentTypeParser('application/json')) scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        const text = String(body);
        if (text.trim() === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(null, new InvalidJson(text));
        }
      });
      const now = () => ctx.clock.now();
      registerAuthorizeRoute(scope, ctx, store);
      registerWebApi(scope, ctx, store, {
        ...authMethods(ctx, store, tokens, webhooks),
        ...conversationMethods(store, now, settings),
        ...userMethods(store, now),
        ...chatMethods(store, changes),
      });
      webhooks.register(scope);
    },

    async registerControl(scope: FastifyInstance, ctx: SandboxContext) {
      const { events, webhooks } = ensure(ctx);
      const subscriptionView = () =>
        events.subscription ? { url: events.subscription.url, verified: events.subscription.verified, events: events.subscription.events } : null;
      scope.post('/event-subscriptions', async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (typeof body.url !== 'string' || typeof body.signingSecret !== 'string' || body.signingSecret === '') {
          return reply.code(400).send({ error: 'url and signingSecret are required' });
        }
        const types = Array.isArray(body.events) ? body.events.map(String) : null;
        const result = await events.subscribe(body.url, body.signingSecret, types);
        return reply.code(result.verified ? 201 : 400).send({ ...subscriptionView(), ...result, ...(result.verified ? {} : { error: 'challenge_failed' }) });
      });
      scope.get('/event-subscriptions', async () => ({ subscription: subscriptionView() }));
      scope.delete('/event-subscriptions', async () => {
        events.unsubscribe();
        return { subscription: null };
      });
      scope.get('/events', async () => ({ events: events.sent.map(({ eventId, type, record }) => ({ eventId, type, delivered: record.delivered, attempts: record.attempts })) }));
      scope.post('/incoming-webhooks', async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const channel = store.channel(String(body.channel ?? 'general'));
        if (!channel) return reply.code(404).send({ error: 'channel_not_found' });
        return reply.code(201).send(webhooks.view(webhooks.create(channel)));
      });
      scope.get('/incoming-webhooks', async () => ({ webhooks: [...store.webhooks.values()].map((hook) => webhooks.view(hook)) }));
      scope.get('/incoming-webhooks/:id', async (request, reply) => {
        const hook = store.webhooks.get((request.params as { id: string }).id);
        return hook ? webhooks.view(hook) : reply.code(404).send({ error: 'no such incoming webhook' });
      });
      scope.delete('/incoming-webhooks/:id', async (request, reply) => {
        const hook = store.webhooks.get((request.params as { id: string }).id);
        if (!hook) return reply.code(404).send({ error: 'no such incoming webhook' });
        hook.revoked = true;
        return webhooks.view(hook);
      });
      const showSettings = () => ({ tokenRotation: settings.rotation, nonMarketplace: settings.nonMarketplace });
      scope.get('/settings', async () => showSettings());
      const updateSettings = async (request: FastifyRequest) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (typeof body.tokenRotation === 'boolean') settings.rotation = body.tokenRotation;
        if (typeof body.nonMarketplace === 'boolean') settings.nonMarketplace = body.nonMarketplace;
        return showSettings();
      };
      scope.post('/settings', updateSettings);
      scope.put('/settings', updateSettings);
      scope.get('/workspace', async () => ({ team: store.team, appId: store.app.id, botId: store.app.botId, botUserId: store.app.botUserId, defaultUserId: store.defaultUserId }));
    },

    seed(ctx: SandboxContext) {
      const { events } = ensure(ctx);
      events.unsubscribe();
      seedSlack(ctx, store);
    },

    control: slackRecordControl(store, () => current().changes, () => current().ctx.clock.now()),

    /** A bot token for the workspace, or a user token when `account` is a user id (`U…`). */
    mint(ctx: SandboxContext, input: { account?: string; scopes?: string[]; accessSeconds?: number }): IssuedTokens {
      const { tokens } = ensure(ctx);
      const user = input.account ? store.users.get(input.account) : undefined;
      const kind = user ? 'user' : 'bot';
      return tokens.issue(
        {
          provider: 'slack',
          clientId: ctx.tokens.clients('slack')[0]?.clientId ?? 'sandbox-slack-client',
          account: store.team.id,
          scopes: input.scopes ?? (kind === 'bot' ? BOT_SCOPES : USER_SCOPES),
          extra: { kind, userId: user?.id ?? store.app.botUserId },
        },
        input.accessSeconds,
      );
    },

    faultResponse(status: number) {
      if (status === 429) return { headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } };
      return { body: { ok: false, error: status === 503 ? 'service_unavailable' : 'internal_error' } };
    },
  };
}
