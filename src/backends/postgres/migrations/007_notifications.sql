-- 007_notifications: channels, rules and the anti-flood state of notifications.
-- (PostgreSQL port of the SQLite migration with the same number and name; dialect only.)
--
-- notification_channels: where messages go. The target URL is a secret: secret_ref points
--   at the SecretStore, masked_target is what the API shows (the host). status 'failing'
--   after repeated failures (still tried), 'disabled' when the target is gone (404/410).
-- notification_rules: which events (event_types JSON array, empty = all; min_severity)
--   go to which channel; fold_window_ms folds repeats; digest_interval_ms summarises.
-- notification_folds: one open fold window per (rule, event type + subject): the first
--   event was sent at once, `count` repeats since are waiting for the window's end.
-- notification_digests: one pending digest per rule: entries JSON object keyed by
--   event type + subject ({type, severity, subject, count, firstAt, lastAt}).
-- Times of the anti-flood state are epoch ms (compared with the clock, never shown).
CREATE TABLE notification_channels (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name            TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL CHECK (kind IN ('slack_webhook', 'slack_app', 'teams_workflow')),
  secret_ref      TEXT COLLATE "C",
  masked_target   TEXT COLLATE "C",
  connection_id   TEXT COLLATE "C",
  slack_channel   TEXT COLLATE "C",
  status          TEXT COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing', 'disabled')),
  failure_count   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT COLLATE "C",
  last_success_at TEXT COLLATE "C",
  last_failure_at TEXT COLLATE "C",
  created_at      TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX notification_channels_tenant ON notification_channels (tenant_id, created_at, id);

CREATE TABLE notification_rules (
  id                 TEXT COLLATE "C" PRIMARY KEY,
  tenant_id          TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel_id         TEXT COLLATE "C" NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  name               TEXT COLLATE "C" NOT NULL,
  event_types        JSONB NOT NULL DEFAULT '[]',
  min_severity       TEXT COLLATE "C" NOT NULL DEFAULT 'warning' CHECK (min_severity IN ('info', 'warning', 'critical')),
  fold_window_ms     INTEGER NOT NULL DEFAULT 600000 CHECK (fold_window_ms >= 0),
  digest_interval_ms INTEGER CHECK (digest_interval_ms IS NULL OR digest_interval_ms > 0),
  enabled            BOOLEAN NOT NULL DEFAULT TRUE,
  created_at         TEXT COLLATE "C" NOT NULL,
  updated_at         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX notification_rules_tenant ON notification_rules (tenant_id, created_at, id);
CREATE INDEX notification_rules_channel ON notification_rules (channel_id);

CREATE TABLE notification_folds (
  rule_id           TEXT COLLATE "C" NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
  fold_key          TEXT COLLATE "C" NOT NULL,
  tenant_id         TEXT COLLATE "C" NOT NULL,
  window_started_at BIGINT NOT NULL,
  window_ends_at    BIGINT NOT NULL,
  count             INTEGER NOT NULL DEFAULT 0,
  last_event        TEXT COLLATE "C",
  PRIMARY KEY (rule_id, fold_key)
);
CREATE INDEX notification_folds_due ON notification_folds (window_ends_at);

CREATE TABLE notification_digests (
  rule_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES notification_rules (id) ON DELETE CASCADE,
  tenant_id  TEXT COLLATE "C" NOT NULL,
  started_at BIGINT NOT NULL,
  due_at     BIGINT NOT NULL,
  entries    TEXT NOT NULL DEFAULT '{}'   -- JSON text, insertion order kept (as on SQLite)
);
CREATE INDEX notification_digests_due ON notification_digests (due_at);

-- Events to the host product (also notifications' family: outbound webhooks).
-- event_subscriptions: a tenant's endpoint for entity changes, run completions and
--   connection status; secret_ref points at the Standard Webhooks signing secrets
--   (current + previous during a rotation overlap) in the SecretStore.
-- event_deliveries: one message per (event, subscription); id is the webhook-id, the
--   same on every attempt; attempts is a JSON array of {at, status, error} (last 50).
CREATE TABLE event_subscriptions (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url             TEXT COLLATE "C" NOT NULL,
  description     TEXT COLLATE "C" NOT NULL DEFAULT '',
  event_types     JSONB NOT NULL DEFAULT '[]',
  secret_ref      TEXT COLLATE "C" NOT NULL,
  status          TEXT COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failing_since   TEXT COLLATE "C",
  disabled_reason TEXT COLLATE "C",
  created_at      TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX event_subscriptions_tenant ON event_subscriptions (tenant_id, created_at, id);

CREATE TABLE event_deliveries (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL,
  subscription_id TEXT COLLATE "C" NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
  event_type      TEXT COLLATE "C" NOT NULL,
  payload         TEXT COLLATE "C" NOT NULL,
  status          TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'stopped')),
  attempts        JSONB NOT NULL DEFAULT '[]',
  next_attempt_at TEXT COLLATE "C",
  created_at      TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL,
  expires_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX event_deliveries_subscription ON event_deliveries (subscription_id, created_at);
CREATE INDEX event_deliveries_expiry ON event_deliveries (expires_at);
