/**
 * GitHub's web OAuth flow, at `/github/login/oauth/authorize` and
 * `/github/login/oauth/access_token` (github.com's paths). The authorize step approves at
 * once as the sandbox's default user (or the `login` parameter's user) and redirects
 * with `code` and `state`. The token endpoint answers errors with HTTP 200 and an
 * `error` field, as GitHub does, in JSON when the client accepts JSON and form-encoded
 * otherwise. `DELETE /github/applications/{client_id}/token` revokes one token (REST API:
 * Basic auth with the app's client id and secret, JSON body `{access_token}`; 204, 422 for
 * a token that is unknown, already revoked or another app's, 404 for a wrong client).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuedTokens, SandboxContext } from '../core/types.ts';
import { userTokenOptions } from './auth.ts';
import type { OAuthKind } from './auth.ts';
import type { GithubStore } from './data.ts';
import { notFound, validationFailed } from './errors.ts';

const TROUBLESHOOTING = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

const TOKEN_ERRORS = {
  bad_verification_code: ['The code passed is incorrect or expired.', '#bad-verification-code'],
  bad_refresh_token: ['The refresh token passed is incorrect or expired.', '#bad-refresh-token'],
  incorrect_client_credentials: ['The client_id and/or client_secret passed are incorrect.', '#incorrect-client-credentials'],
  redirect_uri_mismatch: ['The redirect_uri MUST match the registered callback URL for this application.', '#redirect-uri-mismatch2'],
  unsupported_grant_type: ['The grant type is not supported.', '#unsupported-grant-type'],
} as const;

type TokenError = keyof typeof TOKEN_ERRORS;

export function registerOAuthRoutes(app: FastifyInstance, ctx: SandboxContext, store: GithubStore, oauthKind: () => OAuthKind): void {
  app.get('/login/oauth/authorize', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const clientId = query.client_id ?? '';
    if (ctx.tokens.verifyClient('github', clientId) !== 'ok') {
      return reply.code(404).type('text/html; charset=utf-8').send('<!DOCTYPE html><html><body><h1>404</h1><p>Not Found</p></body></html>');
    }
    const redirectUri = query.redirect_uri;
    if (!redirectUri) return reply.code(400).type('text/html; charset=utf-8').send('<p>The redirect_uri is missing.</p>');
    const user = (query.login ? store.userByLogin(query.login) : undefined) ?? store.userByLogin(store.defaultLogin);
    if (!user) return reply.code(404).type('text/html; charset=utf-8').send('<p>No such user.</p>');
    const scopes = (query.scope ?? '').split(/[ ,]+/).filter(Boolean);
    const input: Parameters<typeof ctx.tokens.createCode>[0] = {
      grant: { provider: 'github', clientId, account: user.login, scopes, extra: { kind: oauthKind() } },
      redirectUri,
    };
    if (query.code_challenge) input.codeChallenge = query.code_challenge;
    if (query.code_challenge_method) input.codeChallengeMethod = query.code_challenge_method;
    const code = ctx.tokens.createCode(input);
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    return reply.redirect(target.toString(), 302);
  });

  app.post('/login/oauth/access_token', async (request, reply) => {
    const fields = { ...(request.query as Record<string, string>), ...bodyFields(request.body) };
    const clientId = fields.client_id ?? '';
    const kind = oauthKind();
    // GitHub's web flow always needs the client secret, PKCE or not.
    if (fields.client_secret === undefined || ctx.tokens.verifyClient('github', clientId, fields.client_secret) !== 'ok') {
      return tokenError(request, reply, 'incorrect_client_credentials');
    }
    if (fields.grant_type === 'refresh_token') {
      const result = ctx.tokens.refresh('github', fields.refresh_token ?? '', clientId, userTokenOptions(kind));
      if (!result.ok) return tokenError(request, reply, result.reason === 'client_mismatch' ? 'incorrect_client_credentials' : 'bad_refresh_token');
      return tokenSuccess(request, reply, result.tokens);
    }
    if (fields.grant_type !== undefined && fields.grant_type !== 'authorization_code') return tokenError(request, reply, 'unsupported_grant_type');
    const input: Parameters<typeof ctx.tokens.exchangeCode>[1] = { code: fields.code ?? '', clientId };
    if (fields.client_secret !== undefined) input.clientSecret = fields.client_secret;
    if (fields.redirect_uri !== undefined) input.redirectUri = fields.redirect_uri;
    if (fields.code_verifier !== undefined) input.codeVerifier = fields.code_verifier;
    const result = ctx.tokens.exchangeCode('github', input, userTokenOptions(kind));
    if (!result.ok) {
      const error: TokenError =
        result.reason === 'client_mismatch' ? 'incorrect_client_credentials' : result.reason === 'redirect_mismatch' ? 'redirect_uri_mismatch' : 'bad_verification_code';
      return tokenError(request, reply, error);
    }
    return tokenSuccess(request, reply, result.tokens);
  });

  app.delete<{ Params: { client_id: string } }>('/applications/:client_id/token', async (request, reply) => {
    const clientId = request.params.client_id;
    const client = basicClient(request);
    // GitHub answers 404 rather than revealing whether the app exists.
    if (!client || client.clientId !== clientId || ctx.tokens.verifyClient('github', clientId, client.clientSecret) !== 'ok') throw notFound('https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token');
    const accessToken = bodyFields(request.body).access_token;
    if (!accessToken) throw validationFailed([{ resource: 'Application', code: 'missing_field', field: 'access_token' }]);
    const check = ctx.tokens.check('github', `Bearer ${accessToken}`);
    if (!check.ok || check.grant.clientId !== clientId || !ctx.tokens.revoke('github', accessToken)) {
      throw validationFailed([{ resource: 'Application', code: 'invalid', field: 'access_token' }]);
    }
    return reply.code(204).send();
  });
}

/** The app's client id and secret from HTTP Basic, if any. */
function basicClient(request: FastifyRequest): { clientId: string; clientSecret: string } | null {
  const header = request.headers.authorization ?? '';
  if (!/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function bodyFields(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

function wantsJson(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('json');
}

function send(request: FastifyRequest, reply: FastifyReply, fields: Record<string, string | number>): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (wantsJson(request)) return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(fields));
  const form = new URLSearchParams(Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)]));
  return reply.code(200).type('application/x-www-form-urlencoded; charset=utf-8').send(form.toString());
}

function tokenError(request: FastifyRequest, reply: FastifyReply, error: TokenError): FastifyReply {
  const [description, anchor] = TOKEN_ERRORS[error];
  return send(request, reply, { error, error_description: description, error_uri: `${TROUBLESHOOTING}${anchor}` });
}

/** GitHub's token response: expiring user tokens carry both lifetimes; `scope` is "" for GitHub Apps. */
function tokenSuccess(request: FastifyRequest, reply: FastifyReply, tokens: IssuedTokens): FastifyReply {
  const fields: Record<string, string | number> = { access_token: tokens.accessToken };
  if (tokens.expiresIn !== undefined) fields.expires_in = tokens.expiresIn;
  if (tokens.refreshToken !== undefined) fields.refresh_token = tokens.refreshToken;
  if (tokens.refreshExpiresIn !== undefined) fields.refresh_token_expires_in = tokens.refreshExpiresIn;
  fields.scope = tokens.grant.extra.kind === 'oauth_app' ? tokens.grant.scopes.join(',') : '';
  fields.token_type = 'bearer';
  return send(request, reply, fields);
}
