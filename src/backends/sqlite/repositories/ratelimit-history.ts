import type { Page, RateLimitHistoryFilter, RateLimitHistoryRepository, RateLimitSample } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { RATE_LIMIT_SAMPLE_COLUMNS, RATE_LIMIT_SAMPLE_EQUALS as EQUALS, rateLimitSampleValues, toRateLimitSample, type RateLimitSampleRow } from '../../rows/ratelimit-history-rows.ts';
import type { SqlContext } from '../store-sql.ts';

const INSERT = `INSERT OR IGNORE INTO ratelimit_history (${RATE_LIMIT_SAMPLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Rate-limit usage samples in SQLite: INSERT OR IGNORE on the (counter_key, at) key makes
 * `record` idempotent; a batch goes in under one savepoint (one commit, not one per row,
 * and usable inside a store transaction). `list` builds its WHERE from the filters present,
 * so each combination gets a statement that can use its index.
 */
export class SqliteRateLimitHistoryRepository implements RateLimitHistoryRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  record(samples: readonly RateLimitSample[]): Promise<number> {
    if (samples.length === 0) return Promise.resolve(0);
    return this.#sql.run(() => {
      const statements = this.#sql.statements;
      statements.get('SAVEPOINT ratelimit_history').run();
      try {
        let added = 0;
        for (const sample of samples) added += statements.get(INSERT).run(...rateLimitSampleValues(sample)).changes;
        statements.get('RELEASE ratelimit_history').run();
        return added;
      } catch (error) {
        statements.get('ROLLBACK TO ratelimit_history').run();
        statements.get('RELEASE ratelimit_history').run();
        throw error;
      }
    });
  }

  list(filter: RateLimitHistoryFilter = {}): Promise<Page<RateLimitSample>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(filter);
      const where: string[] = [];
      const params: unknown[] = [];
      for (const [name, column] of EQUALS) {
        const value = filter[name];
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      if (filter.since !== undefined) {
        where.push('at >= ?');
        params.push(filter.since);
      }
      if (filter.until !== undefined) {
        where.push('at < ?');
        params.push(filter.until);
      }
      if (after !== null) {
        where.push('(at, counter_key) > (?, ?)');
        params.push(after[0], after[1]);
      }
      const sql = `SELECT ${RATE_LIMIT_SAMPLE_COLUMNS} FROM ratelimit_history${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, counter_key LIMIT ?`;
      const rows = this.#sql.statements.get<RateLimitSampleRow>(sql).all(...params, limit + 1);
      return toPage(rows, limit, (row) => [row.at, row.counter_key], toRateLimitSample);
    });
  }
}
