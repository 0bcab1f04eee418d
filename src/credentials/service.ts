/**
 * The credentials feature's contract (the reference's SecureCredentialService): what the
 * connection API, the provider HTTP client, the token-refresher role and the CLI call.
 *
 * Secret values (tokens, keys, passwords) live only in the SecretStore, one JSON value per
 * credential holding the static material AND the current access/refresh token pair, so a
 * rotated pair is replaced in one atomic write. The store's `credentials` row holds
 * metadata only. No method here returns, logs or puts in an error a secret value, except
 * `tokenSource(...).accessToken()` (the token a call must present) and `material()` (for
 * the webhook verifier and mTLS, which need the raw secret).
 *
 * Dependencies: this feature does NOT import `connections/` (which builds on it), so the
 * egress check is injected as a function and `CredentialTokenSource` repeats the shape of
 * `connections`' `TokenSource` (structurally identical: pass it straight to
 * `createProviderHttp({ tokens })`).
 */
import type { ErrorCode } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { Locks } from '../ports/locks.ts';
import type { Clock, RandomSource } from '../ports/clock.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';
import type { CredentialType, ProviderId } from '../providers/provider.ts';

/**
 * What a caller supplies to create a credential; validated (TypeBox) with errors naming
 * the field as `credentials.<name>`. Tokens of `oauth2_authorization_code` come from the
 * code exchange (`completeAuthorization`); its optional client id/secret override the
 * operator's OAuth client for this one connection.
 */
export type CredentialInput =
  | { type: 'oauth2_authorization_code'; clientId?: string; clientSecret?: string; scopes?: string[] }
  | { type: 'oauth2_client_credentials'; clientId: string; clientSecret: string; scopes?: string[]; tokenUrl?: string }
  | {
      type: 'jwt_bearer';
      /** Salesforce: the connected app's consumer key; Google: the service account's client_email. */
      issuer: string;
      /** Salesforce: the username; Google: the user to impersonate (domain-wide delegation). */
      subject?: string;
      audience?: string;
      privateKeyPem: string;
      keyId?: string;
      scopes?: string[];
      tokenUrl?: string;
    }
  /** Google's service-account JSON key file, as downloaded (turned into a `jwt_bearer`). */
  | { type: 'jwt_bearer'; serviceAccountKey: string | Record<string, unknown>; subject?: string; scopes?: string[] }
  | { type: 'github_app_installation'; appId: string; installationId: string; privateKeyPem: string }
  | { type: 'api_key'; apiKey: string }
  | { type: 'bearer_token'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'webhook_signing_secret'; secret: string }
  | { type: 'client_certificate'; certificatePem: string; privateKeyPem: string; passphrase?: string };

/**
 * `pending`: an OAuth credential waiting for its code exchange; `valid`; `refresh_failed`:
 * a refresh failed for good (re-authorise); `revoked`.
 */
export type CredentialStatus = 'pending' | 'valid' | 'refresh_failed' | 'revoked';

