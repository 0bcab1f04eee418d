import type { SecretRow, SecretRowRepository } from '../../../ports/store.ts';
import type { PgContext, PgRow } from '../sql.ts';
import { toSecretRow, type SecretDbRow as SharedSecretDbRow } from '../../rows/tenancy-rows.ts';

type SecretDbRow = SharedSecretDbRow & PgRow;

const COLUMNS = 'ref, tenant_id, label, key_version, wrapped_key, ciphertext, created_at, updated_at';
const INSERT = `INSERT INTO secrets (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
const GET = `SELECT ${COLUMNS} FROM secrets WHERE ref = $1 AND tenant_id = $2`;
const REPLACE = `UPDATE secrets SET key_version = $3, wrapped_key = $4, ciphertext = $5, updated_at = $6
  WHERE ref = $1 AND tenant_id = $2`;
const DELETE = 'DELETE FROM secrets WHERE ref = $1 AND tenant_id = $2';
const WRAPPED_BEFORE = `SELECT ${COLUMNS} FROM secrets WHERE key_version < $1 ORDER BY key_version, ref LIMIT $2`;

/**
 * The local vault's encrypted rows (BYTEA columns). Every lookup is by (tenant, ref);
 * `listWrappedBefore` is the one cross-tenant query (master key rotation).
 */
export class PgSecretRowRepository implements SecretRowRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(row: SecretRow): Promise<void> {
    await this.#sql.query(INSERT, [row.ref, row.tenantId, row.label, row.keyVersion, row.wrappedKey, row.ciphertext, row.createdAt, row.updatedAt]);
  }

  async get(tenantId: string, ref: string): Promise<SecretRow | null> {
    const { rows } = await this.#sql.query<SecretDbRow>(GET, [ref, tenantId]);
    return rows[0] ? toSecretRow(rows[0]) : null;
  }

  async replace(row: SecretRow): Promise<boolean> {
    const result = await this.#sql.query(REPLACE, [row.ref, row.tenantId, row.keyVersion, row.wrappedKey, row.ciphertext, row.updatedAt]);
    return result.rowCount > 0;
  }

  async delete(tenantId: string, ref: string): Promise<boolean> {
    return (await this.#sql.query(DELETE, [ref, tenantId])).rowCount > 0;
  }

  async listWrappedBefore(keyVersion: number, limit: number): Promise<SecretRow[]> {
    const { rows } = await this.#sql.query<SecretDbRow>(WRAPPED_BEFORE, [keyVersion, limit]);
    return rows.map(toSecretRow);
  }
}
