import { TributaryError } from '../domain/errors.ts';
import { parseTokenResponse as parseGithubTokenResponse } from '../providers/github/index.ts';
import type { ProviderId } from '../providers/provider.ts';

/**
 * Reading token endpoint answers, per provider. Plain parsing rather than oauth4webapi:
 * that library insists on RFC 6749 answers (`token_type` "bearer"/"dpop", errors with a
 * 4xx status), while the providers we speak to are not: GitHub answers errors with HTTP
 * 200, Slack answers `{"ok":false,"error":...}` with HTTP 200 and `token_type: "bot"`,
 * Salesforce sends no `expires_in`, Notion puts account facts next to the token. Each of
 * those would need a workaround around the library, so one small parser does it all.
 *
 * Errors never carry a token value: only the provider's error code and HTTP status.
 */

/** A token endpoint's answer, in our names. */
export interface TokenSet {
  accessToken: string;
  /** undefined: the answer had none (keep the one we have; Google and non-rotating Salesforce). */
  refreshToken?: string;
  /** Seconds the access token lives; undefined when the provider does not say (Salesforce). */
  expiresIn?: number;
  scopes?: string[];
  tokenType?: string;
  /** Salesforce's instance URL: the connection's API base URL. */
  instanceUrl?: string;
  /** Non-secret account facts (Slack team and bot, Notion workspace, Salesforce identity URL). */
  account?: Record<string, unknown>;
}

/**
 * OAuth error codes that mean the grant is dead for good: a person must authorise again.
 * `invalid_grant` (RFC 6749, Google, Notion, Salesforce), GitHub's `bad_refresh_token`,
 * Slack's `invalid_refresh_token` / `token_revoked` / `token_expired`.
 */
export const DEAD_GRANT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'bad_refresh_token',
  'bad_verification_code',
  'invalid_refresh_token',
  'token_revoked',
  'token_expired',
  'expired_token',
  'invalid_code',
]);

/** True when a token error means "re-authorise" (see DEAD_GRANT_ERRORS). */
export function isDeadGrant(error: unknown): boolean {
  if (!(error instanceof TributaryError)) return false;
  const oauthError = error.details?.oauthError;
  return typeof oauthError === 'string' && DEAD_GRANT_ERRORS.has(oauthError);
}

function tokenError(provider: ProviderId, status: number, oauthError: string): TributaryError {
  const details = { provider, status, oauthError };
  if (DEAD_GRANT_ERRORS.has(oauthError)) {
    return new TributaryError('PROVIDER_AUTH_FAILED', `${provider} token endpoint refused the grant (${oauthError}); authorise the connection again`, { details });
  }
  if (status === 429) return new TributaryError('PROVIDER_RATE_LIMITED', `${provider} token endpoint is rate limiting (${oauthError})`, { details, retryAfterMs: 1000 });
  if (status >= 500) return new TributaryError('PROVIDER_UNAVAILABLE', `${provider} token endpoint answered ${status} (${oauthError})`, { details });
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || oauthError === 'incorrect_client_credentials' || oauthError === 'bad_client_secret' || oauthError === 'invalid_client_id') {
    return new TributaryError('PROVIDER_AUTH_FAILED', `${provider} token endpoint refused the OAuth client (${oauthError}); check the client id and secret`, { details });
  }
  return new TributaryError('PROVIDER_REJECTED', `${provider} token endpoint refused the request (${oauthError})`, { details });
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

function accountOf(provider: ProviderId, body: Record<string, unknown>): Record<string, unknown> | undefined {
  switch (provider) {
    case 'slack': {
      const team = (body.team ?? {}) as Record<string, unknown>;
      const user = (body.authed_user ?? {}) as Record<string, unknown>;
      return { teamId: team.id ?? null, teamName: team.name ?? null, appId: body.app_id ?? null, botUserId: body.bot_user_id ?? null, authedUserId: user.id ?? null };
    }
    case 'notion':
      return { workspaceId: body.workspace_id ?? null, workspaceName: body.workspace_name ?? null, botId: body.bot_id ?? null };
    case 'salesforce':
      return { identityUrl: body.id ?? null };
    default:
      return undefined;
  }
}

/**
 * Turns a token endpoint answer into a TokenSet, or throws: PROVIDER_AUTH_FAILED (with
 * `details.oauthError`) for a dead grant or a refused client, PROVIDER_UNAVAILABLE /
 * PROVIDER_RATE_LIMITED for passing trouble, PROVIDER_REJECTED otherwise.
 */
export function parseTokenAnswer(provider: ProviderId, status: number, body: unknown): TokenSet {
  if (provider === 'github' && status < 500 && status !== 429) {
    const parsed = parseGithubTokenResponse({ status, body });
    const out: TokenSet = { accessToken: parsed.accessToken, tokenType: parsed.tokenType, scopes: parsed.scopes };
    if (parsed.refreshToken !== undefined) out.refreshToken = parsed.refreshToken;
    if (parsed.expiresIn !== undefined) out.expiresIn = parsed.expiresIn;
    return out;
  }
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (fields.ok === false || status >= 400 || str(fields.error)) {
    throw tokenError(provider, status, str(fields.error) ?? `http_${status}`);
  }
  let accessToken = str(fields.access_token);
  let source = fields;
  // Slack: a user-token-only install answers the token under `authed_user`.
  if (accessToken === undefined && provider === 'slack' && fields.authed_user && typeof fields.authed_user === 'object') {
    source = fields.authed_user as Record<string, unknown>;
    accessToken = str(source.access_token);
  }
  if (accessToken === undefined) throw new TributaryError('PROVIDER_UNAVAILABLE', `${provider} token endpoint answered ${status} without a token`, { details: { provider, status } });
  const out: TokenSet = { accessToken };
  const refreshToken = str(source.refresh_token);
  if (refreshToken !== undefined) out.refreshToken = refreshToken;
  const expiresIn = num(source.expires_in);
  if (expiresIn !== undefined) out.expiresIn = expiresIn;
  const scope = str(source.scope);
  if (scope !== undefined) out.scopes = scope.split(/[ ,]+/).filter(Boolean);
  const tokenType = str(source.token_type);
  if (tokenType !== undefined) out.tokenType = tokenType.toLowerCase();
  const instanceUrl = str(fields.instance_url);
  if (instanceUrl !== undefined) out.instanceUrl = instanceUrl;
  const account = accountOf(provider, fields);
  if (account !== undefined) out.account = account;
  return out;
}
