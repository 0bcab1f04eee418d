import type { AuditEntry } from '../../../domain/tenancy.ts';
import type { AuditFilter, AuditRepository, AuditRetention, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { tenancyRowMappers, type AuditRow as SharedAuditRow } from '../../rows/tenancy-rows.ts';

type AuditRow = SharedAuditRow<PgColumnTypes> & PgRow;
const { toAuditEntry } = tenancyRowMappers(PG_COLUMNS);

const COLUMNS = 'id, at, actor, action, tenant_id, target, details, request_id';
const INSERT = `INSERT INTO audit_log (${COLUMNS}, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** The admin audit log in PostgreSQL: append-only, listed newest first by (at, id); rows with `expires_at` go with `purgeExpired`. */
export class PgAuditRepository implements AuditRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async append(entry: AuditEntry, retention: AuditRetention = {}): Promise<void> {
    await this.#sql.query(INSERT, [
      entry.id,
      entry.at,
      toJson(entry.actor),
      entry.action,
      entry.tenantId,
      entry.target,
      toJson(entry.details),
      entry.requestId,
      retention.expiresAt ?? null,
    ]);
  }

  async list(filter: AuditFilter = {}): Promise<Page<AuditEntry>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [limit + 1];
    const where: string[] = [];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    if (filter.tenantId !== undefined) where.push(`tenant_id = ${bind(filter.tenantId)}`);
    if (filter.action !== undefined) where.push(`action = ${bind(filter.action)}`);
    if (filter.since !== undefined) where.push(`at >= ${bind(filter.since)}`);
    if (filter.until !== undefined) where.push(`at < ${bind(filter.until)}`);
    if (filter.actorKind !== undefined) where.push(`actor->>'kind' = ${bind(filter.actorKind)}`);
    if (filter.target !== undefined) where.push(`target = ${bind(filter.target)}`);
    if (after !== null) where.push(`(at, id) < (${bind(after[0])}, ${bind(after[1])})`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await this.#sql.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.at, row.id], toAuditEntry);
  }
}
