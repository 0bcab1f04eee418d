/**
 * Tables whose rows expire, the same on SQLite and PostgreSQL: each has an `expires_at`
 * (ISO-8601 UTC text) and an index on it; a NULL never expires. The retention each
 * table's writer sets: sync results (their `ttl_seconds`), token refresh audit (90 days),
 * webhook delivery audit (30 days), credential access rows of the admin audit log (90
 * days; admin actions keep NULL), and, once processed, webhook intake events, outbox
 * rows and finished sync runs (with their record errors) as the writer decides, and
 * rate-limit usage samples (the sampler's retention, 7 days by default).
 * `webhooks.expires_at` is NOT a TTL (it is when a watch channel needs renewing), and
 * event deliveries have their own `purgeDeliveries`.
 */
export const TTL_TABLES = [
  'sync_results',
  'run_record_errors',
  'sync_runs',
  'token_refresh_audit',
  'webhook_audit',
  'webhook_events',
  'outbox',
  'audit_log',
  'ratelimit_history',
] as const;

/** Rows deleted per purge statement, so that a large purge never holds locks for long. */
export const PURGE_BATCH = 1000;
