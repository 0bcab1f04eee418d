/**
 * Slack OAuth v2: `GET /slack/oauth/v2/authorize` (approves at once as the workspace's
 * default user, or `user=U…`, and redirects with `code` and `state`), and the Web API
 * methods `oauth.v2.access` (code exchange, or `grant_type=refresh_token` with rotation),
 * `auth.test` and `auth.revoke`. Client credentials come as form fields or HTTP Basic.
 * Refresh failures answer `{"ok":false,"error":"invalid_refresh_token"}`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IssuedTokens, SandboxContext, TokenGrant } from '../core/types.ts';
import { issueOptions } from './auth.ts';
import type { SlackTokenKind } from './auth.ts';
import type { SlackStore } from './data.ts';
import { SlackApiError } from './errors.ts';
import type { IncomingWebhooks } from './incoming-webhooks.ts';
import { str } from './web-api.ts';
import type { SlackArgs, SlackMethodSpec, SlackResult } from './web-api.ts';

/** Issues Slack tokens and remembers which kind each refresh token renews. */
export class SlackTokens {
  private readonly refreshKinds = new Map<string, SlackTokenKind>();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: SlackStore,
    readonly settings: { rotation: boolean },
  ) {}

  private numeric(kind: SlackTokenKind, userId: string): string {
    const digits = (text: string) => String(Array.from(text).reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 1e12, 7)).padStart(12, '1');
    return `${digits(this.store.team.id)}-${digits(kind === 'bot' ? this.store.app.botUserId : userId)}`;
  }

  options(kind: SlackTokenKind, userId: string, accessSeconds?: number) {
    const options = issueOptions(kind, this.settings.rotation, this.numeric(kind, userId));
    if (accessSeconds !== undefined) options.accessSeconds = accessSeconds;
    return options;
  }

  remember(tokens: IssuedTokens): IssuedTokens {
    if (tokens.refreshToken) this.refreshKinds.set(tokens.refreshToken, tokens.grant.extra.kind === 'user' ? 'user' : 'bot');
    return tokens;
  }

  issue(grant: TokenGrant, accessSeconds?: number): IssuedTokens {
    const kind: SlackTokenKind = grant.extra.kind === 'user' ? 'user' : 'bot';
    return this.remember(this.ctx.tokens.issue(grant, this.options(kind, String(grant.extra.userId ?? ''), accessSeconds)));
  }

  kindOf(refreshToken: string): SlackTokenKind {
    return this.refreshKinds.get(refreshToken) ?? 'bot';
  }

  /**
   * Slack's rotation: the used refresh token is revoked and a new pair issued, while the
   * old access token keeps working until it expires (Slack revokes only the refresh
   * token; its SDKs rotate hours before expiry while other processes still hold the old
   * token). The core's own rotation also revokes the old access token, so this renews
   * without rotation (checks client, expiry and reuse; counts the refresh), issues the new
   * pair, and revokes the used refresh token, which takes down only the throwaway access
   * token the renewal made.
   */
  rotate(refreshToken: string, clientId: string): IssuedTokens | null {
    const kind = this.kindOf(refreshToken);
    const renewed = this.ctx.tokens.refresh('slack', refreshToken, clientId, { ...this.options(kind, ''), rotateRefresh: false });
    if (!renewed.ok) return null;
    const grant = renewed.tokens.grant;
    const fresh = this.issue(grant);
    this.ctx.tokens.revoke('slack', refreshToken);
    return fresh;
  }
}

function clientCredentials(request: FastifyRequest, args: SlackArgs): { clientId: string; clientSecret: string | undefined } {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Basic\s+/i.test(header)) {
    const decoded = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
  }
  return { clientId: str(args, 'client_id') ?? '', clientSecret: str(args, 'client_secret') };
}

export function registerAuthorizeRoute(app: FastifyInstance, ctx: SandboxContext, store: SlackStore): void {
  app.get('/oauth/v2/authorize', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const clientId = query.client_id ?? '';
    if (ctx.tokens.verifyClient('slack', clientId) !== 'ok') return reply.code(400).type('text/html; charset=utf-8').send('<p>invalid_client_id</p>');
    const redirectUri = query.redirect_uri;
    if (!redirectUri) return reply.code(400).type('text/html; charset=utf-8').send('<p>bad_redirect_uri</p>');
    const userId = query.user && store.users.get(query.user) ? query.user : store.defaultUserId;
    const split = (value: string | undefined) => (value ?? '').split(/[ ,]+/).filter(Boolean);
    const input: Parameters<typeof ctx.tokens.createCode>[0] = {
      grant: { provider: 'slack', clientId, account: store.team.id, scopes: split(query.scope), extra: { kind: 'bot', userId, userScopes: split(query.user_scope), redirectUri } },
      redirectUri,
    };
    if (query.code_challenge) input.codeChallenge = query.code_challenge;
    if (query.code_challenge_method) input.codeChallengeMethod = query.code_challenge_method;
    const target = new URL(redirectUri);
    target.searchParams.set('code', ctx.tokens.createCode(input));
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    return reply.redirect(target.toString(), 302);
  });
}

