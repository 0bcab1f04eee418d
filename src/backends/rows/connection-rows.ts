import type { Connection, ConnectionStatus, Credential, TokenRefreshAudit } from '../../domain/connection.ts';
import type { OAuthStateRow } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `connections`, `credentials`, `oauth_states` and `token_refresh_audit` and their mapping to
 * domain records, shared by the SQLite and PostgreSQL repositories.
 */
export interface ConnectionDbRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  provider: string;
  name: string;
  status: ConnectionStatus;
  base_url: string | null;
  account: C['json'];
  credential_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface CredentialDbRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  connection_id: string;
  integration_id: string | null;
  type: string;
  access_token_ref: string | null;
  refresh_token_ref: string | null;
  secret_ref: string | null;
  expiry_time: string | null;
  enabled: C['bool'];
  last_refreshed_at: string | null;
  refresh_count: number;
  status: string;
  metadata: C['json'];
  created_at: string;
  updated_at: string;
}

export interface StateDbRow<C extends ColumnTypes> {
  state: string;
  tenant_id: string;
  connection_id: string;
  provider: string;
  data: C['json'];
  code_verifier: string;
  created_at: string;
  expires_at: string;
}

export interface ConnectionRowMappers<C extends ColumnTypes> {
  toConnection(row: ConnectionDbRow<C>): Connection;
  toCredential(row: CredentialDbRow<C>): Credential;
  toOAuthState(row: StateDbRow<C>): OAuthStateRow;
}

/** The row mappers for a backend's column decoders. */
export function connectionRowMappers<C extends ColumnTypes>(columns: ColumnDecoders<C>): ConnectionRowMappers<C> {
  return {
    toConnection: (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      provider: row.provider,
      name: row.name,
      status: row.status,
      baseUrl: row.base_url,
      account: columns.json<Record<string, unknown>>(row.account),
      credentialId: row.credential_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
    toCredential: (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      connectionId: row.connection_id,
      integrationId: row.integration_id,
      type: row.type,
      accessTokenRef: row.access_token_ref,
      refreshTokenRef: row.refresh_token_ref,
      secretRef: row.secret_ref,
      expiryTime: row.expiry_time,
      enabled: columns.bool(row.enabled),
      lastRefreshedAt: row.last_refreshed_at,
      refreshCount: row.refresh_count,
      status: row.status,
      metadata: columns.json<Record<string, unknown>>(row.metadata),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
    toOAuthState: (row) => ({
      state: row.state,
      tenantId: row.tenant_id,
      connectionId: row.connection_id,
      provider: row.provider,
      data: columns.json<Record<string, unknown>>(row.data),
      codeVerifier: row.code_verifier,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }),
  };
}

export interface TokenRefreshAuditRow {
  id: string;
  tenant_id: string;
  credential_id: string;
  connection_id: string;
  at: string;
  outcome: string;
  error_code: string | null;
  duration_ms: number;
  expires_at: string;
}

export function toTokenRefreshAudit(row: TokenRefreshAuditRow): TokenRefreshAudit {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    credentialId: row.credential_id,
    connectionId: row.connection_id,
    at: row.at,
    outcome: row.outcome,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    expiresAt: row.expires_at,
  };
}
