-- 001_core: the platform's own tables and every container of the reference data model.
--
-- Creates: tenants, api_keys, audit_log, secrets (platform); connections, credentials,
-- token_refresh_audit (credentials); integrations, sync_tasks, sync_runs, sync_results,
-- run_record_errors (sync configuration and history); entities, entity_links,
-- relationships, entity_changes, merge_lineage (the entity store); dedup_reviews,
-- conflicts (review queues); webhooks, webhook_audit, webhook_events (webhooks); outbox
-- (push intake). The job queue's tables (jobs, dead letters) are migration 002's.
--
-- PostgreSQL port of src/backends/sqlite/migrations/001_core.sql: same tables, columns,
-- indexes (partial ones included) and version; only the dialect differs.
-- Conventions: snake_case; ids are TEXT COLLATE "C" (prefixed UUIDs); times are ISO-8601
-- UTC TEXT COLLATE "C" (byte order, as SQLite's BINARY: they sort as strings whatever
-- the database's default collation); JSON is JSONB (text kept as sent where the bytes
-- matter: webhook_events.payload, event_deliveries.payload); binary is BYTEA; booleans
-- are BOOLEAN; sequence keys are BIGSERIAL (never reused); tenant_id on every
-- tenant-owned row, and deleting a tenant deletes what it owns (ON DELETE CASCADE).
-- Rows with a retention carry `expires_at`; PostgresStore.purgeExpired deletes them
-- (postgres/purge.ts lists the tables). Secret values are never stored here in plaintext:
-- credential and webhook columns hold refs that the SecretStore resolves.

