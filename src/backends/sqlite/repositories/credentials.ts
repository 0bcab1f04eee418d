import type { Credential } from '../../../domain/connection.ts';
import type { CredentialPatch, CredentialRepository } from '../../../ports/store.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { connectionRowMappers, type CredentialDbRow as SharedCredentialDbRow } from '../../rows/connection-rows.ts';

type CredentialDbRow = SharedCredentialDbRow<SqliteColumnTypes>;
const { toCredential } = connectionRowMappers(SQLITE_COLUMNS);

const COLUMNS = `id, tenant_id, connection_id, integration_id, type, access_token_ref, refresh_token_ref, secret_ref, expiry_time,
  enabled, last_refreshed_at, refresh_count, status, metadata, created_at, updated_at`;
const INSERT = `INSERT INTO credentials (${COLUMNS}) VALUES (@id, @tenantId, @connectionId, @integrationId, @type, @accessTokenRef,
  @refreshTokenRef, @secretRef, @expiryTime, @enabled, @lastRefreshedAt, @refreshCount, @status, @metadata, @createdAt, @updatedAt)`;
const GET = `SELECT ${COLUMNS} FROM credentials WHERE id = ? AND tenant_id = ?`;
const BY_CONNECTION = `SELECT ${COLUMNS} FROM credentials WHERE tenant_id = ? AND connection_id = ? ORDER BY created_at, id`;
// One statement per update: the refresh count increments in SQL, so none is lost.
const UPDATE = `UPDATE credentials SET
    status = COALESCE(@status, status),
    expiry_time = CASE WHEN @setExpiry = 1 THEN @expiryTime ELSE expiry_time END,
    last_refreshed_at = CASE WHEN @setLastRefreshed = 1 THEN @lastRefreshedAt ELSE last_refreshed_at END,
    refresh_count = refresh_count + @increment,
    enabled = COALESCE(@enabled, enabled),
    access_token_ref = CASE WHEN @setAccessRef = 1 THEN @accessTokenRef ELSE access_token_ref END,
    refresh_token_ref = CASE WHEN @setRefreshRef = 1 THEN @refreshTokenRef ELSE refresh_token_ref END,
    secret_ref = CASE WHEN @setSecretRef = 1 THEN @secretRef ELSE secret_ref END,
    metadata = COALESCE(@metadata, metadata),
    updated_at = @updatedAt
  WHERE id = @id AND tenant_id = @tenantId RETURNING ${COLUMNS}`;
const EXPIRING = `SELECT ${COLUMNS} FROM credentials
  WHERE enabled = 1 AND expiry_time IS NOT NULL AND expiry_time < ? AND status = 'valid' ORDER BY expiry_time, id LIMIT ?`;
const DELETE = 'DELETE FROM credentials WHERE id = ? AND tenant_id = ?';

const flag = (value: unknown): number => (value === undefined ? 0 : 1);

/**
 * Credential metadata in SQLite. Lookups are by (tenant, id); `listExpiring` is the one
 * cross-tenant query (the refresher's scan, served by the `credentials_due` index).
 */
export class SqliteCredentialRepository implements CredentialRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(credential: Credential): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run({ ...credential, enabled: credential.enabled ? 1 : 0, metadata: toJson(credential.metadata) });
    });
  }

  get(tenantId: string, id: string): Promise<Credential | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<CredentialDbRow>(GET).get(id, tenantId);
      return row ? toCredential(row) : null;
    });
  }

  listByConnection(tenantId: string, connectionId: string): Promise<Credential[]> {
    return this.#sql.run(() => this.#sql.statements.get<CredentialDbRow>(BY_CONNECTION).all(tenantId, connectionId).map(toCredential));
  }

  update(tenantId: string, id: string, patch: CredentialPatch, updatedAt: string): Promise<Credential | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<CredentialDbRow>(UPDATE).get({
        id,
        tenantId,
        status: patch.status ?? null,
        setExpiry: flag(patch.expiryTime),
        expiryTime: patch.expiryTime ?? null,
        setLastRefreshed: flag(patch.lastRefreshedAt),
        lastRefreshedAt: patch.lastRefreshedAt ?? null,
        increment: patch.refreshCountIncrement ?? 0,
        enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
        setAccessRef: flag(patch.accessTokenRef),
        accessTokenRef: patch.accessTokenRef ?? null,
        setRefreshRef: flag(patch.refreshTokenRef),
        refreshTokenRef: patch.refreshTokenRef ?? null,
        setSecretRef: flag(patch.secretRef),
        secretRef: patch.secretRef ?? null,
        metadata: patch.metadata === undefined ? null : toJson(patch.metadata),
        updatedAt,
      });
      return row ? toCredential(row) : null;
    });
  }

  listExpiring(before: string, limit: number): Promise<Credential[]> {
    return this.#sql.run(() => this.#sql.statements.get<CredentialDbRow>(EXPIRING).all(before, limit).map(toCredential));
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(DELETE).run(id, tenantId).changes > 0);
  }
}
