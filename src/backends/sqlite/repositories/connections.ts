import type { Connection } from '../../../domain/connection.ts';
import type { ConnectionPatch, ConnectionRepository, Page, PageRequest } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { connectionRowMappers, type ConnectionDbRow as SharedConnectionDbRow } from '../../rows/connection-rows.ts';

type ConnectionDbRow = SharedConnectionDbRow<SqliteColumnTypes>;
const { toConnection } = connectionRowMappers(SQLITE_COLUMNS);

const COLUMNS = 'id, tenant_id, provider, name, status, base_url, account, credential_id, created_at, updated_at';
const INSERT = `INSERT INTO connections (${COLUMNS})
  VALUES (@id, @tenantId, @provider, @name, @status, @baseUrl, @account, @credentialId, @createdAt, @updatedAt)`;
const GET = `SELECT ${COLUMNS} FROM connections WHERE id = ? AND tenant_id = ?`;
const FIRST_PAGE = `SELECT ${COLUMNS} FROM connections WHERE tenant_id = ? ORDER BY created_at, id LIMIT ?`;
const NEXT_PAGE = `SELECT ${COLUMNS} FROM connections WHERE tenant_id = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`;
const ALL_FIRST_PAGE = `SELECT ${COLUMNS} FROM connections ORDER BY created_at, id LIMIT ?`;
const ALL_NEXT_PAGE = `SELECT ${COLUMNS} FROM connections WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`;
// Nullable columns need a "was it given" flag: COALESCE cannot tell "set to NULL" from "leave".
const UPDATE = `UPDATE connections SET
    name = COALESCE(@name, name),
    status = COALESCE(@status, status),
    base_url = CASE WHEN @setBaseUrl = 1 THEN @baseUrl ELSE base_url END,
    account = COALESCE(@account, account),
    credential_id = CASE WHEN @setCredentialId = 1 THEN @credentialId ELSE credential_id END,
    updated_at = @updatedAt
  WHERE id = @id AND tenant_id = @tenantId RETURNING ${COLUMNS}`;
const DELETE = 'DELETE FROM connections WHERE id = ? AND tenant_id = ?';

/** Connections in SQLite; every lookup is by (tenant, id); pages by (createdAt, id). */
export class SqliteConnectionRepository implements ConnectionRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(connection: Connection): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run({ ...connection, account: toJson(connection.account) });
    });
  }

  get(tenantId: string, id: string): Promise<Connection | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ConnectionDbRow>(GET).get(id, tenantId);
      return row ? toConnection(row) : null;
    });
  }

  list(tenantId: string, page?: PageRequest): Promise<Page<Connection>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const rows = after
        ? this.#sql.statements.get<ConnectionDbRow>(NEXT_PAGE).all(tenantId, after[0], after[1], limit + 1)
        : this.#sql.statements.get<ConnectionDbRow>(FIRST_PAGE).all(tenantId, limit + 1);
      return toPage(rows, limit, (row) => [row.created_at, row.id], toConnection);
    });
  }

  listAll(page?: PageRequest): Promise<Page<Connection>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const rows = after
        ? this.#sql.statements.get<ConnectionDbRow>(ALL_NEXT_PAGE).all(after[0], after[1], limit + 1)
        : this.#sql.statements.get<ConnectionDbRow>(ALL_FIRST_PAGE).all(limit + 1);
      return toPage(rows, limit, (row) => [row.created_at, row.id], toConnection);
    });
  }

  update(tenantId: string, id: string, patch: ConnectionPatch, updatedAt: string): Promise<Connection | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ConnectionDbRow>(UPDATE).get({
        id,
        tenantId,
        name: patch.name ?? null,
        status: patch.status ?? null,
        setBaseUrl: patch.baseUrl === undefined ? 0 : 1,
        baseUrl: patch.baseUrl ?? null,
        account: patch.account === undefined ? null : toJson(patch.account),
        setCredentialId: patch.credentialId === undefined ? 0 : 1,
        credentialId: patch.credentialId ?? null,
        updatedAt,
      });
      return row ? toConnection(row) : null;
    });
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(DELETE).run(id, tenantId).changes > 0);
  }
}
