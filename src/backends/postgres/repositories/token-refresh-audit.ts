import type { TokenRefreshAudit } from '../../../domain/connection.ts';
import type { Page, TokenRefreshAuditFilter, TokenRefreshAuditRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import type { PgContext, PgRow } from '../sql.ts';
import { toTokenRefreshAudit as toAudit, type TokenRefreshAuditRow } from '../../rows/connection-rows.ts';

type AuditDbRow = TokenRefreshAuditRow & PgRow;

const COLUMNS = 'id, tenant_id, credential_id, connection_id, at, outcome, error_code, duration_ms, expires_at';
const INSERT = `INSERT INTO token_refresh_audit (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** The token refresh audit in PostgreSQL: append-only, newest first by (at, id), purged by `expires_at`. */
export class PgTokenRefreshAuditRepository implements TokenRefreshAuditRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async append(e: TokenRefreshAudit): Promise<void> {
    await this.#sql.query(INSERT, [e.id, e.tenantId, e.credentialId, e.connectionId, e.at, e.outcome, e.errorCode, e.durationMs, e.expiresAt]);
  }

  async list(tenantId: string, filter?: TokenRefreshAuditFilter): Promise<Page<TokenRefreshAudit>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [limit + 1, tenantId];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const where = ['tenant_id = $2'];
    if (filter?.credentialId !== undefined) where.push(`credential_id = ${bind(filter.credentialId)}`);
    if (after !== null) where.push(`(at, id) < (${bind(after[0])}, ${bind(after[1])})`);
    const { rows } = await this.#sql.query<AuditDbRow>(
      `SELECT ${COLUMNS} FROM token_refresh_audit WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT $1`,
      params,
    );
    return toPage(rows, limit, (row) => [row.at, row.id], toAudit);
  }
}
