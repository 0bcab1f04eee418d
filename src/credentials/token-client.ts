import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { TributaryError } from '../domain/errors.ts';
import { parseInstallationTokenResponse } from '../providers/github/index.ts';
import type { ProviderId } from '../providers/provider.ts';
import { atBase, oauthEndpoints, oauthSpecOf, providerFor } from './endpoints.ts';
import type { EgressCheck } from './service.ts';
import { parseTokenAnswer, type TokenSet } from './token-response.ts';
import type { CredentialMaterial } from './validation.ts';

/**
 * The token requests themselves: code exchange (PKCE), refresh_token, client_credentials,
 * JWT bearer (Salesforce, Google service accounts) and GitHub App installation tokens.
 * Every URL passes the egress check first; client authentication follows the provider's
 * OAuthSpec (`body` fields or HTTP `basic`); Notion takes a JSON body. Answers are read
 * by `parseTokenAnswer`. Network failures are PROVIDER_UNAVAILABLE (retryable).
 */

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface TokenClientDeps {
  fetch: typeof fetch;
  egress: EgressCheck;
  timeoutMs: number;
  /** Epoch ms (for JWT claims). */
  now(): number;
}

export interface OAuthClientSecret {
  clientId: string;
  clientSecret: string;
}

interface PostOptions {
  /** POST unless said otherwise (GitHub revokes with DELETE). */
  method?: 'POST' | 'DELETE';
  form: Record<string, string>;
  basic?: OAuthClientSecret;
  bearer?: string;
  json?: boolean;
  accept?: string;
}

async function post(deps: TokenClientDeps, provider: ProviderId, url: string, options: PostOptions): Promise<{ status: number; body: unknown }> {
  await deps.egress(url, 'connection.authBaseUrl');
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json', 'user-agent': 'tributary' };
  if (options.basic) {
    const pair = `${encodeURIComponent(options.basic.clientId)}:${encodeURIComponent(options.basic.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(provider === 'notion' || provider === 'github' ? `${options.basic.clientId}:${options.basic.clientSecret}` : pair).toString('base64')}`;
  }
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  let body: string | undefined;
  if (options.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.form);
  } else if (Object.keys(options.form).length > 0) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  let response: Response;
  try {
    response = await deps.fetch(url, { method: options.method ?? 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (cause) {
    const reason = cause instanceof Error && cause.name === 'TimeoutError' ? 'timed out' : 'network error';
    throw new TributaryError('PROVIDER_UNAVAILABLE', `${provider} token endpoint did not answer (${reason})`, { details: { provider } });
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown = text;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed };
}

function clientAuth(provider: ProviderId, client: OAuthClientSecret, form: Record<string, string>): Pick<PostOptions, 'basic' | 'json'> {
  const spec = oauthSpecOf(provider);
  if (spec.clientAuth === 'basic') return { basic: client, json: provider === 'notion' };
  form.client_id = client.clientId;
  form.client_secret = client.clientSecret;
  return {};
}

/** Authorization code -> tokens (PKCE verifier when the provider takes PKCE). */
export async function exchangeCode(
  deps: TokenClientDeps,
  input: { provider: ProviderId; authBaseUrl: string; client: OAuthClientSecret; code: string; redirectUri: string; codeVerifier: string | null },
): Promise<TokenSet> {
  const form: Record<string, string> = { grant_type: 'authorization_code', code: input.code, redirect_uri: input.redirectUri };
  if (input.codeVerifier !== null) form.code_verifier = input.codeVerifier;
  const auth = clientAuth(input.provider, input.client, form);
  const { status, body } = await post(deps, input.provider, oauthEndpoints(input.provider, input.authBaseUrl).tokenUrl, { form, ...auth });
  return parseTokenAnswer(input.provider, status, body);
}

/** refresh_token grant. */
export async function refreshGrant(
  deps: TokenClientDeps,
  input: { provider: ProviderId; authBaseUrl: string; client: OAuthClientSecret; refreshToken: string },
): Promise<TokenSet> {
  const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: input.refreshToken };
  const auth = clientAuth(input.provider, input.client, form);
  const { status, body } = await post(deps, input.provider, oauthEndpoints(input.provider, input.authBaseUrl).tokenUrl, { form, ...auth });
  return parseTokenAnswer(input.provider, status, body);
}

/** A fresh token for a credential that needs no person: client credentials, JWT bearer, GitHub App installation. */
export async function machineToken(
  deps: TokenClientDeps,
  input: { provider: ProviderId; authBaseUrl: string; apiBaseUrl: string; material: CredentialMaterial },
): Promise<TokenSet> {
  const { provider, material } = input;
  switch (material.type) {
    case 'oauth2_client_credentials': {
      const form: Record<string, string> = { grant_type: 'client_credentials' };
      if (material.scopes?.length) form.scope = material.scopes.join(oauthSpecOf(provider).scopeSeparator);
      const auth = clientAuth(provider, { clientId: material.clientId, clientSecret: material.clientSecret }, form);
      const url = material.tokenUrl ?? oauthEndpoints(provider, input.authBaseUrl).tokenUrl;
      const { status, body } = await post(deps, provider, url, { form, ...auth });
      return parseTokenAnswer(provider, status, body);
    }
    case 'jwt_bearer': {
      const url = material.tokenUrl ?? oauthEndpoints(provider, input.authBaseUrl).tokenUrl;
      const assertion = await signAssertion(deps.now(), provider, input.authBaseUrl, url, material);
      const { status, body } = await post(deps, provider, url, { form: { grant_type: JWT_BEARER_GRANT, assertion } });
      return parseTokenAnswer(provider, status, body);
    }
    case 'github_app_installation': {
      const jwt = await githubAppJwt(deps.now(), material.appId, material.privateKeyPem);
      const url = `${input.apiBaseUrl.replace(/\/+$/, '')}/app/installations/${encodeURIComponent(material.installationId)}/access_tokens`;
      const answer = await post(deps, provider, url, { form: {}, bearer: jwt, accept: 'application/vnd.github+json' });
      if (answer.status === 429 || answer.status >= 500) {
        throw new TributaryError('PROVIDER_UNAVAILABLE', `GitHub answered ${answer.status} to an installation token request`, { details: { provider, status: answer.status } });
      }
      const token = parseInstallationTokenResponse(answer);
      const expiresIn = Math.max(0, Math.floor((Date.parse(token.expiresAt) - deps.now()) / 1000));
      return { accessToken: token.token, expiresIn, tokenType: 'bearer', account: { installationId: material.installationId, repositorySelection: token.repositorySelection ?? null } };
    }
    default:
      throw new TributaryError('INTERNAL', `A ${material.type} credential has no token request`);
  }
}

/**
 * The JWT bearer assertion (RS256). Google service accounts: `iss` = client_email,
 * `scope`, `aud` = the token URL, 1 h, optional `sub` to impersonate. Salesforce: `iss` =
 * consumer key, `sub` = username, `aud` = the login URL, 3 minutes.
 */
async function signAssertion(nowMs: number, provider: ProviderId, authBaseUrl: string, tokenUrl: string, material: Extract<CredentialMaterial, { type: 'jwt_bearer' }>): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const claims: Record<string, unknown> = {};
  let audience: string;
  let lifetime: number;
  if (provider === 'salesforce') {
    audience = material.audience ?? atBase('https://login.salesforce.com', authBaseUrl, providerFor('salesforce').defaultAuthBaseUrl);
    lifetime = 180;
  } else {
    audience = material.audience ?? tokenUrl;
    lifetime = 3600;
    if (material.scopes?.length) claims.scope = material.scopes.join(' ');
  }
  const jwt = new SignJWT(claims)
    .setProtectedHeader(material.keyId ? { alg: 'RS256', typ: 'JWT', kid: material.keyId } : { alg: 'RS256', typ: 'JWT' })
    .setIssuer(material.issuer)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime);
  if (material.subject) jwt.setSubject(material.subject);
  return jwt.sign(createPrivateKey(material.privateKeyPem));
}