export function authMethods(ctx: SandboxContext, store: SlackStore, tokens: SlackTokens, webhooks: IncomingWebhooks): Record<string, SlackMethodSpec> {
  const withExpiry = (result: SlackResult, issued: IssuedTokens): SlackResult => {
    if (issued.refreshToken) result.refresh_token = issued.refreshToken;
    if (issued.expiresIn !== undefined) result.expires_in = issued.expiresIn;
    return result;
  };

  return {
    'oauth.v2.access': {
      auth: false,
      tier: 4,
      run: ({ args, request }) => {
        const { clientId, clientSecret } = clientCredentials(request, args);
        const client = ctx.tokens.verifyClient('slack', clientId, clientSecret);
        if (client === 'unknown_client') throw new SlackApiError('invalid_client_id');
        if (client === 'bad_secret' || clientSecret === undefined) throw new SlackApiError('bad_client_secret');
        const team = { id: store.team.id, name: store.team.name };

        if (str(args, 'grant_type') === 'refresh_token') {
          const refreshToken = str(args, 'refresh_token') ?? '';
          const kind = tokens.kindOf(refreshToken);
          const issued = tokens.rotate(refreshToken, clientId);
          if (!issued) throw new SlackApiError('invalid_refresh_token');
          const userId = String(issued.grant.extra.userId ?? '');
          return withExpiry(
            {
              app_id: store.app.id,
              authed_user: { id: userId },
              scope: issued.grant.scopes.join(','),
              token_type: kind,
              access_token: issued.accessToken,
              ...(kind === 'bot' ? { bot_user_id: store.app.botUserId } : {}),
              team,
              enterprise: null,
              is_enterprise_install: false,
            },
            issued,
          );
        }

        const input: Parameters<typeof ctx.tokens.exchangeCode>[1] = { code: str(args, 'code') ?? '', clientId };
        if (clientSecret !== undefined) input.clientSecret = clientSecret;
        const redirectUri = str(args, 'redirect_uri');
        if (redirectUri !== undefined) input.redirectUri = redirectUri;
        const verifier = str(args, 'code_verifier');
        if (verifier !== undefined) input.codeVerifier = verifier;
        const exchanged = ctx.tokens.exchangeCode('slack', input, tokens.options('bot', ''));
        if (!exchanged.ok) {
          const code = exchanged.reason === 'redirect_mismatch' ? 'bad_redirect_uri' : exchanged.reason === 'pkce_failed' ? 'invalid_code_verifier' : 'invalid_code';
          throw new SlackApiError(code);
        }
        const bot = tokens.remember(exchanged.tokens);
        const grant = bot.grant;
        const userId = String(grant.extra.userId ?? store.defaultUserId);
        const userScopes = Array.isArray(grant.extra.userScopes) ? (grant.extra.userScopes as string[]) : [];
        const authedUser: Record<string, unknown> = { id: userId };
        if (userScopes.length > 0) {
          const user = tokens.issue({ provider: 'slack', clientId, account: store.team.id, scopes: userScopes, extra: { kind: 'user', userId } });
          Object.assign(authedUser, withExpiry({ scope: userScopes.join(','), access_token: user.accessToken, token_type: 'user' }, user));
        }
        const result: SlackResult = {
          app_id: store.app.id,
          authed_user: authedUser,
          scope: grant.scopes.join(','),
          token_type: 'bot',
          access_token: bot.accessToken,
          bot_user_id: store.app.botUserId,
          team,
          enterprise: null,
          is_enterprise_install: false,
        };
        if (grant.scopes.includes('incoming-webhook')) {
          const channel = [...store.channels.values()].find((candidate) => candidate.isGeneral) ?? [...store.channels.values()][0];
          if (channel) result.incoming_webhook = webhooks.oauthResult(webhooks.create(channel));
        }
        return withExpiry(result, bot);
      },
    },

    'auth.test': {
      auth: true,
      tier: 'free',
      run: ({ principal }) => {
        const user = store.users.get(principal.userId);
        const result: SlackResult = {
          url: `https://${store.team.domain}.slack.com/`,
          team: store.team.name,
          user: user?.name ?? '',
          team_id: store.team.id,
          user_id: principal.userId,
        };
        if (principal.kind === 'bot') result.bot_id = store.app.botId;
        result.is_enterprise_install = false;
        return result;
      },
    },

    'auth.revoke': {
      auth: true,
      tier: 3,
      run: ({ args, principal }) => {
        const test = str(args, 'test') === 'true' || str(args, 'test') === '1';
        if (!test) ctx.tokens.revoke('slack', principal.token);
        return { revoked: !test };
      },
    },
  };
}
