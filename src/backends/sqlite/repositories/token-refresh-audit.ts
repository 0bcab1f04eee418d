import type { TokenRefreshAudit } from '../../../domain/connection.ts';
import type { Page, TokenRefreshAuditFilter, TokenRefreshAuditRepository } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../store-pagination.ts';
import type { SqlContext } from '../store-sql.ts';

interface AuditDbRow {
  id: string;
  tenant_id: string;
  credential_id: string;
  connection_id: string;
  at: string;
  outcome: string;
  error_code: string | null;
  duration_ms: number;
  expires_at: string;
}

const COLUMNS = 'id, tenant_id, credential_id, connection_id, at, outcome, error_code, duration_ms, expires_at';
const INSERT = `INSERT INTO token_refresh_audit (${COLUMNS})
  VALUES (@id, @tenantId, @credentialId, @connectionId, @at, @outcome, @errorCode, @durationMs, @expiresAt)`;
// @credentialId NULL matches every credential of the tenant; pages go newest first by (at, id).
const PAGE = `SELECT ${COLUMNS} FROM token_refresh_audit
  WHERE tenant_id = @tenantId AND (@credentialId IS NULL OR credential_id = @credentialId)
    AND (@afterAt IS NULL OR (at, id) < (@afterAt, @afterId))
  ORDER BY at DESC, id DESC LIMIT @limit`;

function toAudit(row: AuditDbRow): TokenRefreshAudit {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    credentialId: row.credential_id,
    connectionId: row.connection_id,
    at: row.at,
    outcome: row.outcome,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    expiresAt: row.expires_at,
  };
}

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