/** GitHub's app JWT: `iat` 60 s in the past (clock drift), `exp` 9 minutes ahead (at most 10), `iss` = app id. */
export async function githubAppJwt(nowMs: number, appId: string, privateKeyPem: string): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + 540)
    .setIssuer(appId)
    .sign(createPrivateKey(privateKeyPem));
}

/** GitHub's "delete an app token" URL: on the API host (`apiBaseUrl` for GHES), or api.github.com reached through the auth base URL. */
function githubRevokeUrl(clientId: string, authBaseUrl: string, apiBaseUrl: string | undefined): string {
  const path = `applications/${encodeURIComponent(clientId)}/token`;
  if (apiBaseUrl) return `${apiBaseUrl.replace(/\/+$/, '')}/${path}`;
  return atBase(`https://api.github.com/${path}`, authBaseUrl, providerFor('github').defaultAuthBaseUrl);
}

/**
 * Revokes a token at the provider where it has an endpoint (Google, Salesforce: RFC 7009
 * style; Slack: auth.revoke; GitHub: `DELETE /applications/{client_id}/token` with the
 * app's Basic auth and the ACCESS token in a JSON body, so GitHub needs `client` and
 * takes `accessToken` over `token`, and `apiBaseUrl` for GitHub Enterprise Server).
 * Best effort: returns false on any failure.
 */
export async function revokeToken(
  deps: TokenClientDeps,
  input: { provider: ProviderId; authBaseUrl: string; token: string; accessToken?: string; client?: OAuthClientSecret; apiBaseUrl?: string },
): Promise<boolean> {
  const spec = providerFor(input.provider).auth.oauth;
  try {
    if (input.provider === 'github') {
      if (!input.client) return false;
      const url = githubRevokeUrl(input.client.clientId, input.authBaseUrl, input.apiBaseUrl);
      const answer = await post(deps, 'github', url, { method: 'DELETE', form: { access_token: input.accessToken ?? input.token }, basic: input.client, json: true, accept: 'application/vnd.github+json' });
      return answer.status === 204;
    }
    if (!spec?.revokeUrl) return false;
    const url = oauthEndpoints(input.provider, input.authBaseUrl).revokeUrl as string;
    const answer =
      input.provider === 'slack'
        ? await post(deps, input.provider, url, { form: {}, bearer: input.token })
        : await post(deps, input.provider, url, { form: { token: input.token } });
    if (answer.status >= 400) return false;
    return !(answer.body && typeof answer.body === 'object' && (answer.body as { ok?: unknown }).ok === false);
  } catch {
    return false;
  }
}
