import type { AuditEntry } from '../../../domain/tenancy.ts';
import type { AuditFilter, AuditRepository, AuditRetention, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { tenancyRowMappers, type AuditRow as SharedAuditRow } from '../../rows/tenancy-rows.ts';

type AuditRow = SharedAuditRow<SqliteColumnTypes>;
const { toAuditEntry } = tenancyRowMappers(SQLITE_COLUMNS);

const COLUMNS = 'id, at, actor, action, tenant_id, target, details, request_id';
const INSERT = `INSERT INTO audit_log (${COLUMNS}, expires_at)
  VALUES (@id, @at, @actor, @action, @tenantId, @target, @details, @requestId, @expiresAt)`;

/** The filters a query uses, each with its condition on `@name`. */
const CONDITIONS = {
  tenantId: 'tenant_id = @tenantId',
  action: 'action = @action',
  since: 'at >= @since',
  until: 'at < @until',
  actorKind: "json_extract(actor, '$.kind') = @actorKind",
  target: 'target = @target',
} as const;

type FilterName = keyof typeof CONDITIONS;
const FILTER_NAMES = Object.keys(CONDITIONS) as FilterName[];

/**
 * The SELECT for one combination of filters (in a fixed order, so each combination is
 * one text); the statement cache keeps each one prepared after its first use.
 */
function listSql(used: ReadonlySet<FilterName>, after: boolean): string {
  const where: string[] = FILTER_NAMES.filter((name) => used.has(name)).map((name) => CONDITIONS[name]);
  if (after) where.push('(at, id) < (@afterAt, @afterId)');
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return `SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT @limit`;
}

/** The admin audit log in SQLite: append-only, listed newest first; rows with `expires_at` go with `purgeExpired`. */
export class SqliteAuditRepository implements AuditRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  append(entry: AuditEntry, retention: AuditRetention = {}): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run({ ...entry, actor: toJson(entry.actor), details: toJson(entry.details), expiresAt: retention.expiresAt ?? null });
    });
  }

  list(filter: AuditFilter = {}): Promise<Page<AuditEntry>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const params: Record<string, string | number> = { limit: limit + 1 };
      const used = new Set<FilterName>();
      for (const name of FILTER_NAMES) {
        const value = filter[name];
        if (value === undefined) continue;
        params[name] = value;
        used.add(name);
      }
      if (after !== null) [params.afterAt, params.afterId] = after;
      const sql = listSql(used, after !== null);
      const rows = this.#sql.statements.get<AuditRow>(sql).all(params);
      return toPage(rows, limit, (row) => [row.at, row.id], toAuditEntry);
    });
  }
}
