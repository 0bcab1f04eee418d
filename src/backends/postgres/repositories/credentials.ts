import type { Credential } from '../../../domain/connection.ts';
import type { CredentialPatch, CredentialRepository } from '../../../ports/store.ts';
import { toJson, toJsonOrNull, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { connectionRowMappers, type CredentialDbRow as SharedCredentialDbRow } from '../../rows/connection-rows.ts';

type CredentialDbRow = SharedCredentialDbRow<PgColumnTypes> & PgRow;
const { toCredential } = connectionRowMappers(PG_COLUMNS);

const COLUMNS = `id, tenant_id, connection_id, integration_id, type, access_token_ref, refresh_token_ref, secret_ref, expiry_time,
  enabled, last_refreshed_at, refresh_count, status, metadata, created_at, updated_at`;
const INSERT = `INSERT INTO credentials (${COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`;
const GET = `SELECT ${COLUMNS} FROM credentials WHERE id = $1 AND tenant_id = $2`;
const BY_CONNECTION = `SELECT ${COLUMNS} FROM credentials WHERE tenant_id = $1 AND connection_id = $2 ORDER BY created_at, id`;
// One statement per update: the refresh count increments in SQL (under the row lock), so none is lost.
const UPDATE = `UPDATE credentials SET
    status = COALESCE($3, status),
    expiry_time = CASE WHEN $4::boolean THEN $5 ELSE expiry_time END,
    last_refreshed_at = CASE WHEN $6::boolean THEN $7 ELSE last_refreshed_at END,
    refresh_count = refresh_count + $8::integer,
    enabled = COALESCE($9::boolean, enabled),
    access_token_ref = CASE WHEN $10::boolean THEN $11 ELSE access_token_ref END,
    refresh_token_ref = CASE WHEN $12::boolean THEN $13 ELSE refresh_token_ref END,
    secret_ref = CASE WHEN $14::boolean THEN $15 ELSE secret_ref END,
    metadata = COALESCE($16::jsonb, metadata),
    updated_at = $17
  WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}`;
// Served by the partial index credentials_due (enabled AND expiry_time IS NOT NULL).
const EXPIRING = `SELECT ${COLUMNS} FROM credentials
  WHERE enabled AND expiry_time IS NOT NULL AND expiry_time < $1 AND status = 'valid' ORDER BY expiry_time, id LIMIT $2`;
const DELETE = 'DELETE FROM credentials WHERE id = $1 AND tenant_id = $2';

/**
 * Credential metadata in PostgreSQL. Lookups are by (tenant, id); `listExpiring` is the
 * one cross-tenant query (the refresher's scan).
 */
export class PgCredentialRepository implements CredentialRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(c: Credential): Promise<void> {
    await this.#sql.query(INSERT, [
      c.id, c.tenantId, c.connectionId, c.integrationId, c.type, c.accessTokenRef, c.refreshTokenRef, c.secretRef, c.expiryTime,
      c.enabled, c.lastRefreshedAt, c.refreshCount, c.status, toJson(c.metadata), c.createdAt, c.updatedAt,
    ]);
  }

  async get(tenantId: string, id: string): Promise<Credential | null> {
    const { rows } = await this.#sql.query<CredentialDbRow>(GET, [id, tenantId]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async listByConnection(tenantId: string, connectionId: string): Promise<Credential[]> {
    const { rows } = await this.#sql.query<CredentialDbRow>(BY_CONNECTION, [tenantId, connectionId]);
    return rows.map(toCredential);
  }

  async update(tenantId: string, id: string, patch: CredentialPatch, updatedAt: string): Promise<Credential | null> {
    const { rows } = await this.#sql.query<CredentialDbRow>(UPDATE, [
      id,
      tenantId,
      patch.status ?? null,
      patch.expiryTime !== undefined,
      patch.expiryTime ?? null,
      patch.lastRefreshedAt !== undefined,
      patch.lastRefreshedAt ?? null,
      patch.refreshCountIncrement ?? 0,
      patch.enabled ?? null,
      patch.accessTokenRef !== undefined,
      patch.accessTokenRef ?? null,
      patch.refreshTokenRef !== undefined,
      patch.refreshTokenRef ?? null,
      patch.secretRef !== undefined,
      patch.secretRef ?? null,
      toJsonOrNull(patch.metadata),
      updatedAt,
    ]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async listExpiring(before: string, limit: number): Promise<Credential[]> {
    const { rows } = await this.#sql.query<CredentialDbRow>(EXPIRING, [before, limit]);
    return rows.map(toCredential);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(DELETE, [id, tenantId])).rowCount > 0;
  }
}
