import type { OAuthStateRepository, OAuthStateRow } from '../../../ports/store.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { connectionRowMappers, type StateDbRow as SharedStateDbRow } from '../../rows/connection-rows.ts';

type StateDbRow = SharedStateDbRow<PgColumnTypes> & PgRow;
const { toOAuthState: toRow } = connectionRowMappers(PG_COLUMNS);

const COLUMNS = 'state, tenant_id, connection_id, provider, data, code_verifier, created_at, expires_at';
const INSERT = `INSERT INTO oauth_states (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
// One statement takes the row (DELETE ... RETURNING: exactly one caller gets it, even
// across processes) and drops the expired ones; the row is handed back only while valid.
const TAKE = `WITH taken AS (DELETE FROM oauth_states WHERE state = $1 RETURNING ${COLUMNS}),
  dropped AS (DELETE FROM oauth_states WHERE expires_at <= $2 AND state <> $1)
  SELECT ${COLUMNS} FROM taken`;

/** OAuth states in PostgreSQL (migration 004): single use, expiring. */
export class PgOAuthStateRepository implements OAuthStateRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(row: OAuthStateRow): Promise<void> {
    await this.#sql.query(INSERT, [row.state, row.tenantId, row.connectionId, row.provider, toJson(row.data), row.codeVerifier, row.createdAt, row.expiresAt]);
  }

  async take(state: string, now: string): Promise<OAuthStateRow | null> {
    const { rows } = await this.#sql.query<StateDbRow>(TAKE, [state, now]);
    const row = rows[0];
    return row && row.expires_at > now ? toRow(row) : null;
  }
}
