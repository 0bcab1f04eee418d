import type { OAuthStateRepository, OAuthStateRow } from '../../../ports/store.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { connectionRowMappers, type StateDbRow as SharedStateDbRow } from '../../rows/connection-rows.ts';

type StateDbRow = SharedStateDbRow<SqliteColumnTypes>;
const { toOAuthState: toRow } = connectionRowMappers(SQLITE_COLUMNS);

const COLUMNS = 'state, tenant_id, connection_id, provider, data, code_verifier, created_at, expires_at';
const INSERT = `INSERT INTO oauth_states (${COLUMNS})
  VALUES (@state, @tenantId, @connectionId, @provider, @data, @codeVerifier, @createdAt, @expiresAt)`;
// DELETE ... RETURNING: the row is taken by exactly one caller, even across processes.
const TAKE = `DELETE FROM oauth_states WHERE state = ? RETURNING ${COLUMNS}`;
const DROP_EXPIRED = 'DELETE FROM oauth_states WHERE expires_at <= ?';

/** OAuth states in SQLite (migration 004): single use, expiring. */
export class SqliteOAuthStateRepository implements OAuthStateRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(row: OAuthStateRow): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run({ ...row, data: toJson(row.data) });
    });
  }

  take(state: string, now: string): Promise<OAuthStateRow | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<StateDbRow>(TAKE).get(state);
      this.#sql.statements.get(DROP_EXPIRED).run(now);
      return row && row.expires_at > now ? toRow(row) : null;
    });
  }
}
