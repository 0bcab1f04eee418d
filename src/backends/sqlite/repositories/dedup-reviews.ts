import type { DedupReview, DedupReviewStatus } from '../../../domain/review.ts';
import type { DedupReviewFilter, DedupReviewRepository, Page } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { entityRowMappers, type ReviewRow as SharedReviewRow } from '../../rows/entity-rows.ts';
import { orderedPair } from '../../rows/dedup-rows.ts';
import { toJson, type SqlContext } from '../store-sql.ts';

type ReviewRow = SharedReviewRow<SqliteColumnTypes>;
const { toReview } = entityRowMappers(SQLITE_COLUMNS);

const COLUMNS = 'id, tenant_id, status, payload, resolution, created_at, resolved_at';
const GET = `SELECT ${COLUMNS} FROM dedup_reviews WHERE id = ? AND tenant_id = ?`;
const RESOLVE = `UPDATE dedup_reviews SET status = ?, resolution = ?, resolved_at = ? WHERE id = ? AND tenant_id = ? AND status = 'open'`;
const DISMISS = 'INSERT OR IGNORE INTO dedup_dismissed_pairs (tenant_id, left_id, right_id, created_at) VALUES (?, ?, ?, ?)';
const IS_DISMISSED = 'SELECT 1 FROM dedup_dismissed_pairs WHERE tenant_id = ? AND left_id = ? AND right_id = ?';

/** The dedup review queue in SQLite (the `dedup_reviews_queue` index serves the list). */
export class SqliteDedupReviewRepository implements DedupReviewRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  list(tenantId: string, filter: DedupReviewFilter = {}): Promise<Page<DedupReview>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const where = ['tenant_id = @tenantId'];
      const params: Record<string, unknown> = { tenantId, limit: limit + 1 };
      if (filter.status !== undefined) {
        where.push('status = @status');
        params.status = filter.status;
      }
      if (after) {
        where.push('(created_at, id) > (@afterAt, @afterId)');
        [params.afterAt, params.afterId] = after;
      }
      const rows = this.#sql.statements
        .get<ReviewRow>(`SELECT ${COLUMNS} FROM dedup_reviews WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT @limit`)
        .all(params);
      return toPage(rows, limit, (row) => [row.created_at, row.id], toReview);
    });
  }

  get(tenantId: string, id: string): Promise<DedupReview | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<ReviewRow>(GET).get(id, tenantId);
      return row ? toReview(row) : null;
    });
  }

  resolve(tenantId: string, id: string, status: Exclude<DedupReviewStatus, 'open'>, resolution: Record<string, unknown>, resolvedAt: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(RESOLVE).run(status, toJson(resolution), resolvedAt, id, tenantId).changes === 1);
  }

  dismissPair(tenantId: string, a: string, b: string, at: string): Promise<void> {
    const [left, right] = orderedPair(a, b);
    return this.#sql.run(() => {
      this.#sql.statements.get(DISMISS).run(tenantId, left, right, at);
    });
  }

  isPairDismissed(tenantId: string, a: string, b: string): Promise<boolean> {
    const [left, right] = orderedPair(a, b);
    return this.#sql.run(() => this.#sql.statements.get(IS_DISMISSED).get(tenantId, left, right) !== undefined);
  }
}
