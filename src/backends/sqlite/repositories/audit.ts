import type { Actor, AuditEntry } from '../../../domain/tenancy.ts';
import type { AuditFilter, AuditRepository, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../store-pagination.ts';
import { fromJson, toJson, type SqlContext } from '../store-sql.ts';

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  tenant_id: string | null;
  target: string | null;
  details: string;
  request_id: string | null;
}

const COLUMNS = 'id, at, actor, action, tenant_id, target, details, request_id';
const INSERT = `INSERT INTO audit_log (${COLUMNS})
  VALUES (@id, @at, @actor, @action, @tenantId, @target, @details, @requestId)`;

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: fromJson<Actor>(row.actor),
    action: row.action,
    tenantId: row.tenant_id,
    target: row.target,
    details: fromJson<Record<string, unknown>>(row.details),
    requestId: row.request_id,
  };
}

/**
 * The SELECT for one combination of filters. There are 16 combinations at most, and
 * the statement cache keeps each one prepared after its first use.
 */
function listSql(filter: { tenantId: boolean; action: boolean; since: boolean; after: boolean }): string {
  const where: string[] = [];
  if (filter.tenantId) where.push('tenant_id = @tenantId');
  if (filter.action) where.push('action = @action');
  if (filter.since) where.push('at >= @since');
  if (filter.after) where.push('(at, id) < (@afterAt, @afterId)');
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return `SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT @limit`;
}

/** The admin audit log in SQLite: append-only, listed newest first. */
export class SqliteAuditRepository implements AuditRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  append(entry: AuditEntry): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run({ ...entry, actor: toJson(entry.actor), details: toJson(entry.details) });
    });
  }

  list(filter: AuditFilter = {}): Promise<Page<AuditEntry>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const params: Record<string, string | number> = { limit: limit + 1 };
      if (filter.tenantId !== undefined) params.tenantId = filter.tenantId;
      if (filter.action !== undefined) params.action = filter.action;
      if (filter.since !== undefined) params.since = filter.since;
      if (after !== null) [params.afterAt, params.afterId] = after;
      const sql = listSql({
        tenantId: 'tenantId' in params,
        action: 'action' in params,
        since: 'since' in params,
        after: after !== null,
      });
      const rows = this.#sql.statements.get<AuditRow>(sql).all(params);
      return toPage(rows, limit, (row) => [row.at, row.id], toAuditEntry);
    });
  }
}
