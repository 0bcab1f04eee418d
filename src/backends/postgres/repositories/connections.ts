import type { Connection } from '../../../domain/connection.ts';
import type { ConnectionPatch, ConnectionRepository, Page, PageRequest } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, toJsonOrNull, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { connectionRowMappers, type ConnectionDbRow as SharedConnectionDbRow } from '../../rows/connection-rows.ts';

type ConnectionDbRow = SharedConnectionDbRow<PgColumnTypes> & PgRow;
const { toConnection } = connectionRowMappers(PG_COLUMNS);

const COLUMNS = 'id, tenant_id, provider, name, status, base_url, account, credential_id, created_at, updated_at';
const INSERT = `INSERT INTO connections (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
const GET = `SELECT ${COLUMNS} FROM connections WHERE id = $1 AND tenant_id = $2`;
const FIRST_PAGE = `SELECT ${COLUMNS} FROM connections WHERE tenant_id = $2 ORDER BY created_at, id LIMIT $1`;
const NEXT_PAGE = `SELECT ${COLUMNS} FROM connections WHERE tenant_id = $2 AND (created_at, id) > ($3, $4) ORDER BY created_at, id LIMIT $1`;
const ALL_FIRST_PAGE = `SELECT ${COLUMNS} FROM connections ORDER BY created_at, id LIMIT $1`;
const ALL_NEXT_PAGE = `SELECT ${COLUMNS} FROM connections WHERE (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $1`;
// Nullable columns need a "was it given" flag: COALESCE cannot tell "set to NULL" from "leave".
const UPDATE = `UPDATE connections SET
    name = COALESCE($3, name),
    status = COALESCE($4, status),
    base_url = CASE WHEN $5::boolean THEN $6 ELSE base_url END,
    account = COALESCE($7::jsonb, account),
    credential_id = CASE WHEN $8::boolean THEN $9 ELSE credential_id END,
    updated_at = $10
  WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}`;
const DELETE = 'DELETE FROM connections WHERE id = $1 AND tenant_id = $2';

/** Connections in PostgreSQL; every lookup is by (tenant, id); pages by (createdAt, id). */
export class PgConnectionRepository implements ConnectionRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(c: Connection): Promise<void> {
    await this.#sql.query(INSERT, [c.id, c.tenantId, c.provider, c.name, c.status, c.baseUrl, toJson(c.account), c.credentialId, c.createdAt, c.updatedAt]);
  }

  async get(tenantId: string, id: string): Promise<Connection | null> {
    const { rows } = await this.#sql.query<ConnectionDbRow>(GET, [id, tenantId]);
    return rows[0] ? toConnection(rows[0]) : null;
  }

  async list(tenantId: string, page?: PageRequest): Promise<Page<Connection>> {
    const { limit, after } = resolvePage(page);
    const { rows } = after
      ? await this.#sql.query<ConnectionDbRow>(NEXT_PAGE, [limit + 1, tenantId, after[0], after[1]])
      : await this.#sql.query<ConnectionDbRow>(FIRST_PAGE, [limit + 1, tenantId]);
    return toPage(rows, limit, (row) => [row.created_at, row.id], toConnection);
  }

  async listAll(page?: PageRequest): Promise<Page<Connection>> {
    const { limit, after } = resolvePage(page);
    const { rows } = after
      ? await this.#sql.query<ConnectionDbRow>(ALL_NEXT_PAGE, [limit + 1, after[0], after[1]])
      : await this.#sql.query<ConnectionDbRow>(ALL_FIRST_PAGE, [limit + 1]);
    return toPage(rows, limit, (row) => [row.created_at, row.id], toConnection);
  }

  async update(tenantId: string, id: string, patch: ConnectionPatch, updatedAt: string): Promise<Connection | null> {
    const { rows } = await this.#sql.query<ConnectionDbRow>(UPDATE, [
      id,
      tenantId,
      patch.name ?? null,
      patch.status ?? null,
      patch.baseUrl !== undefined,
      patch.baseUrl ?? null,
      toJsonOrNull(patch.account),
      patch.credentialId !== undefined,
      patch.credentialId ?? null,
      updatedAt,
    ]);
    return rows[0] ? toConnection(rows[0]) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(DELETE, [id, tenantId])).rowCount > 0;
  }
}
