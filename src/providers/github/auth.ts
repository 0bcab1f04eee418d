/**
 * How a GitHub connection authenticates, and the token endpoint's answers.
 *
 * - `oauth2_authorization_code`: github.com's web flow. GitHub App user tokens (`ghu_`)
 *   expire after 8 h and their refresh tokens (`ghr_`) rotate on every use; OAuth App
 *   tokens (`gho_`) do not expire and come without a refresh token.
 * - `github_app_installation`: the app's RS256 JWT buys a 1 h installation token at
 *   `POST /app/installations/{id}/access_tokens` (see `parseInstallationTokenResponse`).
 * - `bearer_token`: a personal access token.
 *
 * GitHub's token endpoint answers failures with HTTP 200 and an `error` field (JSON when
 * asked with `Accept: application/json`, form-encoded otherwise); `parseTokenResponse`
 * turns those into errors so the credentials code never stores an error as a token.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { AuthSpec, HttpResponse } from '../provider.ts';

export const GITHUB_AUTH: AuthSpec = {
  credentialTypes: ['oauth2_authorization_code', 'github_app_installation', 'bearer_token'],
  oauth: {
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    // GitHub revokes through the REST API (DELETE /applications/{client_id}/token with
    // the app's basic auth), not an RFC 7009 endpoint, so no revokeUrl here.
    defaultScopes: ['repo', 'read:org'],
    scopeSeparator: ' ',
    pkce: true,
    clientAuth: 'body',
    rotatesRefreshTokens: true,
  },
};

/** A successful token endpoint answer, in our names. */
export interface GithubTokenResponse {
  accessToken: string;
  tokenType: string;
  /** Scopes granted (empty for GitHub App user tokens, which use the app's permissions). */
  scopes: string[];
  /** Seconds; absent for non-expiring OAuth App tokens. */
  expiresIn?: number;
  refreshToken?: string;
  refreshTokenExpiresIn?: number;
}

/** Token endpoint errors that mean the grant or client is no good (re-authorise). */
const AUTH_ERRORS = new Set(['bad_refresh_token', 'bad_verification_code', 'incorrect_client_credentials', 'redirect_uri_mismatch', 'invalid_grant', 'unauthorized_client', 'access_denied']);

function fieldsOf(body: unknown): Record<string, string> {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
    }
    return out;
  }
  return {};
}

/** The `error` a token endpoint body carries (JSON or form-encoded), if any. */
export function tokenErrorOf(body: unknown): { error: string; description: string } | null {
  const fields = fieldsOf(body);
  if (!fields.error) return null;
  return { error: fields.error, description: fields.error_description ?? fields.error };
}

/**
 * Reads a response of `POST https://github.com/login/oauth/access_token` (code exchange
 * or refresh). Throws PROVIDER_AUTH_FAILED for a dead grant or client
 * (`bad_refresh_token`, `bad_verification_code`, `incorrect_client_credentials`, ...),
 * PROVIDER_REJECTED for other `error`s, PROVIDER_UNAVAILABLE for a body without a token.
 * The token values never appear in an error.
 */
export function parseTokenResponse(response: Pick<HttpResponse, 'status' | 'body'>): GithubTokenResponse {
  const failure = tokenErrorOf(response.body);
  if (failure) {
    const code = AUTH_ERRORS.has(failure.error) ? 'PROVIDER_AUTH_FAILED' : 'PROVIDER_REJECTED';
    return rejectToken(code, `GitHub token endpoint: ${failure.error} (${failure.description})`, failure.error, response.status);
  }
  const fields = fieldsOf(response.body);
  if (response.status >= 500) return rejectToken('PROVIDER_UNAVAILABLE', `GitHub token endpoint answered ${response.status}`, undefined, response.status);
  if (!fields.access_token) return rejectToken('PROVIDER_UNAVAILABLE', `GitHub token endpoint answered ${response.status} without a token`, undefined, response.status);
  const out: GithubTokenResponse = {
    accessToken: fields.access_token,
    tokenType: (fields.token_type ?? 'bearer').toLowerCase(),
    scopes: (fields.scope ?? '').split(/[ ,]+/).filter(Boolean),
  };
  const num = (value: string | undefined) => (value === undefined || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value));
  const expiresIn = num(fields.expires_in);
  if (expiresIn !== undefined) out.expiresIn = expiresIn;
  if (fields.refresh_token) out.refreshToken = fields.refresh_token;
  const refreshExpiresIn = num(fields.refresh_token_expires_in);
  if (refreshExpiresIn !== undefined) out.refreshTokenExpiresIn = refreshExpiresIn;
  return out;
}

function rejectToken(code: 'PROVIDER_AUTH_FAILED' | 'PROVIDER_REJECTED' | 'PROVIDER_UNAVAILABLE', message: string, error: string | undefined, status: number): never {
  const details: Record<string, unknown> = { provider: 'github', status };
  if (error) details.oauthError = error;
  throw new TributaryError(code, message, { details });
}

/** An installation token (`POST /app/installations/{id}/access_tokens`, 201). */
export interface GithubInstallationToken {
  token: string;
  /** ISO 8601: one hour after issue. */
  expiresAt: string;
  permissions: Record<string, string>;
  repositorySelection?: string;
}

export function parseInstallationTokenResponse(response: Pick<HttpResponse, 'status' | 'body'>): GithubInstallationToken {
  const body = response.body as Record<string, unknown> | null;
  if (response.status !== 201 && response.status !== 200) {
    const code = response.status === 401 ? 'PROVIDER_AUTH_FAILED' : response.status >= 500 ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_REJECTED';
    return rejectToken(code, `GitHub refused the installation token (HTTP ${response.status})`, undefined, response.status);
  }
  if (!body || typeof body.token !== 'string' || typeof body.expires_at !== 'string') {
    return rejectToken('PROVIDER_UNAVAILABLE', 'GitHub answered an installation token request without a token', undefined, response.status);
  }
  const out: GithubInstallationToken = { token: body.token, expiresAt: body.expires_at, permissions: (body.permissions as Record<string, string> | undefined) ?? {} };
  if (typeof body.repository_selection === 'string') out.repositorySelection = body.repository_selection;
  return out;
}
