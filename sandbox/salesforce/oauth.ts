import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssueOptions, IssuedTokens, SandboxContext, TokenGrant } from '../core/types.ts';
import type { SalesforceData } from './data.ts';

/** The connected app's settings that change token behaviour (control API: PUT /_sandbox/salesforce/settings). */
export interface SalesforceSettings {
  /** Connected-app "refresh token rotation": each refresh returns a new refresh token and retires the old one. */
  rotateRefreshTokens: boolean;
  /** Session timeout (inactivity; every API call restarts it). Salesforce's default is 2 hours. */
  sessionSeconds: number;
  /** Refresh token policy "expire after N seconds"; null = valid until revoked (the default). */
  refreshTokenSeconds: number | null;
  /** Daily API request allocation (Enterprise base 100,000 per rolling 24 h), before rateLimitScale. */
  dailyApiLimit: number;
}

export const DEFAULT_SETTINGS: SalesforceSettings = {
  rotateRefreshTokens: false,
  sessionSeconds: 7200,
  refreshTokenSeconds: null,
  dailyApiLimit: 100_000,
};

export function issueOptions(settings: SalesforceSettings, orgId: string): IssueOptions {
  const o: IssueOptions = {
    accessPrefix: `${orgId.slice(0, 15)}!AR`,
    refreshPrefix: '5Aep861',
    accessSeconds: settings.sessionSeconds,
    rotateRefresh: settings.rotateRefreshTokens,
    slidingAccess: true,
  };
  if (settings.refreshTokenSeconds !== null) o.refreshSeconds = settings.refreshTokenSeconds;
  return o;
}

export const instanceUrl = (ctx: SandboxContext) => `${ctx.options.baseUrl}/salesforce`;

type Form = Record<string, string | undefined>;

const oauthError = (reply: FastifyReply, error: string, description: string, status = 400) =>
  reply.code(status).header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private').send({ error, error_description: description });

/** Client credentials from the form, or from HTTP Basic. */
function clientOf(request: FastifyRequest, form: Form): { clientId?: string; clientSecret?: string } {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    return { clientId: decodeURIComponent(id ?? ''), clientSecret: decodeURIComponent(secret ?? '') };
  }
  return { clientId: form.client_id, clientSecret: form.client_secret };
}

/**
 * Salesforce's OAuth 2 endpoints: authorize (auto-approves as the org's user and
 * redirects with code and state), token (authorization_code with PKCE, refresh_token)
 * and revoke. Token responses carry instance_url, id, issued_at and signature
 * (base64 HMAC-SHA256 of id + issued_at keyed by the client secret), never expires_in.
 */