/** Metadata only: never a secret value. */
export interface CredentialInfo {
  readonly id: string;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly provider: ProviderId;
  readonly type: CredentialType;
  readonly status: CredentialStatus;
  /** When the access token expires (ISO-8601); null when it does not, or is unknown (Salesforce sessions). */
  readonly expiresAt: string | null;
  readonly lastRefreshedAt: string | null;
  readonly refreshCount: number;
  readonly scopes: string[];
  /** Whether a refresh is possible (refresh token, client credentials, JWT, app key). */
  readonly refreshable: boolean;
  /** Non-secret facts: token type, client id, app/installation id, issuer, key id, account. */
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What one refresh did. `skipped`: someone else refreshed first (or nothing was due). */
export interface RefreshOutcome {
  readonly outcome: 'success' | 'failed' | 'skipped';
  readonly credential: CredentialInfo;
  readonly errorCode?: ErrorCode;
}

/** Same shape as `connections`' `TokenSource`: hand it to `createProviderHttp({ tokens })`. */
export interface CredentialTokenSource {
  /** A valid access token, refreshed first when it expires within the margin. Fails fast with PROVIDER_AUTH_FAILED after a refresh failed for good. */
  accessToken(): Promise<string>;
  /** The provider refused `rejected`: refresh once (single-flight across processes) and return the new token, or null when no refresh is possible. */
  refreshAfterUnauthorized(rejected: string): Promise<string | null>;
}

/** Events for notifications. `connection.needs_reauth` is emitted once per failed-for-good refresh. */
export type CredentialEvent = {
  /**
   * `connection.needs_reauth`: the grant is dead (the connection is marked). `token_refresh.failing`:
   * a refresh failed after its retries for another reason (the provider down, a timeout); the
   * credential stays usable until it expires, and the next refresh tries again.
   */
  readonly type: 'connection.needs_reauth' | 'token_refresh.failing';
  readonly tenantId: string;
  readonly connectionId: string;
  readonly credentialId: string;
  readonly provider: ProviderId;
  /** The provider's error code (`invalid_grant`, `bad_refresh_token`, ...). */
  readonly reason: string;
  readonly at: string;
};

/** Checks a URL against the operator's egress policy; throws VALIDATION_FAILED naming `field`. */
export type EgressCheck = (url: string, field: string) => Promise<unknown>;

export interface CredentialServiceOptions {
  store: Store;
  secrets: SecretStore;
  locks: Locks;
  clock: Clock;
  random?: RandomSource;
  logger?: Logger;
  events?: (event: CredentialEvent) => void;
  /** Told of every refresh that reached the provider (success or failure), for metrics and alerts. */
  onRefresh?: (event: { provider: ProviderId; outcome: 'success' | 'failure'; durationMs: number; reason?: string }) => void;
  /** The operator's OAuth client per provider (configuration), or null when none is configured. */
  oauthClients: (provider: ProviderId) => { clientId: string; clientSecret: string } | null;
  /** In the runtime: `(url, field) => assertEgressAllowed(url, config.egress, field)` from connections. */
  egress: EgressCheck;
  fetch?: typeof fetch;
  /** Refresh before use when the token expires within this (default 300_000 ms). */
  refreshMarginMs?: number;
  /** Lease on `credential-refresh:<id>` (default 60_000 ms; longer than any token request). */
  refreshLeaseMs?: number;
  /** Token endpoint timeout (default 15_000 ms). */
  tokenTimeoutMs?: number;
  /** Tries of a transient refresh failure, counting the first (default 3). */
  refreshAttempts?: number;
  /** Backoff base between those tries (default 250 ms; jittered, doubled each time). */
  refreshBackoffMs?: number;
  /** How long OAuth state and PKCE verifiers are kept (default 600_000 ms). */
  oauthStateTtlMs?: number;
}

export interface CreateCredentialRequest {
  tenantId: string;
  connectionId: string;
  provider: ProviderId;
  /** Where the provider's OAuth endpoints live (the real default, or the sandbox's `${url}/github`). */
  authBaseUrl: string;
  /** The provider API's base URL, where GitHub App installation tokens are bought (default: the provider's). */
  apiBaseUrl?: string;
  credential: CredentialInput;
}

export interface BeginAuthorizationRequest {
  tenantId: string;
  connectionId: string;
  provider: ProviderId;
  authBaseUrl: string;
  redirectUri: string;
  scopes?: string[];
  returnUrl?: string;
  /** A `pending` oauth2_authorization_code credential made by `create` (its own OAuth client); else the operator's. */
  credentialId?: string;
  /** Extra authorize parameters (GitHub `login`, Slack `user_scope`, Google `login_hint`). */
  extraParams?: Record<string, string>;
}

export interface CompletedAuthorization {
  tenantId: string;
  connectionId: string;
  credential: CredentialInfo;
  returnUrl: string | null;
  tokenResponse: {
    /** Salesforce: the instance URL, which becomes the connection's base URL. */
    instanceUrl?: string;
    /** Non-secret account facts from the token response (Slack team, Notion workspace, ...). */
    account?: Record<string, unknown>;
  };
}

export interface CredentialService {
  /** Validates and stores a credential; for non-OAuth types it is `valid` at once (JWT/app types fetch their first token now). */
  create(input: CreateCredentialRequest): Promise<CredentialInfo>;
  /** OAuth: the authorize URL (state + PKCE S256 verifier kept server-side, 10 min). */
  beginAuthorization(input: BeginAuthorizationRequest): Promise<{ authorizeUrl: string; state: string; expiresAt: string }>;
  /** Finishes it from the callback: exchanges the code (state is single use) and stores the tokens. NOT_FOUND for an unknown or expired state. */
  completeAuthorization(input: { state: string; code: string }): Promise<CompletedAuthorization>;
  /** The token source of a connection's current credential (looked up on each use). */
  tokenSource(connection: { tenantId: string; connectionId: string; provider: ProviderId }): CredentialTokenSource;
  refresh(tenantId: string, credentialId: string, reason: 'expiring' | 'unauthorized' | 'scheduled'): Promise<RefreshOutcome>;
  /** Refreshes every credential (all tenants) expiring within `withinMs`; never throws for one credential. */
  refreshExpiring(withinMs: number): Promise<{ refreshed: number; failed: number; skipped: number }>;
  info(tenantId: string, credentialId: string): Promise<CredentialInfo>;
  /** The raw static secret of a credential (webhook signing secret, client certificate, api key). */
  material(tenantId: string, credentialId: string): Promise<CredentialInput>;
  /** Revokes at the provider where it allows (best effort), deletes the secret and the credential row. */
  revokeAndDestroy(tenantId: string, credentialId: string): Promise<void>;
  /** `tributary keys rotate`: re-wraps every secret under the newest master key. */
  rewrapAll(): Promise<{ keyVersion: number; rewrapped: number }>;
}
