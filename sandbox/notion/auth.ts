import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, IssueOptions, IssuedTokens, SandboxContext, TokenGrant } from '../core/types.ts';
import { NotionApiError } from './errors.ts';
import type { NotionStore } from './data/store.ts';
import { userJson } from './data/serialize.ts';

/** The newest API version the simulator knows; requests may name any `YYYY-MM-DD`. */
export const LATEST_NOTION_VERSION = '2025-09-03';

export interface NotionRequestAuth {
  grant: TokenGrant;
  version: string;
}

const authByRequest = new WeakMap<FastifyRequest, NotionRequestAuth>();

/** The grant and API version of a request that passed `checkNotionRequest`. */
export function requestAuth(request: FastifyRequest): NotionRequestAuth {
  const auth = authByRequest.get(request);
  if (!auth) throw new NotionApiError('unauthorized', 'API token is invalid.');
  return auth;
}

/**
 * Every API call needs `Notion-Version` (400 `missing_version` otherwise) and a valid
 * bearer token (401 `unauthorized`, "API token is invalid.", whatever the reason).
 */
export function checkNotionRequest(ctx: SandboxContext, request: FastifyRequest): NotionRequestAuth {
  const version = request.headers['notion-version'];
  if (typeof version !== 'string' || version === '') {
    throw new NotionApiError('missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    throw new NotionApiError('validation_error', `Notion-Version header failed validation: Notion-Version header should be a valid version, instead was \`"${version}"\`.`);
  }
  const check = ctx.tokens.check('notion', request.headers.authorization);
  if (!check.ok) throw new NotionApiError('unauthorized', 'API token is invalid.');
  const auth = { grant: check.grant, version };
  authByRequest.set(request, auth);
  return auth;
}

/** Token rules for Notion: `ntn_` tokens; OAuth refresh tokens rotate on use. */
export function notionIssueOptions(ctx: SandboxContext, accessSeconds?: number): IssueOptions {
  const lifetimes = ctx.options.tokenLifetimes.notion ?? {};
  return {
    accessPrefix: 'ntn_',
    refreshPrefix: 'nrt_',
    accessSeconds: accessSeconds ?? lifetimes.accessSeconds,
    refreshSeconds: lifetimes.refreshSeconds,
    rotateRefresh: true,
  };
}

/** An internal integration's static token (no expiry, no refresh token) for the workspace. */
export function mintNotionToken(
  ctx: SandboxContext,
  store: NotionStore,
  input: { account?: string; scopes?: string[]; accessSeconds?: number },
): IssuedTokens {
  const grant: TokenGrant = {
    provider: 'notion',
    clientId: 'internal-integration',
    account: input.account ?? store.workspaceId,
    scopes: input.scopes ?? [],
    extra: { botId: store.botUserId },
  };
  return ctx.tokens.issue(grant, { accessPrefix: 'ntn_', accessSeconds: input.accessSeconds, rotateRefresh: false });
}

function basicAuth(header: string | undefined): { clientId: string; clientSecret: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).send({ error, error_description: description });
}

/**
 * Public-connection OAuth: `GET /v1/oauth/authorize` (302 back with `code` and `state`)
 * and `POST /v1/oauth/token` with HTTP Basic client credentials, for
 * `authorization_code` and `refresh_token` grants (refresh rotates the refresh token,
 * per developers.notion.com/reference/refresh-a-token).
 */
export function registerNotionOAuth(app: FastifyInstance, ctx: SandboxContext, store: NotionStore): void {
  app.get('/v1/oauth/authorize', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const client = ctx.tokens.clients('notion').find((c) => c.clientId === q.client_id);
    if (!client) return oauthError(reply, 400, 'invalid_client', 'Invalid client_id.');
    if (q.response_type !== 'code') return oauthError(reply, 400, 'unsupported_response_type', 'response_type must be "code".');
    if (!q.redirect_uri) return oauthError(reply, 400, 'invalid_request', 'redirect_uri is required.');
    const owner = [...store.users.values()].find((u) => u.type === 'person');
    const code = ctx.tokens.createCode({
      grant: {
        provider: 'notion',
        clientId: client.clientId,
        account: store.workspaceId,
        scopes: [],
        extra: { botId: store.botUserId, ownerUserId: owner?.id ?? null },
      },
      redirectUri: q.redirect_uri,
      codeChallenge: q.code_challenge,
      codeChallengeMethod: q.code_challenge_method,
    });
    const target = new URL(q.redirect_uri);
    target.searchParams.set('code', code);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    return reply.redirect(target.toString(), 302);
  });

  app.post('/v1/oauth/token', async (request, reply) => {
    const creds = basicAuth(request.headers.authorization);
    const client = creds ? ctx.tokens.clients('notion').find((c) => c.clientId === creds.clientId) : undefined;
    if (!creds || !client || client.clientSecret !== creds.clientSecret) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed.');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const options = notionIssueOptions(ctx);
    if (body.grant_type === 'authorization_code') {
      if (typeof body.code !== 'string') return oauthError(reply, 400, 'invalid_request', 'body.code should be defined.');
      const result = ctx.tokens.exchangeCode(
        'notion',
        {
          code: body.code,
          clientId: client.clientId,
          clientSecret: creds.clientSecret,
          redirectUri: typeof body.redirect_uri === 'string' ? body.redirect_uri : undefined,
          codeVerifier: typeof body.code_verifier === 'string' ? body.code_verifier : undefined,
        },
        options,
      );
      if (!result.ok) return oauthError(reply, 400, 'invalid_grant', result.reason === 'redirect_mismatch' ? 'Invalid redirect_uri.' : 'Invalid code.');
      return reply.send(tokenResponse(store, result.tokens));
    }
    if (body.grant_type === 'refresh_token') {
      if (typeof body.refresh_token !== 'string') return oauthError(reply, 400, 'invalid_request', 'body.refresh_token should be defined.');
      const result = ctx.tokens.refresh('notion', body.refresh_token, client.clientId, options);
      if (!result.ok) return oauthError(reply, 400, 'invalid_grant', 'Token has been expired or revoked.');
      return reply.send(tokenResponse(store, result.tokens));
    }
    return oauthError(reply, 400, 'unsupported_grant_type', `Unsupported grant_type: ${String(body.grant_type)}.`);
  });
}

function tokenResponse(store: NotionStore, tokens: IssuedTokens): Record<string, unknown> {
  const ownerId = tokens.grant.extra.ownerUserId;
  const owner = typeof ownerId === 'string' ? store.users.get(ownerId) : undefined;
  const body: Record<string, unknown> = {
    access_token: tokens.accessToken,
    token_type: 'bearer',
    refresh_token: tokens.refreshToken ?? null,
    bot_id: store.botUserId,
    workspace_name: store.workspaceName,
    workspace_icon: null,
    workspace_id: store.workspaceId,
    owner: owner ? { type: 'user', user: userJson(owner, store.workspaceName) } : { type: 'workspace', workspace: true },
    duplicated_template_id: null,
    request_id: randomUUID(),
  };
  if (tokens.expiresIn !== undefined) body.expires_in = tokens.expiresIn;
  return body;
}