-- ---------------------------------------------------------------- platform
CREATE TABLE tenants (
  id          TEXT COLLATE "C" PRIMARY KEY,
  name        TEXT COLLATE "C" NOT NULL,
  metadata    JSONB NOT NULL DEFAULT '{}',   -- JSON object
  created_at  TEXT COLLATE "C" NOT NULL,
  updated_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX tenants_page ON tenants (created_at, id);

CREATE TABLE api_keys (
  id            TEXT COLLATE "C" PRIMARY KEY,
  tenant_id     TEXT COLLATE "C" REFERENCES tenants (id) ON DELETE CASCADE,  -- NULL: admin key
  name          TEXT COLLATE "C" NOT NULL,
  prefix        TEXT COLLATE "C" NOT NULL,
  hash          TEXT COLLATE "C" NOT NULL UNIQUE,
  created_at    TEXT COLLATE "C" NOT NULL,
  last_used_at  TEXT COLLATE "C",
  revoked_at    TEXT COLLATE "C"
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

CREATE TABLE audit_log (
  id          TEXT COLLATE "C" PRIMARY KEY,
  at          TEXT COLLATE "C" NOT NULL,
  actor       JSONB NOT NULL,                -- JSON Actor
  action      TEXT COLLATE "C" NOT NULL,
  tenant_id   TEXT COLLATE "C",                         -- no FK: the log outlives the tenant
  target      TEXT COLLATE "C",
  details     JSONB NOT NULL DEFAULT '{}',   -- JSON object, never secret values
  request_id  TEXT COLLATE "C"
);
CREATE INDEX audit_log_page ON audit_log (at, id);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at, id);
CREATE INDEX audit_log_action ON audit_log (action, at, id);

CREATE TABLE secrets (
  ref          TEXT COLLATE "C" PRIMARY KEY,
  tenant_id    TEXT COLLATE "C" NOT NULL,
  label        TEXT COLLATE "C" NOT NULL,
  key_version  INTEGER NOT NULL,
  wrapped_key  BYTEA NOT NULL,
  ciphertext   BYTEA NOT NULL,
  created_at   TEXT COLLATE "C" NOT NULL,
  updated_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX secrets_tenant ON secrets (tenant_id);
CREATE INDEX secrets_key_version ON secrets (key_version, ref);

-- ---------------------------------------------------------------- connections and credentials

-- One tenant's authorised account at one provider.
CREATE TABLE connections (
  id             TEXT COLLATE "C" PRIMARY KEY,
  tenant_id      TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider       TEXT COLLATE "C" NOT NULL,                 -- salesforce | notion | slack | github | google
  name           TEXT COLLATE "C" NOT NULL,
  status         TEXT COLLATE "C" NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'active', 'needs_reauth', 'error', 'disabled')),
  base_url       TEXT COLLATE "C",                          -- instance URL where the provider has one
  account        JSONB NOT NULL DEFAULT '{}',    -- JSON: remote account/workspace identity
  credential_id  TEXT COLLATE "C",                          -- current credential (no FK: the two refer to each other)
  created_at     TEXT COLLATE "C" NOT NULL,
  updated_at     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX connections_tenant ON connections (tenant_id, created_at, id);
CREATE INDEX connections_status ON connections (status);

-- Reference `credentials`: token material lives in the SecretStore; these are refs to it
-- (no FK to `secrets`: with Azure Key Vault the refs point outside this database).
CREATE TABLE credentials (
  id                 TEXT COLLATE "C" PRIMARY KEY,
  tenant_id          TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  connection_id      TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  integration_id     TEXT COLLATE "C",           -- FK to integrations added after that table (below)
  type               TEXT COLLATE "C" NOT NULL,             -- oauth2 | api_key | basic | bearer | service_account ...
  access_token_ref   TEXT COLLATE "C",
  refresh_token_ref  TEXT COLLATE "C",
  secret_ref         TEXT COLLATE "C",                      -- api key, password, client secret or key file
  expiry_time        TEXT COLLATE "C",                      -- NULL: does not expire
  enabled            BOOLEAN NOT NULL DEFAULT TRUE,
  last_refreshed_at  TEXT COLLATE "C",
  refresh_count      INTEGER NOT NULL DEFAULT 0,
  status             TEXT COLLATE "C" NOT NULL DEFAULT 'valid',  -- valid | expired | refresh_failed | revoked
  metadata           JSONB NOT NULL DEFAULT '{}',     -- JSON: scopes, token type, instance ...
  created_at         TEXT COLLATE "C" NOT NULL,
  updated_at         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX credentials_connection ON credentials (connection_id);
CREATE INDEX credentials_tenant ON credentials (tenant_id);
-- The token refresher's scan: enabled credentials expiring before a threshold.
CREATE INDEX credentials_due ON credentials (expiry_time) WHERE enabled AND expiry_time IS NOT NULL;

-- Every refresh attempt, kept 90 days (reference: "Token refresh audit (90 days)").
CREATE TABLE token_refresh_audit (
  id             TEXT COLLATE "C" PRIMARY KEY,
  tenant_id      TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  credential_id  TEXT COLLATE "C" NOT NULL,                 -- no FK: the audit outlives the credential
  connection_id  TEXT COLLATE "C" NOT NULL,
  at             TEXT COLLATE "C" NOT NULL,
  outcome        TEXT COLLATE "C" NOT NULL,                 -- success | failed | skipped
  error_code     TEXT COLLATE "C",
  duration_ms    INTEGER NOT NULL,
  expires_at     TEXT COLLATE "C" NOT NULL                  -- at + 90 days
);
CREATE INDEX token_refresh_audit_credential ON token_refresh_audit (credential_id, at);
CREATE INDEX token_refresh_audit_tenant ON token_refresh_audit (tenant_id, at, id);
CREATE INDEX token_refresh_audit_expiry ON token_refresh_audit (expires_at);

-- ---------------------------------------------------------------- sync configuration and history

-- A sync configuration: one object of one connection, mapped into our entities.
CREATE TABLE integrations (
  id                 TEXT COLLATE "C" PRIMARY KEY,
  tenant_id          TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  connection_id      TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  object             TEXT COLLATE "C" NOT NULL,             -- provider object: contact, page, issue ...
  direction          TEXT COLLATE "C" NOT NULL CHECK (direction IN ('pull', 'push', 'bidirectional')),
  mapping            JSONB NOT NULL DEFAULT '{}',  -- JSON conversion schema
  mapping_version    INTEGER NOT NULL DEFAULT 1,
  schedule           JSONB,                      -- JSON {"intervalMs": n} or {"cron": "..."}; NULL: not scheduled
  priority           TEXT COLLATE "C" NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
  dedup_rules        JSONB NOT NULL DEFAULT '{}',  -- JSON
  conflict_strategy  JSONB NOT NULL DEFAULT '{}',  -- JSON
  field_ownership    JSONB NOT NULL DEFAULT '{}',  -- JSON: field -> owning side
  enabled            BOOLEAN NOT NULL DEFAULT TRUE,
  cursor             JSONB,                      -- JSON: last committed incremental cursor
  cursor_updated_at  TEXT COLLATE "C",
  created_at         TEXT COLLATE "C" NOT NULL,
  updated_at         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX integrations_tenant ON integrations (tenant_id, created_at, id);
CREATE INDEX integrations_connection ON integrations (connection_id, object);
-- PostgreSQL checks references at creation: credentials' FK waits for integrations.
ALTER TABLE credentials ADD CONSTRAINT credentials_integration_fk
  FOREIGN KEY (integration_id) REFERENCES integrations (id) ON DELETE SET NULL;

-- Reference `sync-tasks`: the schedule state of each integration.
CREATE TABLE sync_tasks (
  id              TEXT COLLATE "C" PRIMARY KEY,
  integration_id  TEXT COLLATE "C" NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  connection_id   TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  sync_mode       TEXT COLLATE "C" NOT NULL CHECK (sync_mode IN ('pull', 'push', 'bidirectional')),
  priority        TEXT COLLATE "C" NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
  status          TEXT COLLATE "C" NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'queued', 'processing', 'completed', 'failed')),
  next_scheduled  TEXT COLLATE "C",
  enabled         BOOLEAN NOT NULL DEFAULT TRUE,
  type            TEXT COLLATE "C" NOT NULL DEFAULT 'scheduled' CHECK (type IN ('scheduled', 'webhook', 'manual')),
  created_at      TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL
);
-- The scheduler's scan: enabled tasks due by now.
CREATE INDEX sync_tasks_due ON sync_tasks (next_scheduled) WHERE enabled;
CREATE INDEX sync_tasks_integration ON sync_tasks (integration_id);
CREATE INDEX sync_tasks_tenant ON sync_tasks (tenant_id, created_at, id);

-- One execution of an integration, updated live while it runs.
CREATE TABLE sync_runs (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  integration_id  TEXT COLLATE "C" NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  type            TEXT COLLATE "C" NOT NULL CHECK (type IN ('scheduled', 'webhook', 'manual')),
  status          TEXT COLLATE "C" NOT NULL,                -- running | succeeded | partial | failed | cancelled
  started_at      TEXT COLLATE "C" NOT NULL,
  finished_at     TEXT COLLATE "C",
  records_so_far  INTEGER NOT NULL DEFAULT 0,
  pages           INTEGER NOT NULL DEFAULT 0,
  total_estimate  INTEGER,
  error           JSONB,                         -- JSON {code, message} when failed
  checkpoint      JSONB,                         -- JSON: where a resumed run continues
  expires_at      TEXT COLLATE "C"                          -- set when finished, per retention
);
CREATE INDEX sync_runs_integration ON sync_runs (integration_id, started_at);
CREATE INDEX sync_runs_tenant ON sync_runs (tenant_id, started_at, id);
CREATE INDEX sync_runs_running ON sync_runs (status) WHERE finished_at IS NULL;
CREATE INDEX sync_runs_expiry ON sync_runs (expires_at) WHERE expires_at IS NOT NULL;

-- Reference `sync-results`: the summary of a finished run, with a TTL.
CREATE TABLE sync_results (
  id                  TEXT COLLATE "C" PRIMARY KEY,
  integration_id      TEXT COLLATE "C" NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  tenant_id           TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  run_id              TEXT COLLATE "C" REFERENCES sync_runs (id) ON DELETE SET NULL,
  status              TEXT COLLATE "C" NOT NULL CHECK (status IN ('success', 'failed', 'partial')),
  records_processed   INTEGER NOT NULL DEFAULT 0,
  records_created     INTEGER NOT NULL DEFAULT 0,
  records_updated     INTEGER NOT NULL DEFAULT 0,
  records_failed      INTEGER NOT NULL DEFAULT 0,
  conflicts_detected  INTEGER NOT NULL DEFAULT 0,
  conflicts_resolved  INTEGER NOT NULL DEFAULT 0,
  duration_ms         INTEGER NOT NULL,
  executed_at         TEXT COLLATE "C" NOT NULL,
  ttl_seconds         INTEGER NOT NULL,
  expires_at          TEXT COLLATE "C" NOT NULL             -- executed_at + ttl_seconds
);
CREATE INDEX sync_results_integration ON sync_results (integration_id, executed_at);
CREATE INDEX sync_results_tenant ON sync_results (tenant_id, executed_at, id);
CREATE INDEX sync_results_expiry ON sync_results (expires_at);

-- Record-level failures of a run (bad data, rejected writes), for the run's detail view.
CREATE TABLE run_record_errors (
  id           BIGSERIAL PRIMARY KEY,
  run_id       TEXT COLLATE "C" NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  external_id  TEXT COLLATE "C",
  field        TEXT COLLATE "C",
  reason       TEXT COLLATE "C" NOT NULL,
  at           TEXT COLLATE "C" NOT NULL,
  expires_at   TEXT COLLATE "C"
);
CREATE INDEX run_record_errors_run ON run_record_errors (run_id, id);
CREATE INDEX run_record_errors_expiry ON run_record_errors (expires_at) WHERE expires_at IS NOT NULL;

-- ---------------------------------------------------------------- entity store

-- The product's own records ("shards" in the reference), one row per entity.
CREATE TABLE entities (
  id           TEXT COLLATE "C" PRIMARY KEY,
  tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type         TEXT COLLATE "C" NOT NULL,                   -- person, company, task, message ...
  fields       JSONB NOT NULL DEFAULT '{}',      -- JSON
  version      INTEGER NOT NULL DEFAULT 1,      -- bumped on every write (optimistic concurrency)
  created_at   TEXT COLLATE "C" NOT NULL,
  updated_at   TEXT COLLATE "C" NOT NULL,
  deleted_at   TEXT COLLATE "C",                            -- soft delete
  merged_into  TEXT COLLATE "C" REFERENCES entities (id) ON DELETE SET NULL
);
CREATE INDEX entities_tenant_type ON entities (tenant_id, type, created_at, id);
CREATE INDEX entities_tenant_updated ON entities (tenant_id, updated_at);
CREATE INDEX entities_merged_into ON entities (merged_into) WHERE merged_into IS NOT NULL;

-- Which external record an entity mirrors, and the sync state of that pair. The UNIQUE
-- key is the idempotency key of every pull write: a replayed page updates, never adds.
CREATE TABLE entity_links (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id       TEXT COLLATE "C" NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  connection_id   TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  integration_id  TEXT COLLATE "C" REFERENCES integrations (id) ON DELETE SET NULL,
  object          TEXT COLLATE "C" NOT NULL,
  external_id     TEXT COLLATE "C" NOT NULL,
  remote_version  TEXT COLLATE "C",                         -- provider etag / modified time / revision
  base_snapshot   JSONB,                         -- JSON: last agreed field values (3-way merge base)
  pushed_hash     TEXT COLLATE "C",                         -- hash of our last push, to recognise its echo
  last_synced_at  TEXT COLLATE "C",
  tombstoned_at   TEXT COLLATE "C",                         -- the external record was deleted
  created_at      TEXT COLLATE "C" NOT NULL,
  UNIQUE (connection_id, object, external_id)
);
CREATE INDEX entity_links_entity ON entity_links (entity_id);
CREATE INDEX entity_links_integration ON entity_links (integration_id, last_synced_at);
CREATE INDEX entity_links_tenant ON entity_links (tenant_id);

CREATE TABLE relationships (
  id              BIGSERIAL PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  from_entity_id  TEXT COLLATE "C" NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  kind            TEXT COLLATE "C" NOT NULL,                -- works_at, assigned_to, parent_of ...
  to_entity_id    TEXT COLLATE "C" NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  created_at      TEXT COLLATE "C" NOT NULL,
  UNIQUE (from_entity_id, kind, to_entity_id)
);
CREATE INDEX relationships_to ON relationships (to_entity_id, kind);
CREATE INDEX relationships_tenant ON relationships (tenant_id);

-- Change feed: every entity write, in commit order. `seq` is the consumers' cursor;
-- AUTOINCREMENT so that a seq is never reused, even after the newest rows are deleted.
CREATE TABLE entity_changes (
  seq        BIGSERIAL PRIMARY KEY,
  tenant_id  TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id  TEXT COLLATE "C" NOT NULL,                     -- no FK: the feed records deletions too
  change     JSONB NOT NULL,                     -- JSON {op, fields, version, source}
  at         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX entity_changes_tenant ON entity_changes (tenant_id, seq);
CREATE INDEX entity_changes_entity ON entity_changes (entity_id, seq);

-- Merges of duplicate entities, with what undoing one needs.
CREATE TABLE merge_lineage (
  id           TEXT COLLATE "C" PRIMARY KEY,
  tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  survivor_id  TEXT COLLATE "C" NOT NULL,                   -- the entity kept
  merged_id    TEXT COLLATE "C" NOT NULL,                   -- the entity folded into it
  snapshot     JSONB NOT NULL,                   -- JSON: merged entity, its links and relationships before the merge
  reason       JSONB NOT NULL DEFAULT '{}',      -- JSON: rule, score, or the reviewer
  merged_at    TEXT COLLATE "C" NOT NULL,
  undone_at    TEXT COLLATE "C"
);
CREATE INDEX merge_lineage_survivor ON merge_lineage (survivor_id, merged_at);
CREATE INDEX merge_lineage_merged ON merge_lineage (merged_id);
CREATE INDEX merge_lineage_tenant ON merge_lineage (tenant_id, merged_at, id);

-- ---------------------------------------------------------------- review queues

-- Possible duplicates scored below the auto-merge threshold, for a person to decide.
CREATE TABLE dedup_reviews (
  id           TEXT COLLATE "C" PRIMARY KEY,
  tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  status       TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
  payload      JSONB NOT NULL,                   -- JSON: candidate entity ids, scores, field evidence
  resolution   JSONB,                            -- JSON: decision and who made it
  created_at   TEXT COLLATE "C" NOT NULL,
  resolved_at  TEXT COLLATE "C"
);
CREATE INDEX dedup_reviews_queue ON dedup_reviews (tenant_id, status, created_at, id);

-- Conflicts the configured strategy left to a person (strategy "manual").
CREATE TABLE conflicts (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id       TEXT COLLATE "C" REFERENCES entities (id) ON DELETE CASCADE,
  integration_id  TEXT COLLATE "C" REFERENCES integrations (id) ON DELETE CASCADE,
  status          TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
  payload         JSONB NOT NULL,                -- JSON: base, local and remote values per field
  resolution      JSONB,                         -- JSON: chosen values and who chose
  created_at      TEXT COLLATE "C" NOT NULL,
  resolved_at     TEXT COLLATE "C"
);
CREATE INDEX conflicts_queue ON conflicts (tenant_id, status, created_at, id);
CREATE INDEX conflicts_entity ON conflicts (entity_id) WHERE entity_id IS NOT NULL;

-- ---------------------------------------------------------------- webhooks

-- Reference `webhook-registrations`. The signing secret lives in the SecretStore.
CREATE TABLE webhooks (
  id                   TEXT COLLATE "C" PRIMARY KEY,
  tenant_id            TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  integration_id       TEXT COLLATE "C" REFERENCES integrations (id) ON DELETE CASCADE,
  connection_id        TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  provider_id          TEXT COLLATE "C" NOT NULL,
  webhook_url          TEXT COLLATE "C" NOT NULL,
  webhook_secret_ref   TEXT COLLATE "C",
  provider_webhook_id  TEXT COLLATE "C",                    -- the provider's id for the subscription
  events               JSONB NOT NULL DEFAULT '[]',  -- JSON array of event types
  status               TEXT COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing', 'disabled')),
  failure_count        INTEGER NOT NULL DEFAULT 0,
  created_at           TEXT COLLATE "C" NOT NULL,
  updated_at           TEXT COLLATE "C" NOT NULL,
  expires_at           TEXT COLLATE "C"                     -- watch channels (Google): renew before; NOT a TTL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at, id);
CREATE INDEX webhooks_integration ON webhooks (integration_id);
CREATE INDEX webhooks_provider ON webhooks (provider_id, provider_webhook_id);
CREATE INDEX webhooks_renewal ON webhooks (expires_at) WHERE expires_at IS NOT NULL;

-- Every delivery received, kept 30 days (reference: "Webhook audit trail (30 days)").
-- The UNIQUE key is the replay check: a delivery id seen before is a duplicate.
CREATE TABLE webhook_audit (
  id               TEXT COLLATE "C" PRIMARY KEY,
  registration_id  TEXT COLLATE "C" NOT NULL,               -- no FK: the audit outlives the registration
  tenant_id        TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  delivery_id      TEXT COLLATE "C",                        -- NULL when the provider sends none
  received_at      TEXT COLLATE "C" NOT NULL,
  verified         BOOLEAN NOT NULL,
  outcome          TEXT COLLATE "C" NOT NULL,               -- accepted | duplicate | rejected_signature | rejected_stale | rate_limited ...
  detail           TEXT COLLATE "C",
  expires_at       TEXT COLLATE "C" NOT NULL,               -- received_at + 30 days
  UNIQUE (registration_id, delivery_id)
);
CREATE INDEX webhook_audit_registration ON webhook_audit (registration_id, received_at);
CREATE INDEX webhook_audit_tenant ON webhook_audit (tenant_id, received_at, id);
CREATE INDEX webhook_audit_expiry ON webhook_audit (expires_at);

-- Durable intake: an event is stored here before the 2xx is sent.
CREATE TABLE webhook_events (
  id               TEXT COLLATE "C" PRIMARY KEY,
  registration_id  TEXT COLLATE "C" NOT NULL,
  tenant_id        TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  delivery_id      TEXT COLLATE "C",
  event_type       TEXT COLLATE "C",
  payload          TEXT NOT NULL,                -- the parsed event, JSON text stored as received
  received_at      TEXT COLLATE "C" NOT NULL,
  status           TEXT COLLATE "C" NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  processed_at     TEXT COLLATE "C",
  error            JSONB,                        -- JSON {code, message}
  expires_at       TEXT COLLATE "C"                         -- set once processed, per retention
);
CREATE INDEX webhook_events_pending ON webhook_events (received_at, id) WHERE status IN ('pending', 'processing');
CREATE INDEX webhook_events_registration ON webhook_events (registration_id, received_at);
CREATE INDEX webhook_events_expiry ON webhook_events (expires_at) WHERE expires_at IS NOT NULL;

-- ---------------------------------------------------------------- push

-- Internal changes to push out, written in the same transaction as the entity change.
CREATE TABLE outbox (
  id            TEXT COLLATE "C" PRIMARY KEY,
  tenant_id     TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id     TEXT COLLATE "C" NOT NULL,                  -- no FK: a deletion is pushed too
  change        JSONB NOT NULL,                  -- JSON {op, fields, version}
  created_at    TEXT COLLATE "C" NOT NULL,
  processed_at  TEXT COLLATE "C",
  expires_at    TEXT COLLATE "C"                            -- set once processed, per retention
);
CREATE INDEX outbox_pending ON outbox (created_at, id) WHERE processed_at IS NULL;
CREATE INDEX outbox_entity ON outbox (entity_id, created_at);
CREATE INDEX outbox_expiry ON outbox (expires_at) WHERE expires_at IS NOT NULL;
