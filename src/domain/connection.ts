/**
 * Connections and their credentials: the data model of the `connections`,
 * `credentials` and `token_refresh_audit` containers. Times are ISO-8601 UTC strings.
 */

export const CONNECTION_STATUSES = ['pending', 'active', 'needs_reauth', 'error', 'disabled'] as const;

/**
 * `pending` until the first authorisation completes; `needs_reauth` once a refresh
 * failed for good (a person must authorise again); `disabled` by an operator.
 */
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** One tenant's authorised account at one provider. */
export interface Connection {
  readonly id: string;
  readonly tenantId: string;
  /** Provider id: `salesforce`, `notion`, `slack`, `github`, `google`. */
  readonly provider: string;
  readonly name: string;
  readonly status: ConnectionStatus;
  /** Instance URL where the provider has one (Salesforce), else null. */
  readonly baseUrl: string | null;
  /** The remote account or workspace identity, as the provider describes it. */
  readonly account: Record<string, unknown>;
  /** The credential in use now. */
  readonly credentialId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Reference `credentials`. Secret material is never held here: the `*Ref` fields are
 * SecretStore references, resolved only at the moment of use.
 */
export interface Credential {
  readonly id: string;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly integrationId: string | null;
  /** `oauth2`, `api_key`, `basic`, `bearer`, `service_account`, ... */
  readonly type: string;
  readonly accessTokenRef: string | null;
  readonly refreshTokenRef: string | null;
  /** Api key, password, client secret or key file. */
  readonly secretRef: string | null;
  /** When the access token expires; null when it does not. */
  readonly expiryTime: string | null;
  readonly enabled: boolean;
  readonly lastRefreshedAt: string | null;
  readonly refreshCount: number;
  /** `pending` (OAuth before the code exchange), `valid`, `refresh_failed`, `revoked`. */
  readonly status: string;
  /** Scopes, token type, instance and other non-secret facts. */
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One token refresh attempt; kept 90 days (`expiresAt`). */
export interface TokenRefreshAudit {
  readonly id: string;
  readonly tenantId: string;
  readonly credentialId: string;
  readonly connectionId: string;
  readonly at: string;
  /** `success`, `failed` or `skipped` (another process refreshed first). */
  readonly outcome: string;
  readonly errorCode: string | null;
  readonly durationMs: number;
  readonly expiresAt: string;
}
