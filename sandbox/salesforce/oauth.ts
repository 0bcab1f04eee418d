import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt, jwtVerify } from 'jose';
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

/** The org user's username: the `sub` a JWT bearer assertion must name, and the client-credentials "Run As" user. */
export const SANDBOX_USERNAME = 'admin@sandbox.example.com';

/** The JWT bearer grant type (RFC 7523). */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Longest `exp - now` Salesforce accepts in a JWT bearer assertion: 3 minutes. */
export const JWT_MAX_LIFETIME_SECONDS = 180;

/**
 * The connected app's digital-signature material (Salesforce: "Use digital signatures",
 * the certificate uploaded to the app). The sandbox generates the RSA key pair and hands
 * the private key to tests through `GET /_sandbox/salesforce/connected-app`.
 */
interface ConnectedAppKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  publicKey: KeyObject;
}

const connectedApps = new WeakMap<SalesforceData, ConnectedAppKeys>();

/** The simulator's key pair, generated on first use (one per simulator, kept across resets). */
function connectedAppKeys(data: SalesforceData): ConnectedAppKeys {
  let keys = connectedApps.get(data);
  if (!keys) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    keys = { privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem, publicKey: createPublicKey(publicKeyPem) };
    connectedApps.set(data, keys);
  }
  return keys;
}

/**
 * `GET /_sandbox/salesforce/connected-app`: the consumer key and secret, the login URL a
 * JWT assertion's `aud` must name, the pre-authorised username (`sub`), and the RSA key
 * pair whose public half verifies assertions (the private key is for tests to sign with).
 */
export function registerConnectedAppControl(app: FastifyInstance, ctx: SandboxContext, data: SalesforceData): void {
  app.get('/connected-app', async () => {
    const client = ctx.tokens.clients('salesforce')[0];
    const keys = connectedAppKeys(data);
    return {
      clientId: client?.clientId ?? null,
      clientSecret: client?.clientSecret ?? null,
      loginUrl: instanceUrl(ctx),
      tokenUrl: `${instanceUrl(ctx)}/services/oauth2/token`,
      username: SANDBOX_USERNAME,
      preAuthorizedUsernames: [SANDBOX_USERNAME],
      clientCredentialsUser: SANDBOX_USERNAME,
      publicKeyPem: keys.publicKeyPem,
      privateKeyPem: keys.privateKeyPem,
    };
  });
}

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
 * redirects with code and state), token (authorization_code with PKCE, refresh_token,
 * JWT bearer, client_credentials) and revoke. JWT bearer: an RS256 assertion signed with
 * the connected app's key, `iss` = consumer key, `sub` = a pre-authorised username,
 * `aud` = the login URL (the simulator's `/salesforce`, or login/test.salesforce.com),
 * `exp` in the future and at most 3 minutes ahead. client_credentials: the consumer key
 * and secret (body or Basic), the token runs as the app's "Run As" user. Neither answers
 * a refresh token. Token responses carry instance_url, id, issued_at and signature
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

  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private');

  /** Error descriptions are Salesforce's own ("invalid assertion", "audience is invalid", "user hasn't approved this consumer"). */
  const jwtBearer = async (reply: FastifyReply, assertion: string | undefined) => {
    if (!assertion) return oauthError(reply, 'invalid_grant', 'invalid assertion');
    let issuer: unknown;
    try {
      issuer = decodeJwt(assertion).iss;
    } catch {
      return oauthError(reply, 'invalid_grant', 'invalid assertion');
    }
    if (typeof issuer !== 'string' || ctx.tokens.verifyClient('salesforce', issuer) !== 'ok') return oauthError(reply, 'invalid_client_id', 'client identifier invalid');
    const now = ctx.clock.now();
    let claims: { aud?: unknown; sub?: unknown; exp?: unknown };
    try {
      ({ payload: claims } = await jwtVerify(assertion, connectedAppKeys(data).publicKey, { algorithms: ['RS256'], currentDate: new Date(now), requiredClaims: ['exp'] }));
    } catch {
      return oauthError(reply, 'invalid_grant', 'invalid assertion');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 > now + JWT_MAX_LIFETIME_SECONDS * 1000 + 5000) return oauthError(reply, 'invalid_grant', 'invalid assertion');
    const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).map((a) => String(a).replace(/\/+$/, ''));
    const accepted = [instanceUrl(ctx), 'https://login.salesforce.com', 'https://test.salesforce.com'];
    if (!audiences.some((a) => accepted.includes(a))) return oauthError(reply, 'invalid_grant', 'audience is invalid');
    if (claims.sub !== SANDBOX_USERNAME) return oauthError(reply, 'invalid_grant', "user hasn't approved this consumer");
    const { refreshPrefix: _none, ...accessOnly } = issueOptions(settings(), data.orgId);
    const tokens = ctx.tokens.issue(grantFor(issuer, ['api']), accessOnly);
    const { signature: _signature, ...body } = tokenBody(tokens, undefined, false);
    return noStore(reply).send(body);
  };

  app.post('/services/oauth2/token', async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    if (form.grant_type === JWT_BEARER_GRANT) return jwtBearer(reply, form.assertion);
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

    if (form.grant_type === 'client_credentials') {
      // The secret is required here (it is optional for the code flow with PKCE).
      if (!clientSecret) return oauthError(reply, 'invalid_client', 'invalid client credentials');
      const { refreshPrefix: _none, ...accessOnly } = options;
      const scopes = (form.scope ?? 'api').split(/[\s+]+/).filter((scope) => scope && scope !== 'refresh_token' && scope !== 'offline_access');
      const tokens = ctx.tokens.issue(grantFor(clientId, scopes.length ? scopes : ['api']), accessOnly);
      return noStore(reply).send(tokenBody(tokens, clientSecret, false));
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
      username: SANDBOX_USERNAME,
      display_name: 'Sandbox Admin',
      email: 'admin@sandbox.example.com',
      active: true,
      urls: { rest: `${instanceUrl(ctx)}/services/data/v{version}/`, query: `${instanceUrl(ctx)}/services/data/v{version}/query/` },
    };
  };
  app.get('/services/oauth2/userinfo', identity);
  app.get('/id/:orgId/:userId', identity);
}
