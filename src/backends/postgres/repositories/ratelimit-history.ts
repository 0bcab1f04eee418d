import type { Page, RateLimitHistoryFilter, RateLimitHistoryRepository, RateLimitSample } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { RATE_LIMIT_SAMPLE_COLUMNS, RATE_LIMIT_SAMPLE_EQUALS as EQUALS, rateLimitSampleValues, toRateLimitSample, type RateLimitSampleRow } from '../../rows/ratelimit-history-rows.ts';
import type { PgContext, PgRow } from '../sql.ts';

type SampleDbRow = RateLimitSampleRow & PgRow;

const COLUMN_COUNT = RATE_LIMIT_SAMPLE_COLUMNS.split(',').length;

/**
 * Rate-limit usage samples in PostgreSQL: one multi-row INSERT ... ON CONFLICT DO NOTHING
 * per batch on the (counter_key, at) key, so `record` is idempotent and samplers racing on
 * one interval never fail. `list` is oldest first by (at, counter_key).
 */
export class PgRateLimitHistoryRepository implements RateLimitHistoryRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async record(samples: readonly RateLimitSample[]): Promise<number> {
    let added = 0;
    // 500 rows x 12 columns stays far below PostgreSQL's 65535 bind parameters.
    for (let start = 0; start < samples.length; start += 500) {
      const chunk = samples.slice(start, start + 500);
      const params = chunk.flatMap(rateLimitSampleValues);
      const rows = chunk.map((_, row) => `(${Array.from({ length: COLUMN_COUNT }, (__, column) => `$${row * COLUMN_COUNT + column + 1}`).join(', ')})`);
      const result = await this.#sql.query(`INSERT INTO ratelimit_history (${RATE_LIMIT_SAMPLE_COLUMNS}) VALUES ${rows.join(', ')} ON CONFLICT (counter_key, at) DO NOTHING`, params);
      added += result.rowCount;
    }
    return added;
  }

  async list(filter: RateLimitHistoryFilter = {}): Promise<Page<RateLimitSample>> {
    const { limit, after } = resolvePage(filter);
    const params: unknown[] = [limit + 1];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const where: string[] = [];
    for (const [name, column] of EQUALS) {
      const value = filter[name];
      if (value !== undefined) where.push(`${column} = ${bind(value)}`);
    }
    if (filter.since !== undefined) where.push(`at >= ${bind(filter.since)}`);
    if (filter.until !== undefined) where.push(`at < ${bind(filter.until)}`);
    if (after !== null) where.push(`(at, counter_key) > (${bind(after[0])}, ${bind(after[1])})`);
    const { rows } = await this.#sql.query<SampleDbRow>(
      `SELECT ${RATE_LIMIT_SAMPLE_COLUMNS} FROM ratelimit_history${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, counter_key LIMIT $1`,
      params,
    );
    return toPage(rows, limit, (row) => [row.at, row.counter_key], toRateLimitSample);
  }
}
