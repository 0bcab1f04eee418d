/**
 * How a Google connection authenticates: OAuth 2 authorization code with PKCE
 * (`access_type=offline` and `prompt=consent`, so that every consent returns a refresh
 * token; Google does not rotate refresh tokens) or a service account (`jwt_bearer`: an
 * RS256 assertion exchanged at the token endpoint, with domain-wide delegation).
 */
import type { AuthSpec } from '../provider.ts';

export const GOOGLE_SCOPES = {
  contacts: 'https://www.googleapis.com/auth/contacts',
  calendar: 'https://www.googleapis.com/auth/calendar.events',
  driveMetadata: 'https://www.googleapis.com/auth/drive.metadata.readonly',
} as const;

export const GOOGLE_AUTH: AuthSpec = {
  credentialTypes: ['oauth2_authorization_code', 'jwt_bearer'],
  oauth: {
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
    defaultScopes: ['openid', 'email', GOOGLE_SCOPES.contacts, GOOGLE_SCOPES.calendar, GOOGLE_SCOPES.driveMetadata],
    scopeSeparator: ' ',
    pkce: true,
    clientAuth: 'body',
    rotatesRefreshTokens: false,
    extraAuthorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  },
};

/** Grant type of the service-account (JWT bearer) exchange. */
export const GOOGLE_JWT_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * True when a token-endpoint answer means the refresh token (or service-account grant)
 * is dead for good: `{"error":"invalid_grant"}` (400; "Token has been expired or
 * revoked.": a revoked consent, 7-day testing-app tokens, 6 months unused, a password
 * change). The credentials code marks the connection `needs_reauth` instead of retrying.
 */
export function isGoogleGrantRevoked(status: number, body: unknown): boolean {
  if (status < 400 || status >= 500 || !body || typeof body !== 'object') return false;
  return (body as { error?: unknown }).error === 'invalid_grant';
}
