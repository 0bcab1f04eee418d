import type { ApiKey } from '../../../domain/tenancy.ts';
import type { ApiKeyRepository } from '../../../ports/store.ts';
import type { PgContext, PgRow } from '../sql.ts';
import { toApiKey, type ApiKeyRow as SharedApiKeyRow } from '../../rows/tenancy-rows.ts';

type ApiKeyRow = SharedApiKeyRow & PgRow;

const COLUMNS = 'id, tenant_id, name, prefix, hash, created_at, last_used_at, revoked_at';
const INSERT = `INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
const FIND_BY_HASH = `SELECT ${COLUMNS} FROM api_keys WHERE hash = $1`;
// Tenant keys and admin keys (tenant_id NULL) have their own statement, so both use the index.
const LIST_TENANT = `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`;
const LIST_ADMIN = `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id IS NULL ORDER BY created_at, id`;
const REVOKE_TENANT = 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND revoked_at IS NULL';
const REVOKE_ADMIN = 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND tenant_id IS NULL AND revoked_at IS NULL';
const TOUCH = 'UPDATE api_keys SET last_used_at = $1 WHERE id = $2';

/** API keys in PostgreSQL. The hash is UNIQUE: inserting a duplicate fails with CONFLICT. */
export class PgApiKeyRepository implements ApiKeyRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(key: ApiKey): Promise<void> {
    await this.#sql.query(INSERT, [key.id, key.tenantId, key.name, key.prefix, key.hash, key.createdAt, key.lastUsedAt, key.revokedAt]);
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    const { rows } = await this.#sql.query<ApiKeyRow>(FIND_BY_HASH, [hash]);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async list(tenantId: string | null): Promise<ApiKey[]> {
    const { rows } = tenantId === null ? await this.#sql.query<ApiKeyRow>(LIST_ADMIN) : await this.#sql.query<ApiKeyRow>(LIST_TENANT, [tenantId]);
    return rows.map(toApiKey);
  }

  async revoke(id: string, tenantId: string | null, at: string): Promise<boolean> {
    const result = tenantId === null ? await this.#sql.query(REVOKE_ADMIN, [at, id]) : await this.#sql.query(REVOKE_TENANT, [at, id, tenantId]);
    return result.rowCount > 0;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.#sql.query(TOUCH, [at, id]);
  }
}