export function registerOAuth(app: FastifyInstance, ctx: SandboxContext, data: SalesforceData, settings: () => SalesforceSettings): void {
  const grantFor = (clientId: string, scopes: string[]): TokenGrant => ({
    provider: 'salesforce',
    clientId,
    account: data.orgId,
    scopes,
    extra: { userId: data.userId },
  });

  const tokenBody = (tokens: IssuedTokens, clientSecret: string | undefined, includeRefresh: boolean) => {
    const issuedAt = String(ctx.clock.now());
    const id = `${ctx.options.baseUrl}/salesforce/id/${data.orgId}/${data.userId}`;
    const key = clientSecret ?? ctx.tokens.clients('salesforce').find((c) => c.clientId === tokens.grant.clientId)?.clientSecret ?? '';
    const body: Record<string, string> = { access_token: tokens.accessToken };
    if (includeRefresh && tokens.refreshToken) body.refresh_token = tokens.refreshToken;
    Object.assign(body, {
      signature: createHmac('sha256', key).update(id + issuedAt).digest('base64'),
      scope: tokens.grant.scopes.join(' '),
      instance_url: instanceUrl(ctx),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
    return body;
  };

  app.get<{ Querystring: Form }>('/services/oauth2/authorize', async (request, reply) => {
    const q = request.query;
    if (!q.client_id || ctx.tokens.verifyClient('salesforce', q.client_id) !== 'ok') {
      return oauthError(reply, 'invalid_client_id', 'client identifier invalid');
    }
    if (!q.redirect_uri) return oauthError(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    let target: URL;
    try {
      target = new URL(q.redirect_uri);
    } catch {
      return oauthError(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    }
    if (q.response_type !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      target.searchParams.set('error_description', 'response type not supported');
    } else {
      const scopes = (q.scope ?? 'api refresh_token').split(/[\s+]+/).filter(Boolean);
      const input: Parameters<typeof ctx.tokens.createCode>[0] = { grant: grantFor(q.client_id, scopes), redirectUri: q.redirect_uri };
      if (q.code_challenge) {
        input.codeChallenge = q.code_challenge;
        input.codeChallengeMethod = q.code_challenge_method ?? 'S256';
      }
      target.searchParams.set('code', ctx.tokens.createCode(input));
    }
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    return reply.redirect(target.toString(), 302);
  });

  app.post('/services/oauth2/token', async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const { clientId, clientSecret } = clientOf(request, form);
    if (!clientId) return oauthError(reply, 'invalid_client_id', 'client identifier invalid');
    const client = ctx.tokens.verifyClient('salesforce', clientId, clientSecret);
    if (client === 'unknown_client') return oauthError(reply, 'invalid_client_id', 'client identifier invalid');
    if (client === 'bad_secret') return oauthError(reply, 'invalid_client', 'invalid client credentials');
    const options = issueOptions(settings(), data.orgId);

    if (form.grant_type === 'authorization_code') {
      if (!form.code) return oauthError(reply, 'invalid_grant', 'invalid authorization code');
      const input: { code: string; clientId: string; clientSecret?: string; redirectUri?: string; codeVerifier?: string } = { code: form.code, clientId };
      if (clientSecret !== undefined) input.clientSecret = clientSecret;
      if (form.redirect_uri !== undefined) input.redirectUri = form.redirect_uri;
      if (form.code_verifier !== undefined) input.codeVerifier = form.code_verifier;
      const result = ctx.tokens.exchangeCode('salesforce', input, options);
      if (!result.ok) {
        switch (result.reason) {
          case 'redirect_mismatch':
            return oauthError(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
          case 'pkce_failed':
            return oauthError(reply, 'invalid_grant', 'invalid code verifier');
          case 'client_mismatch':
            return oauthError(reply, 'invalid_client', 'invalid client credentials');
          default:
            return oauthError(reply, 'invalid_grant', 'expired authorization code');
        }
      }
      return reply.header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private').send(tokenBody(result.tokens, clientSecret, true));
    }

    if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token) return oauthError(reply, 'invalid_grant', 'expired access/refresh token');
      const result = ctx.tokens.refresh('salesforce', form.refresh_token, clientId, options);
      if (!result.ok) {
        if (result.reason === 'client_mismatch') return oauthError(reply, 'invalid_client', 'invalid client credentials');
        return oauthError(reply, 'invalid_grant', 'expired access/refresh token');
      }
      return reply
        .header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private')
        .send(tokenBody(result.tokens, clientSecret, settings().rotateRefreshTokens));
    }

    return oauthError(reply, 'unsupported_grant_type', 'grant type not supported');
  });

  const revoke = async (request: FastifyRequest, reply: FastifyReply) => {
    const form = { ...((request.query ?? {}) as Form), ...((request.body ?? {}) as Form) };
    if (!form.token || !ctx.tokens.revoke('salesforce', form.token)) return oauthError(reply, 'unsupported_token_type', 'this token type is not supported');
    return reply.code(200).send('');
  };
  app.post('/services/oauth2/revoke', revoke);
  app.get('/services/oauth2/revoke', revoke);

  const identity = async (request: FastifyRequest, reply: FastifyReply) => {
    const check = ctx.tokens.check('salesforce', request.headers.authorization);
    if (!check.ok) return reply.code(403).type('text/plain').send('Bad_OAuth_Token');
    return {
      id: `${ctx.options.baseUrl}/salesforce/id/${data.orgId}/${data.userId}`,
      user_id: data.userId,
      organization_id: data.orgId,
      username: 'admin@sandbox.example.com',
      display_name: 'Sandbox Admin',
      email: 'admin@sandbox.example.com',
      active: true,
      urls: { rest: `${instanceUrl(ctx)}/services/data/v{version}/`, query: `${instanceUrl(ctx)}/services/data/v{version}/query/` },
    };
  };
  app.get('/services/oauth2/userinfo', identity);
  app.get('/id/:orgId/:userId', identity);
}
