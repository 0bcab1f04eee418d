import type { Actor, ApiKey, AuditEntry, Tenant } from '../../domain/tenancy.ts';
import type { SecretRow } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `tenants`, `api_keys`, `audit_log` and `secrets` and their mapping to domain
 * records, shared by the SQLite and PostgreSQL repositories.
 */
export interface TenantRow<C extends ColumnTypes> {
  id: string;
  name: string;
  metadata: C['json'];
  created_at: string;
  updated_at: string;
}

export interface AuditRow<C extends ColumnTypes> {
  id: string;
  at: string;
  actor: C['json'];
  action: string;
  tenant_id: string | null;
  target: string | null;
  details: C['json'];
  request_id: string | null;
}

export interface TenancyRowMappers<C extends ColumnTypes> {
  toTenant(row: TenantRow<C>): Tenant;
  toAuditEntry(row: AuditRow<C>): AuditEntry;
}

/** The row mappers for a backend's column decoders. */
export function tenancyRowMappers<C extends ColumnTypes>(columns: ColumnDecoders<C>): TenancyRowMappers<C> {
  return {
    toTenant: (row) => ({
      id: row.id,
      name: row.name,
      metadata: columns.json<Record<string, unknown>>(row.metadata),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
    toAuditEntry: (row) => ({
      id: row.id,
      at: row.at,
      actor: columns.json<Actor>(row.actor),
      action: row.action,
      tenantId: row.tenant_id,
      target: row.target,
      details: columns.json<Record<string, unknown>>(row.details),
      requestId: row.request_id,
    }),
  };
}

export interface ApiKeyRow {
  id: string;
  tenant_id: string | null;
  name: string;
  prefix: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export interface SecretDbRow {
  ref: string;
  tenant_id: string;
  label: string;
  key_version: number;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  created_at: string;
  updated_at: string;
}

export function toSecretRow(row: SecretDbRow): SecretRow {
  return {
    ref: row.ref,
    tenantId: row.tenant_id,
    label: row.label,
    keyVersion: row.key_version,
    wrappedKey: row.wrapped_key,
    ciphertext: row.ciphertext,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
