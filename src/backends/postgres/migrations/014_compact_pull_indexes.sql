-- 014_compact_pull_indexes: entity_links_record holds only links whose record id differs
-- from their external id (a GitHub issue keyed by its URL). Most providers key records
-- by their own id; those links are found by record id through the UNIQUE (connection,
-- object, external id) index, and a pull no longer writes a second index entry for each.
--
-- SQLite's 014 also rebuilds entity_match_keys around integer hashes, because there every
-- index page a commit dirties is written whole to the WAL; PostgreSQL logs an index insert
-- as a small record (a whole page only at its first change after a checkpoint), and keeps
-- its table.

DROP INDEX entity_links_record;
CREATE INDEX entity_links_record ON entity_links (connection_id, object, record_id) WHERE record_id <> external_id;
