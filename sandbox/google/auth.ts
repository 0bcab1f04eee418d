import type { FastifyInstance, FastifyReply, FastifyRequest, IssueOptions, IssuedTokens, SandboxContext, TokenGrant } from '../core/types.ts';
import { GoogleApiError } from './errors.ts';
import { GOOGLE_TOKEN_URI, type ServiceAccounts } from './service-accounts.ts';

/** Google access tokens live 3599 s; refresh tokens do not rotate (providers.md §5). */
export const GOOGLE_ACCESS_SECONDS = 3599;

export function googleIssueOptions(): IssueOptions {
  return { accessPrefix: 'ya29.a0', refreshPrefix: '1//0g', accessSeconds: GOOGLE_ACCESS_SECONDS, rotateRefresh: false };
}

const grantByRequest = new WeakMap<FastifyRequest, TokenGrant>();

/** The grant of a request that passed `checkGoogleToken`. */
export function requestGrant(request: FastifyRequest): TokenGrant {
  const grant = grantByRequest.get(request);
  if (!grant) throw new GoogleApiError(401, 'Invalid Credentials', { reason: 'authError' });
  return grant;
}

const V1_INVALID =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
const V1_MISSING =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/**
 * Checks the bearer token; a failure is Google's 401 in the API's dialect: People's v1
 * `UNAUTHENTICATED` (with an ErrorInfo reason), Calendar/Drive's classic `authError`
 * "Invalid Credentials" (or `required` "Login Required." when no credential was sent).
 */
export function checkGoogleToken(ctx: SandboxContext, request: FastifyRequest, style: 'v1' | 'classic', service: string): TokenGrant {
  const check = ctx.tokens.check('google', request.headers.authorization);
  if (check.ok) {
    grantByRequest.set(request, check.grant);
    return check.grant;
  }
  const headers = { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' };
  const missing = check.reason === 'missing';
  if (style === 'v1') {
    const reason = missing ? 'CREDENTIALS_MISSING' : check.reason === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED';
    throw new GoogleApiError(
      401,
      missing ? V1_MISSING : V1_INVALID,
      { status: 'UNAUTHENTICATED', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata: { service } }] },
      headers,
    );
  }
  if (missing) throw new GoogleApiError(401, 'Login Required.', { reason: 'required', location: 'Authorization', locationType: 'header' }, headers);
  throw new GoogleApiError(401, 'Invalid Credentials', { reason: 'authError', location: 'Authorization', locationType: 'header' }, headers);
}

type Params = Record<string, unknown>;

function oauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).send({ error, error_description: description });
}

function clientCredentials(request: FastifyRequest, body: Params): { clientId: string; clientSecret?: string } | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  if (typeof body.client_id !== 'string') return null;
  return { clientId: body.client_id, clientSecret: typeof body.client_secret === 'string' ? body.client_secret : undefined };
}

function tokenBody(tokens: IssuedTokens, includeRefresh: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn ?? GOOGLE_ACCESS_SECONDS,
    scope: tokens.grant.scopes.join(' '),
    token_type: 'Bearer',
  };
  if (includeRefresh && tokens.refreshToken) {
    body.refresh_token = tokens.refreshToken;
    if (tokens.refreshExpiresIn !== undefined) body.refresh_token_expires_in = tokens.refreshExpiresIn;
  }
  return body;
}

/**
 * Google's OAuth endpoints: `GET /o/oauth2/v2/auth` (302 back with `code`, `scope`,
 * `state`; PKCE; `access_type=offline` gives a refresh token on first consent or with
 * `prompt=consent`), `POST /token` (authorization_code, refresh_token — the same refresh
 * token stays valid — and the service-account JWT bearer grant) and `POST /revoke`.
 */
