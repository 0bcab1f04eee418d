-- 015_pull_rows_without_parent_checks: the rows a pull writes most no longer look up
-- their tenant (or integration) on every insert.
--
-- SQLite checks a foreign key on each child insert by looking the parent up; a pull of
-- 100,000 Salesforce contacts did about a million such lookups (counted from the rows it
-- writes and their keys), most of them for tenant_id. What those keys were for is the delete of the parent, and that is kept:
--
-- - entity_links and relationships lose their tenant key (and the index it needed): a
--   tenant's links and relationships already go with its entities (entity_id, from/to
--   keys) and its connections (connection_id), which keep their keys.
-- - entity_links.integration_id is set to NULL by a trigger when the integration goes,
--   as ON DELETE SET NULL did.
-- - entity_changes and entity_match_keys, which have no other parent, are deleted with
--   their tenant by a trigger.
--
-- The tables are rebuilt (SQLite cannot drop a constraint); none of them is a parent.

CREATE TABLE entity_links_v2 (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,                -- no FK: the link goes with its entity and its connection
  entity_id       TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  connection_id   TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  integration_id  TEXT,                         -- set to NULL when the integration goes (trigger below)
  object          TEXT NOT NULL,
  external_id     TEXT NOT NULL,
  remote_version  TEXT,                         -- provider etag / modified time / revision
  base_snapshot   TEXT,                         -- JSON: last agreed field values (3-way merge base)
  pushed_hash     TEXT,                         -- hash of our last push, to recognise its echo
  last_synced_at  TEXT,
  tombstoned_at   TEXT,                         -- the external record was deleted
  created_at      TEXT NOT NULL,
  record_id       TEXT,
  remote_modified_at TEXT,
  UNIQUE (connection_id, object, external_id)
);
INSERT INTO entity_links_v2 (id, tenant_id, entity_id, connection_id, integration_id, object, external_id, remote_version, base_snapshot,
    pushed_hash, last_synced_at, tombstoned_at, created_at, record_id, remote_modified_at)
  SELECT id, tenant_id, entity_id, connection_id, integration_id, object, external_id, remote_version, base_snapshot,
    pushed_hash, last_synced_at, tombstoned_at, created_at, record_id, remote_modified_at
  FROM entity_links ORDER BY rowid;
DROP TABLE entity_links;
ALTER TABLE entity_links_v2 RENAME TO entity_links;
CREATE INDEX entity_links_entity ON entity_links (entity_id);
CREATE INDEX entity_links_integration ON entity_links (integration_id, last_synced_at);
CREATE INDEX entity_links_record ON entity_links (connection_id, object, record_id) WHERE record_id <> external_id;

CREATE TABLE relationships_v2 (
  id              INTEGER PRIMARY KEY,
  tenant_id       TEXT NOT NULL,                -- no FK: the relationship goes with either entity
  from_entity_id  TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  kind            TEXT NOT NULL,                -- works_at, assigned_to, parent_of ...
  to_entity_id    TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  created_at      TEXT NOT NULL,
  UNIQUE (from_entity_id, kind, to_entity_id)
);
INSERT INTO relationships_v2 (id, tenant_id, from_entity_id, kind, to_entity_id, created_at)
  SELECT id, tenant_id, from_entity_id, kind, to_entity_id, created_at FROM relationships;
DROP TABLE relationships;
ALTER TABLE relationships_v2 RENAME TO relationships;
CREATE INDEX relationships_to ON relationships (to_entity_id, kind);

-- AUTOINCREMENT's high-water mark (sqlite_sequence) is carried over, so no seq is ever reused.
CREATE TABLE entity_changes_v2 (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id  TEXT NOT NULL,                     -- no FK: deleted with the tenant (trigger below)
  entity_id  TEXT NOT NULL,                     -- no FK: the feed records deletions too
  change     TEXT NOT NULL,                     -- JSON {op, fields, version, source}
  at         TEXT NOT NULL
);
INSERT INTO entity_changes_v2 (seq, tenant_id, entity_id, change, at) SELECT seq, tenant_id, entity_id, change, at FROM entity_changes;
DELETE FROM sqlite_sequence WHERE name = 'entity_changes_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT 'entity_changes_v2', seq FROM sqlite_sequence WHERE name = 'entity_changes';
DROP TABLE entity_changes;
ALTER TABLE entity_changes_v2 RENAME TO entity_changes;
CREATE INDEX entity_changes_tenant ON entity_changes (tenant_id, seq);
CREATE INDEX entity_changes_entity ON entity_changes (entity_id, seq);

CREATE TABLE entity_match_keys_v3 (
  id           INTEGER PRIMARY KEY,
  tenant_id    TEXT NOT NULL,                 -- no FK: deleted with the tenant (trigger below)
  entity_type  TEXT NOT NULL,
  key          TEXT NOT NULL,                 -- kind:value, value normalised
  entity_id    TEXT NOT NULL,                 -- no FK: lookups join entities, and writes stay cheap
  key_hash     INTEGER NOT NULL,              -- tributary_hash(tenant_id, entity_type, key)
  entity_hash  INTEGER NOT NULL               -- tributary_hash(entity_id)
);
INSERT INTO entity_match_keys_v3 (id, tenant_id, entity_type, key, entity_id, key_hash, entity_hash)
  SELECT id, tenant_id, entity_type, key, entity_id, key_hash, entity_hash FROM entity_match_keys;
DROP TABLE entity_match_keys;
ALTER TABLE entity_match_keys_v3 RENAME TO entity_match_keys;
CREATE UNIQUE INDEX entity_match_keys_hash ON entity_match_keys (key_hash, entity_hash);

CREATE TRIGGER entity_links_integration_deleted AFTER DELETE ON integrations BEGIN
  UPDATE entity_links SET integration_id = NULL WHERE integration_id = old.id;
END;
CREATE TRIGGER entity_rows_tenant_deleted AFTER DELETE ON tenants BEGIN
  DELETE FROM entity_changes WHERE tenant_id = old.id;
  DELETE FROM entity_match_keys WHERE tenant_id = old.id;
END;
