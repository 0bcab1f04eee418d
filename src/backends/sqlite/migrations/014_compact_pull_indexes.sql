-- 014_compact_pull_indexes: the two indexes a pull wrote most of its pages for.
--
-- A pull inserts match keys and links in an order no index follows (emails, phones,
-- provider ids), so each commit dirtied nearly every leaf page of these indexes, and
-- every dirtied page is one WAL frame: on 100,000 Salesforce contacts, entity_match_keys
-- was half the frames written and entity_links_record a tenth.
--
-- entity_match_keys: a plain table in insertion order (appends) and one unique index of
-- two integers, the hash of (tenant, entity type, key) that lookups use and the hash of
-- the entity id (match-key-hash.ts), instead of a WITHOUT ROWID table keyed by the texts.
-- Lookups compare the texts too. `tributary_hash` is registered by migrate.ts.
--
-- entity_links_record: only links whose record id differs from their external id (a
-- GitHub issue keyed by its URL). Most providers key records by their own id, and those
-- links are found by record id through the UNIQUE (connection, object, external id) index.

CREATE TABLE entity_match_keys_v2 (
  id           INTEGER PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_type  TEXT NOT NULL,
  key          TEXT NOT NULL,                 -- kind:value, value normalised
  entity_id    TEXT NOT NULL,                 -- no FK: lookups join entities, and writes stay cheap
  key_hash     INTEGER NOT NULL,              -- tributary_hash(tenant_id, entity_type, key)
  entity_hash  INTEGER NOT NULL               -- tributary_hash(entity_id)
);
INSERT INTO entity_match_keys_v2 (tenant_id, entity_type, key, entity_id, key_hash, entity_hash)
  SELECT tenant_id, entity_type, key, entity_id, tributary_hash(tenant_id, entity_type, key), tributary_hash(entity_id)
  FROM entity_match_keys ORDER BY entity_id;
DROP TABLE entity_match_keys;
ALTER TABLE entity_match_keys_v2 RENAME TO entity_match_keys;
CREATE UNIQUE INDEX entity_match_keys_hash ON entity_match_keys (key_hash, entity_hash);

DROP INDEX entity_links_record;
CREATE INDEX entity_links_record ON entity_links (connection_id, object, record_id) WHERE record_id <> external_id;
