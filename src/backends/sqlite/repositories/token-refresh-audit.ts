import type { TokenRefreshAudit } from '../../../domain/connection.ts';
import type { Page, TokenRefreshAuditFilter, TokenRefreshAuditRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import type { SqlContext } from '../store-sql.ts';
import { toTokenRefreshAudit as toAudit, type TokenRefreshAuditRow } from '../../rows/connection-rows.ts';

type AuditDbRow = TokenRefreshAuditRow;

const COLUMNS = 'id, tenant_id, credential_id, connection_id, at, outcome, error_code, duration_ms, expires_at';
const INSERT = `INSERT INTO token_refresh_audit (${COLUMNS})
  VALUES (@id, @tenantId, @credentialId, @connectionId, @at, @outcome, @errorCode, @durationMs, @expiresAt)`;
// @credentialId NULL matches every credential of the tenant; pages go newest first by (at, id).
const PAGE = `SELECT ${COLUMNS} FROM token_refresh_audit
  WHERE tenant_id = @tenantId AND (@credentialId IS NULL OR credential_id = @credentialId)
    AND (@afterAt IS NULL OR (at, id) < (@afterAt, @afterId))
  ORDER BY at DESC, id DESC LIMIT @limit`;

/** The token refresh audit in SQLite: append-only, newest first, purged by `expires_at`. */
export class SqliteTokenRefreshAuditRepository implements TokenRefreshAuditRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  append(entry: TokenRefreshAudit): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(INSERT).run(entry);
    });
  }

  list(tenantId: string, filter?: TokenRefreshAuditFilter): Promise<Page<TokenRefreshAudit>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const rows = this.#sql.statements.get<AuditDbRow>(PAGE).all({
        tenantId,
        credentialId: filter?.credentialId ?? null,
        afterAt: after?.[0] ?? null,
        afterId: after?.[1] ?? null,
        limit: limit + 1,
      });
      return toPage(rows, limit, (row) => [row.at, row.id], toAudit);
    });
  }
}
