-- 013_ratelimit_history: the rate limiter's usage over time. The sampler stores, every
-- interval (60 s by default), each budget's used and effective limit; a sample is
-- identified by (counter_key, at), `at` being the interval's start, so two samplers of
-- one interval store one row. Kept until expires_at (7 days by default), then removed by
-- purgeExpired (ttl-tables.ts). No foreign keys: samples are observations, and global
-- and provider budgets belong to no tenant (tenant_id NULL: only admins read them).

CREATE TABLE ratelimit_history (
  counter_key    TEXT NOT NULL,
  at             TEXT NOT NULL,
  level          TEXT NOT NULL CHECK (level IN ('global', 'provider', 'tenant', 'connection', 'operation')),
  kind           TEXT NOT NULL CHECK (kind IN ('window', 'concurrency')),
  rule           TEXT NOT NULL,
  provider       TEXT,
  tenant_id      TEXT,
  connection_id  TEXT,
  used           BIGINT NOT NULL,
  limit_value    BIGINT NOT NULL,
  window_ms      BIGINT NOT NULL,
  expires_at     TEXT NOT NULL,
  PRIMARY KEY (counter_key, at)
);
CREATE INDEX ratelimit_history_time ON ratelimit_history (at, counter_key);
CREATE INDEX ratelimit_history_tenant ON ratelimit_history (tenant_id, at, counter_key);
CREATE INDEX ratelimit_history_connection ON ratelimit_history (connection_id, at, counter_key);
CREATE INDEX ratelimit_history_expiry ON ratelimit_history (expires_at);
