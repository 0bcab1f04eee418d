/**
 * How a Salesforce connection authenticates: the connected app's OAuth 2 endpoints on
 * login.salesforce.com (a connection's `authBaseUrl` replaces the origin for sandboxes,
 * `test.salesforce.com` and My Domain logins).
 */
import type { AuthSpec } from '../provider.ts';

export const SALESFORCE_AUTH: AuthSpec = {
  credentialTypes: ['oauth2_authorization_code', 'jwt_bearer', 'oauth2_client_credentials'],
  oauth: {
    authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize',
    tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
    revokeUrl: 'https://login.salesforce.com/services/oauth2/revoke',
    defaultScopes: ['api', 'refresh_token'],
    scopeSeparator: ' ',
    pkce: true,
    clientAuth: 'body',
    // Rotation is a per-connected-app option: when a refresh answers with a new
    // refresh token, the old one is dead, so the credentials code must treat it as
    // rotating (store the new one atomically, single-flight the refresh).
    rotatesRefreshTokens: true,
  },
};

/** JWT bearer grant type (the connected app's certificate signs an assertion per token). */
export const SALESFORCE_JWT_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
