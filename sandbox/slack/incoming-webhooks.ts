/**
 * Incoming webhooks (`https://hooks.slack.com/services/T…/B…/…`, here
 * `/slack/services/T…/B…/…`): a JSON (or form `payload=`) body with `text` and/or
 * `blocks` posts a message into the hook's channel and answers 200 `ok`; errors are
 * plain text with Slack's statuses: 400 `invalid_payload` / `no_text`, 404 `no_service`
 * (unknown or revoked URL) / `channel_not_found`, 410 `channel_is_archived`. Everything
 * posted is kept so tests (notifications) can read it back through the control API.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../core/types.ts';
import type { SlackChanges } from './changes.ts';
import type { IncomingWebhook, SlackChannel, SlackStore } from './data.ts';
import { InvalidJson } from './web-api.ts';

export class IncomingWebhooks {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: SlackStore,
    private readonly changes: () => SlackChanges,
  ) {}

  private id(prefix: string): string {
    return prefix + randomBytes(6).toString('hex').toUpperCase().slice(0, 10);
  }

  create(channel: SlackChannel): IncomingWebhook {
    const hook: IncomingWebhook = { id: this.id('B'), channelId: channel.id, secret: randomBytes(12).toString('base64url').slice(0, 24), configurationId: this.id('B'), revoked: false, posts: [] };
    this.store.webhooks.set(hook.id, hook);
    return hook;
  }

  url(hook: IncomingWebhook): string {
    return `${this.ctx.options.baseUrl}/slack/services/${this.store.team.id}/${hook.id}/${hook.secret}`;
  }

  /** The `incoming_webhook` object of an oauth.v2.access answer. */
  oauthResult(hook: IncomingWebhook): Record<string, unknown> {
    const channel = this.store.channels.get(hook.channelId);
    return {
      channel: `#${channel?.name ?? ''}`,
      channel_id: hook.channelId,
      configuration_url: `https://${this.store.team.domain}.slack.com/services/${hook.configurationId}`,
      url: this.url(hook),
    };
  }

  view(hook: IncomingWebhook): Record<string, unknown> {
    return { id: hook.id, url: this.url(hook), channelId: hook.channelId, channel: this.store.channels.get(hook.channelId)?.name ?? null, revoked: hook.revoked, posts: hook.posts };
  }

  register(app: FastifyInstance): void {
    app.post('/services/:team/:hook/:secret', async (request, reply) => {
      const params = request.params as { team: string; hook: string; secret: string };
      const text = (status: number, body: string) => reply.code(status).type('text/html').send(body);
      const hook = this.store.webhooks.get(params.hook);
      if (!hook || hook.revoked || params.team !== this.store.team.id || params.secret !== hook.secret) return text(404, 'no_service');
      const contentType = String(request.headers['content-type'] ?? '');
      let payload: unknown = request.body;
      let raw = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
      if (payload instanceof InvalidJson) return text(400, 'invalid_payload');
      if (payload !== null && typeof payload === 'object' && !Array.isArray(payload) && typeof (payload as { payload?: unknown }).payload === 'string') {
        raw = (payload as { payload: string }).payload;
        try {
          payload = JSON.parse(raw);
        } catch {
          return text(400, 'invalid_payload');
        }
      }
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return text(400, 'invalid_payload');
      const body = payload as { text?: unknown; blocks?: unknown; attachments?: unknown };
      const hasText = typeof body.text === 'string' && body.text !== '';
      const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
      if (!hasText && !hasBlocks && !Array.isArray(body.attachments)) return text(400, 'no_text');
      const channel = this.store.channels.get(hook.channelId);
      if (!channel || channel.deleted) return text(404, 'channel_not_found');
      if (channel.isArchived) return text(410, 'channel_is_archived');
      hook.posts.push({ at: this.ctx.clock.now(), contentType, raw, body: payload });
      this.changes().postMessage(channel, {
        user: null,
        botId: hook.id,
        text: hasText ? String(body.text) : '',
        blocks: hasBlocks ? (body.blocks as unknown[]) : null,
        subtype: 'bot_message',
        username: 'incoming-webhook',
      });
      return text(200, 'ok');
    });
  }
}
