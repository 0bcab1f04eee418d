import type { RateLimitSample, RateLimitSampleLevel } from '../../ports/store.ts';

/** A `ratelimit_history` row, the same on SQLite and PostgreSQL. */
export interface RateLimitSampleRow {
  counter_key: string;
  at: string;
  level: string;
  kind: string;
  rule: string;
  provider: string | null;
  tenant_id: string | null;
  connection_id: string | null;
  used: number;
  limit_value: number;
  window_ms: number;
  expires_at: string;
}

/** The columns in insert order (`limit` is a reserved word in SQL, hence `limit_value`). */
export const RATE_LIMIT_SAMPLE_COLUMNS = 'counter_key, at, level, kind, rule, provider, tenant_id, connection_id, used, limit_value, window_ms, expires_at';

/** A sample's column values, in RATE_LIMIT_SAMPLE_COLUMNS order. */
export function rateLimitSampleValues(s: RateLimitSample): unknown[] {
  return [s.key, s.at, s.level, s.kind, s.rule, s.provider, s.tenantId, s.connectionId, s.used, s.limit, s.windowMs, s.expiresAt];
}

export function toRateLimitSample(row: RateLimitSampleRow): RateLimitSample {
  return {
    key: row.counter_key,
    at: row.at,
    level: row.level as RateLimitSampleLevel,
    kind: row.kind === 'concurrency' ? 'concurrency' : 'window',
    rule: row.rule,
    provider: row.provider,
    tenantId: row.tenant_id,
    connectionId: row.connection_id,
    used: row.used,
    limit: row.limit_value,
    windowMs: row.window_ms,
    expiresAt: row.expires_at,
  };
}

/** The list filters that are plain equality on one column: (filter field, column). */
export const RATE_LIMIT_SAMPLE_EQUALS = [
  ['tenantId', 'tenant_id'],
  ['connectionId', 'connection_id'],
  ['provider', 'provider'],
  ['level', 'level'],
  ['key', 'counter_key'],
] as const;
