import type { Actor, AuditEntry } from '../../../domain/tenancy.ts';
import type { AuditFilter, AuditRepository, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../pagination.ts';
import { toJson, type PgContext } from '../sql.ts';

interface AuditRow {
  [column: string]: unknown;
  id: string;
  at: string;
  actor: Actor;
  action: string;
  tenant_id: string | null;
  target: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
}

const COLUMNS = 'id, at, actor, action, tenant_id, target, details, request_id';
const INSERT = `INSERT INTO audit_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    tenantId: row.tenant_id,
    target: row.target,
    details: row.details,
    requestId: row.request_id,
  };
}

/** The admin audit log in PostgreSQL: append-only, listed newest first by (at, id). */
export class PgAuditRepository implements AuditRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#sql.query(INSERT, [
      entry.id,
      entry.at,
      toJson(entry.actor),
      entry.action,
      entry.tenantId,
      entry.target,
      toJson(entry.details),
      entry.requestId,
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
    if (after !== null) where.push(`(at, id) < (${bind(after[0])}, ${bind(after[1])})`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await this.#sql.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.at, row.id], toAuditEntry);
  }
}
