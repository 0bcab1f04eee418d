import type { Tenant } from '../../../domain/tenancy.ts';
import type { Page, PageRequest, TenantRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, toJsonOrNull, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { tenancyRowMappers, type TenantRow as SharedTenantRow } from '../../rows/tenancy-rows.ts';

type TenantRow = SharedTenantRow<PgColumnTypes> & PgRow;
const { toTenant } = tenancyRowMappers(PG_COLUMNS);

const COLUMNS = 'id, name, metadata, created_at, updated_at';
const INSERT = `INSERT INTO tenants (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)`;
const GET = `SELECT ${COLUMNS} FROM tenants WHERE id = $1`;
const FIRST_PAGE = `SELECT ${COLUMNS} FROM tenants ORDER BY created_at, id LIMIT $1`;
const NEXT_PAGE = `SELECT ${COLUMNS} FROM tenants WHERE (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $1`;
// COALESCE keeps a field the patch leaves out; one statement, so the update is atomic.
const UPDATE = `UPDATE tenants SET name = COALESCE($2, name), metadata = COALESCE($3::jsonb, metadata), updated_at = $4
  WHERE id = $1 RETURNING ${COLUMNS}`;

/** Tenants in PostgreSQL; pages are ordered by (createdAt, id), oldest first. */
export class PgTenantRepository implements TenantRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async insert(tenant: Tenant): Promise<void> {
    await this.#sql.query(INSERT, [tenant.id, tenant.name, toJson(tenant.metadata), tenant.createdAt, tenant.updatedAt]);
  }

  async get(id: string): Promise<Tenant | null> {
    const { rows } = await this.#sql.query<TenantRow>(GET, [id]);
    return rows[0] ? toTenant(rows[0]) : null;
  }

  async list(page?: PageRequest): Promise<Page<Tenant>> {
    const { limit, after } = resolvePage(page);
    const { rows } = after
      ? await this.#sql.query<TenantRow>(NEXT_PAGE, [limit + 1, after[0], after[1]])
      : await this.#sql.query<TenantRow>(FIRST_PAGE, [limit + 1]);
    return toPage(rows, limit, (row) => [row.created_at, row.id], toTenant);
  }

  async update(id: string, patch: { name?: string; metadata?: Record<string, unknown> }, updatedAt: string): Promise<Tenant | null> {
    const { rows } = await this.#sql.query<TenantRow>(UPDATE, [id, patch.name ?? null, toJsonOrNull(patch.metadata), updatedAt]);
    return rows[0] ? toTenant(rows[0]) : null;
  }
}
