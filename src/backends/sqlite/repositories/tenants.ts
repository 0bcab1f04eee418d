import type { Tenant } from '../../../domain/tenancy.ts';
import type { Page, PageRequest, TenantRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { tenancyRowMappers, type TenantRow as SharedTenantRow } from '../../rows/tenancy-rows.ts';

type TenantRow = SharedTenantRow<SqliteColumnTypes>;
const { toTenant } = tenancyRowMappers(SQLITE_COLUMNS);

const COLUMNS = 'id, name, metadata, created_at, updated_at';
const INSERT = `INSERT INTO tenants (${COLUMNS}) VALUES (@id, @name, @metadata, @createdAt, @updatedAt)`;
const GET = `SELECT ${COLUMNS} FROM tenants WHERE id = ?`;
const FIRST_PAGE = `SELECT ${COLUMNS} FROM tenants ORDER BY created_at, id LIMIT ?`;
const NEXT_PAGE = `SELECT ${COLUMNS} FROM tenants WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`;
// COALESCE keeps a field the patch leaves out; one statement, so the update is atomic.
const UPDATE = `UPDATE tenants SET name = COALESCE(@name, name), metadata = COALESCE(@metadata, metadata), updated_at = @updatedAt
  WHERE id = @id RETURNING ${COLUMNS}`;

/** Tenants in SQLite; pages are ordered by (createdAt, id), oldest first. */
export class SqliteTenantRepository implements TenantRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(tenant: Tenant): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run({ ...tenant, metadata: toJson(tenant.metadata) });
    });
  }

  get(id: string): Promise<Tenant | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<TenantRow>(GET).get(id);
      return row ? toTenant(row) : null;
    });
  }

  list(page?: PageRequest): Promise<Page<Tenant>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const rows = after
        ? this.#sql.statements.get<TenantRow>(NEXT_PAGE).all(after[0], after[1], limit + 1)
        : this.#sql.statements.get<TenantRow>(FIRST_PAGE).all(limit + 1);
      return toPage(rows, limit, (row) => [row.created_at, row.id], toTenant);
    });
  }

  update(id: string, patch: { name?: string; metadata?: Record<string, unknown> }, updatedAt: string): Promise<Tenant | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<TenantRow>(UPDATE).get({
        id,
        name: patch.name ?? null,
        metadata: patch.metadata === undefined ? null : toJson(patch.metadata),
        updatedAt,
      });
      return row ? toTenant(row) : null;
    });
  }
}
