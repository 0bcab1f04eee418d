import type { SecretRow, SecretRowRepository } from '../../../ports/store.ts';
import type { SqlContext } from '../store-sql.ts';
import { toSecretRow, type SecretDbRow as SharedSecretDbRow } from '../../rows/tenancy-rows.ts';

type SecretDbRow = SharedSecretDbRow;

const COLUMNS = 'ref, tenant_id, label, key_version, wrapped_key, ciphertext, created_at, updated_at';
const INSERT = `INSERT INTO secrets (${COLUMNS})
  VALUES (@ref, @tenantId, @label, @keyVersion, @wrappedKey, @ciphertext, @createdAt, @updatedAt)`;
const GET = `SELECT ${COLUMNS} FROM secrets WHERE ref = ? AND tenant_id = ?`;
const REPLACE = `UPDATE secrets SET key_version = @keyVersion, wrapped_key = @wrappedKey, ciphertext = @ciphertext,
  updated_at = @updatedAt WHERE ref = @ref AND tenant_id = @tenantId`;
const DELETE = 'DELETE FROM secrets WHERE ref = ? AND tenant_id = ?';
const WRAPPED_BEFORE = `SELECT ${COLUMNS} FROM secrets WHERE key_version < ? ORDER BY key_version, ref LIMIT ?`;

/**
 * The local vault's encrypted rows. Every lookup is by (tenant, ref): a ref read
 * under another tenant is not found. `listWrappedBefore` is the one cross-tenant query
 * (master key rotation).
 */
export class SqliteSecretRowRepository implements SecretRowRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(row: SecretRow): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run(row);
    });
  }

  get(tenantId: string, ref: string): Promise<SecretRow | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<SecretDbRow>(GET).get(ref, tenantId);
      return row ? toSecretRow(row) : null;
    });
  }

  replace(row: SecretRow): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(REPLACE).run(row).changes > 0);
  }

  delete(tenantId: string, ref: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(DELETE).run(ref, tenantId).changes > 0);
  }

  listWrappedBefore(keyVersion: number, limit: number): Promise<SecretRow[]> {
    return this.#sql.run(() => this.#sql.statements.get<SecretDbRow>(WRAPPED_BEFORE).all(keyVersion, limit).map(toSecretRow));
  }
}
