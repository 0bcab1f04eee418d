-- 005_sync: what the pull sync engine needs beyond 001's tables.
-- (PostgreSQL port of the SQLite migration with the same number and name; dialect only.)
--
-- entity_links.record_id: the provider's own id of the record a primary link came from.
-- A mapping may key an entity by something else (GitHub issues by their API url), but a
-- provider reports deletions by record id; this column finds the link to tombstone.
--
-- entity_match_keys: normalised identifiers (email:, phone:, domain:) and blocking keys
-- (name:, org:) of person and organization entities, so that deduplication finds
-- candidates with one indexed lookup per key instead of scanning entities;
-- entity_match_sources lists the (connection, object) sources that wrote keys.
--
-- sync_runs counters: created, updated, failed and deleted records so far, so a run that
-- is retried or resumed in another process keeps counting where it stopped.

ALTER TABLE entity_links ADD COLUMN record_id TEXT COLLATE "C";
CREATE INDEX entity_links_record ON entity_links (connection_id, object, record_id) WHERE record_id IS NOT NULL;

CREATE TABLE entity_match_keys (
  tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_type  TEXT COLLATE "C" NOT NULL,
  key          TEXT COLLATE "C" NOT NULL,                 -- kind:value, value normalised
  entity_id    TEXT COLLATE "C" NOT NULL,                 -- no FK: lookups join entities, and writes stay cheap
  PRIMARY KEY (tenant_id, entity_type, key, entity_id)
);

-- Which sources contributed match keys of an entity type: a tenant with one source has
-- nothing to match against, and one lookup here says so.
CREATE TABLE entity_match_sources (
  tenant_id      TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_type    TEXT COLLATE "C" NOT NULL,
  connection_id  TEXT COLLATE "C" NOT NULL,
  object         TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant_id, entity_type, connection_id, object)
);

ALTER TABLE sync_runs ADD COLUMN records_created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN records_updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN records_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN records_deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN records_unchanged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN full_resync BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sync_tasks_integration_unique ON sync_tasks (integration_id, type);
