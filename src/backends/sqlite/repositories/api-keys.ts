import type { ApiKey } from '../../../domain/tenancy.ts';
import type { ApiKeyRepository } from '../../../ports/store.ts';
import type { SqlContext } from '../store-sql.ts';
import { toApiKey, type ApiKeyRow as SharedApiKeyRow } from '../../rows/tenancy-rows.ts';

type ApiKeyRow = SharedApiKeyRow;

const COLUMNS = 'id, tenant_id, name, prefix, hash, created_at, last_used_at, revoked_at';
const INSERT = `INSERT INTO api_keys (${COLUMNS})
  VALUES (@id, @tenantId, @name, @prefix, @hash, @createdAt, @lastUsedAt, @revokedAt)`;
const FIND_BY_HASH = `SELECT ${COLUMNS} FROM api_keys WHERE hash = ?`;
// `IS` matches NULL too, so one statement serves tenant keys and admin keys.
const LIST = `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id IS ? ORDER BY created_at, id`;
const REVOKE = 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant_id IS ? AND revoked_at IS NULL';
const TOUCH = 'UPDATE api_keys SET last_used_at = ? WHERE id = ?';

/** API keys in SQLite. The hash is UNIQUE: inserting a duplicate fails with CONFLICT. */
export class SqliteApiKeyRepository implements ApiKeyRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(key: ApiKey): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run(key);
    });
  }

  findByHash(hash: string): Promise<ApiKey | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ApiKeyRow>(FIND_BY_HASH).get(hash);
      return row ? toApiKey(row) : null;
    });
  }

  list(tenantId: string | null): Promise<ApiKey[]> {
    return this.#sql.run(() => this.#sql.statements.get<ApiKeyRow>(LIST).all(tenantId).map(toApiKey));
  }

  revoke(id: string, tenantId: string | null, at: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(REVOKE).run(at, id, tenantId).changes > 0);
  }

  touch(id: string, at: string): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(TOUCH).run(at, id);
    });
  }
}
