/**
 * How a Notion connection authenticates: a public integration's OAuth (HTTP Basic client
 * auth at /v1/oauth/token; newer API versions return a refresh token that rotates on
 * use) or an internal integration's secret (`api_key` / `bearer_token`, never expires).
 * Every request carries `Notion-Version`: see `notionAuthHeaders`.
 */
import type { AuthSpec } from '../provider.ts';

/** The API version we speak by default: data sources (databases hold data sources). */
export const NOTION_API_VERSION = '2025-09-03';

export const NOTION_AUTH: AuthSpec = {
  credentialTypes: ['oauth2_authorization_code', 'api_key', 'bearer_token'],
  oauth: {
    authorizeUrl: 'https://api.notion.com/v1/oauth/authorize',
    tokenUrl: 'https://api.notion.com/v1/oauth/token',
    // Notion grants access per page/database picked by the user, not per scope.
    defaultScopes: [],
    scopeSeparator: ' ',
    pkce: false,
    clientAuth: 'basic',
    // A refresh answers a new refresh token and kills the old one: single-flight it.
    rotatesRefreshTokens: true,
    extraAuthorizeParams: { owner: 'user' },
  },
};

/**
 * The headers of every Notion call: the bearer token and `Notion-Version`. The
 * Provider's `authHeaders` cannot see the connection, so it always sends
 * NOTION_API_VERSION (see the report: `authHeaders(token, connection)` would let the
 * `notionVersion` setting reach the header).
 */
export function notionAuthHeaders(accessToken: string, version: string = NOTION_API_VERSION): Record<string, string> {
  return { authorization: `Bearer ${accessToken}`, 'notion-version': version };
}

/**
 * True when a token-endpoint answer means the refresh token is dead for good:
 * `{"error":"invalid_grant"}` (400; a rotated-away or revoked refresh token). The
 * credentials code marks the connection `needs_reauth` instead of retrying.
 */
export function isNotionRefreshRejected(status: number, body: unknown): boolean {
  if (status < 400 || status >= 500 || !body || typeof body !== 'object') return false;
  return (body as { error?: unknown }).error === 'invalid_grant';
}
