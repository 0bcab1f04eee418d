/**
 * How a Slack connection authenticates: OAuth v2 (`oauth.v2.access`; with token rotation
 * turned on in the app, access tokens live 12 h and each refresh rotates the refresh
 * token) or a bot token pasted in (`bearer_token`, `xoxb-`, never expires).
 */
import type { AuthSpec } from '../provider.ts';

/** The bot scopes Tributary asks for: read users and channels, read history, post. */
export const SLACK_BOT_SCOPES = ['users:read', 'users:read.email', 'channels:read', 'groups:read', 'channels:history', 'groups:history', 'chat:write'];

export const SLACK_AUTH: AuthSpec = {
  credentialTypes: ['oauth2_authorization_code', 'bearer_token'],
  oauth: {
    authorizeUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    revokeUrl: 'https://slack.com/api/auth.revoke',
    defaultScopes: SLACK_BOT_SCOPES,
    scopeSeparator: ',',
    pkce: false,
    clientAuth: 'body',
    // Only with token rotation enabled does a refresh exist; when it does, it rotates.
    rotatesRefreshTokens: true,
  },
};

/** Slack errors that mean a refresh token is dead for good (re-authorisation needed). */
const DEAD_REFRESH_ERRORS = new Set(['invalid_refresh_token', 'invalid_grant', 'token_revoked', 'token_expired']);

/**
 * True when an `oauth.v2.access` refresh answer means the refresh token is dead for
 * good: Slack's own `{"ok":false,"error":"invalid_refresh_token"}` (HTTP 200), or the
 * OAuth-style `{"error":"invalid_grant"}` (HTTP 400) some deployments answer. The
 * credentials code marks the connection `needs_reauth` instead of retrying.
 */
export function isSlackRefreshRejected(status: number, body: unknown): boolean {
  if (status >= 500 || !body || typeof body !== 'object') return false;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'string' && DEAD_REFRESH_ERRORS.has(error);
}
