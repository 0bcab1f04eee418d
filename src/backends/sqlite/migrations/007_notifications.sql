-- 007_notifications: channels, rules and the anti-flood state of notifications.
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
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('slack_webhook', 'slack_app', 'teams_workflow')),
  secret_ref      TEXT,
  masked_target   TEXT,
  connection_id   TEXT,
  slack_channel   TEXT,
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing', 'disabled')),
  failure_count   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  last_success_at TEXT,
  last_failure_at TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX notification_channels_tenant ON notification_channels (tenant_id, created_at, id);

CREATE TABLE notification_rules (
  id                 TEXT PRIMARY KEY,
  tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel_id         TEXT NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  name               TEXT NOT NULL,
  event_types        TEXT NOT NULL DEFAULT '[]',
  min_severity       TEXT NOT NULL DEFAULT 'warning' CHECK (min_severity IN ('info', 'warning', 'critical')),
  fold_window_ms     INTEGER NOT NULL DEFAULT 600000 CHECK (fold_window_ms >= 0),
  digest_interval_ms INTEGER CHECK (digest_interval_ms IS NULL OR digest_interval_ms > 0),
  enabled            INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX notification_rules_tenant ON notification_rules (tenant_id, created_at, id);
CREATE INDEX notification_rules_channel ON notification_rules (channel_id);

CREATE TABLE notification_folds (
  rule_id           TEXT NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
  fold_key          TEXT NOT NULL,
  tenant_id         TEXT NOT NULL,
  window_started_at INTEGER NOT NULL,
  window_ends_at    INTEGER NOT NULL,
  count             INTEGER NOT NULL DEFAULT 0,
  last_event        TEXT,
  PRIMARY KEY (rule_id, fold_key)
);
CREATE INDEX notification_folds_due ON notification_folds (window_ends_at);

CREATE TABLE notification_digests (
  rule_id    TEXT PRIMARY KEY REFERENCES notification_rules (id) ON DELETE CASCADE,
  tenant_id  TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  due_at     INTEGER NOT NULL,
  entries    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX notification_digests_due ON notification_digests (due_at);

-- Events to the host product (also notifications' family: outbound webhooks).
-- event_subscriptions: a tenant's endpoint for entity changes, run completions and
--   connection status; secret_ref points at the Standard Webhooks signing secrets
--   (current + previous during a rotation overlap) in the SecretStore.
-- event_deliveries: one message per (event, subscription); id is the webhook-id, the
--   same on every attempt; attempts is a JSON array of {at, status, error} (last 50).
CREATE TABLE event_subscriptions (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url             TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  event_types     TEXT NOT NULL DEFAULT '[]',
  secret_ref      TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failing_since   TEXT,
  disabled_reason TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX event_subscriptions_tenant ON event_subscriptions (tenant_id, created_at, id);

CREATE TABLE event_deliveries (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  subscription_id TEXT NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
  event_type      TEXT NOT NULL,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'stopped')),
  attempts        TEXT NOT NULL DEFAULT '[]',
  next_attempt_at TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL
);
CREATE INDEX event_deliveries_subscription ON event_deliveries (subscription_id, created_at);
CREATE INDEX event_deliveries_expiry ON event_deliveries (expires_at);
