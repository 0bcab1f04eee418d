-- 009_push: PostgreSQL port of src/backends/sqlite/migrations/009_push.sql (same columns,
-- indexes and table; only the dialect differs). See that file for the why.

ALTER TABLE outbox ADD COLUMN relayed_at TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN outcome JSONB;
CREATE INDEX outbox_unrelayed ON outbox (created_at, id) WHERE relayed_at IS NULL AND processed_at IS NULL;
CREATE INDEX outbox_tenant ON outbox (tenant_id, created_at, id);

CREATE TABLE push_creates (
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id       TEXT COLLATE "C" NOT NULL,
  integration_id  TEXT COLLATE "C" NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  outbox_id       TEXT COLLATE "C" NOT NULL,
  started_at      TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (entity_id, integration_id)
);
CREATE INDEX push_creates_tenant ON push_creates (tenant_id);
