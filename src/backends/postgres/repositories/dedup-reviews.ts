import type { DedupReview, DedupReviewStatus } from '../../../domain/review.ts';
import type { DedupReviewFilter, DedupReviewRepository, Page } from '../../../ports/store.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { orderedPair } from '../../rows/dedup-rows.ts';
import { entityRowMappers, type ReviewRow as SharedReviewRow } from '../../rows/entity-rows.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';

type ReviewRow = SharedReviewRow<PgColumnTypes> & PgRow;
const { toReview } = entityRowMappers(PG_COLUMNS);

const COLUMNS = 'id, tenant_id, status, payload, resolution, created_at, resolved_at';
const GET = `SELECT ${COLUMNS} FROM dedup_reviews WHERE id = $1 AND tenant_id = $2`;
const RESOLVE = `UPDATE dedup_reviews SET status = $1, resolution = $2::jsonb, resolved_at = $3 WHERE id = $4 AND tenant_id = $5 AND status = 'open'`;
const DISMISS = `INSERT INTO dedup_dismissed_pairs (tenant_id, left_id, right_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`;
const IS_DISMISSED = 'SELECT 1 FROM dedup_dismissed_pairs WHERE tenant_id = $1 AND left_id = $2 AND right_id = $3';

/** The dedup review queue in PostgreSQL (the `dedup_reviews_queue` index serves the list). */
export class PgDedupReviewRepository implements DedupReviewRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async list(tenantId: string, filter: DedupReviewFilter = {}): Promise<Page<DedupReview>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [limit + 1, tenantId];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const where = ['tenant_id = $2'];
    if (filter.status !== undefined) where.push(`status = ${bind(filter.status)}`);
    if (after) where.push(`(created_at, id) > (${bind(after[0])}, ${bind(after[1])})`);
    const { rows } = await this.#sql.query<ReviewRow>(`SELECT ${COLUMNS} FROM dedup_reviews WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $1`, params);
    return toPage(rows, limit, (row) => [row.created_at, row.id], toReview);
  }

  async get(tenantId: string, id: string): Promise<DedupReview | null> {
    const { rows } = await this.#sql.query<ReviewRow>(GET, [id, tenantId]);
    return rows[0] ? toReview(rows[0]) : null;
  }

  async resolve(tenantId: string, id: string, status: Exclude<DedupReviewStatus, 'open'>, resolution: Record<string, unknown>, resolvedAt: string): Promise<boolean> {
    const result = await this.#sql.query(RESOLVE, [status, toJson(resolution), resolvedAt, id, tenantId]);
    return result.rowCount === 1;
  }

  async dismissPair(tenantId: string, a: string, b: string, at: string): Promise<void> {
    await this.#sql.query(DISMISS, [tenantId, ...orderedPair(a, b), at]);
  }

  async isPairDismissed(tenantId: string, a: string, b: string): Promise<boolean> {
    const { rows } = await this.#sql.query(IS_DISMISSED, [tenantId, ...orderedPair(a, b)]);
    return rows.length > 0;
  }
}