export function registerGoogleOAuth(
  app: FastifyInstance,
  ctx: SandboxContext,
  deps: { account: () => string; serviceAccounts: ServiceAccounts },
): void {
  const consented = new Set<string>();
  const refreshForCode = new Map<string, boolean>();

  app.get('/o/oauth2/v2/auth', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (!q.client_id || ctx.tokens.verifyClient('google', q.client_id) !== 'ok') return oauthError(reply, 401, 'invalid_client', 'The OAuth client was not found.');
    if (!q.redirect_uri) return oauthError(reply, 400, 'invalid_request', 'Missing required parameter: redirect_uri');
    if (q.response_type !== 'code') return oauthError(reply, 400, 'unsupported_response_type', `Invalid response_type: ${q.response_type ?? ''}`);
    if (!q.scope) return oauthError(reply, 400, 'invalid_request', 'Missing required parameter: scope');
    const account = q.login_hint ?? deps.account();
    const key = `${q.client_id}|${account}`;
    const offline = q.access_type === 'offline';
    const giveRefresh = offline && (!consented.has(key) || (q.prompt ?? '').split(' ').includes('consent'));
    consented.add(key);
    const scopes = q.scope.split(/\s+/).filter(Boolean);
    const code = ctx.tokens.createCode({
      grant: { provider: 'google', clientId: q.client_id, account, scopes, extra: {} },
      redirectUri: q.redirect_uri,
      codeChallenge: q.code_challenge,
      codeChallengeMethod: q.code_challenge_method,
    });
    refreshForCode.set(code, giveRefresh);
    const target = new URL(q.redirect_uri);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    target.searchParams.set('code', code);
    target.searchParams.set('scope', scopes.join(' '));
    return reply.redirect(target.toString(), 302);
  });

  app.post('/token', async (request, reply) => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Params;
    const grantType = body.grant_type;
    if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      if (typeof body.assertion !== 'string') return oauthError(reply, 400, 'invalid_request', 'Missing required parameter: assertion');
      const audiences = [GOOGLE_TOKEN_URI, `${ctx.options.baseUrl}/google/token`];
      const check = await deps.serviceAccounts.verify(body.assertion, audiences, ctx.clock.now());
      if (!check.ok) return oauthError(reply, 400, check.error, check.description);
      const tokens = ctx.tokens.issue(
        { provider: 'google', clientId: check.clientEmail, account: check.subject ?? check.clientEmail, scopes: check.scopes, extra: { serviceAccount: true } },
        { accessPrefix: 'ya29.c.', accessSeconds: GOOGLE_ACCESS_SECONDS, rotateRefresh: false },
      );
      return reply.send({ access_token: tokens.accessToken, expires_in: tokens.expiresIn ?? GOOGLE_ACCESS_SECONDS, token_type: 'Bearer' });
    }
    const client = clientCredentials(request, body);
    if (!client || ctx.tokens.verifyClient('google', client.clientId, client.clientSecret) !== 'ok') {
      return oauthError(reply, 401, 'invalid_client', 'Unauthorized');
    }
    if (grantType === 'authorization_code') {
      if (typeof body.code !== 'string') return oauthError(reply, 400, 'invalid_request', 'Missing required parameter: code');
      if (typeof body.redirect_uri !== 'string') return oauthError(reply, 400, 'invalid_request', 'Missing parameter: redirect_uri');
      const giveRefresh = refreshForCode.get(body.code) ?? false;
      refreshForCode.delete(body.code);
      const options = googleIssueOptions();
      const result = ctx.tokens.exchangeCode(
        'google',
        {
          code: body.code,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          redirectUri: body.redirect_uri,
          codeVerifier: typeof body.code_verifier === 'string' ? body.code_verifier : undefined,
        },
        giveRefresh ? options : { ...options, refreshPrefix: undefined },
      );
      if (!result.ok) {
        if (result.reason === 'redirect_mismatch') return oauthError(reply, 400, 'redirect_uri_mismatch', 'Bad Request');
        if (result.reason === 'pkce_failed') return oauthError(reply, 400, 'invalid_grant', 'Invalid code verifier.');
        if (result.reason === 'client_mismatch') return oauthError(reply, 401, 'unauthorized_client', 'Unauthorized');
        return oauthError(reply, 400, 'invalid_grant', 'Bad Request');
      }
      return reply.send(tokenBody(result.tokens, giveRefresh));
    }
    if (grantType === 'refresh_token') {
      if (typeof body.refresh_token !== 'string') return oauthError(reply, 400, 'invalid_request', 'Missing required parameter: refresh_token');
      const result = ctx.tokens.refresh('google', body.refresh_token, client.clientId, googleIssueOptions());
      if (!result.ok) {
        if (result.reason === 'client_mismatch') return oauthError(reply, 401, 'unauthorized_client', 'Unauthorized');
        return oauthError(reply, 400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      return reply.send(tokenBody(result.tokens, false));
    }
    return oauthError(reply, 400, 'unsupported_grant_type', `Invalid grant_type: ${String(grantType ?? '')}`);
  });

  app.post('/revoke', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Params;
    const token = q.token ?? (typeof body.token === 'string' ? body.token : undefined);
    if (!token || !ctx.tokens.revoke('google', token)) return oauthError(reply, 400, 'invalid_token', 'Token expired or revoked');
    return reply.send({});
  });
}
