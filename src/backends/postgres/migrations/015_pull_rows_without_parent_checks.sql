-- 015_pull_rows_without_parent_checks: the rows a pull writes most no longer look up
-- their tenant (or integration) on every insert, as in SQLite's 015.
--
-- PostgreSQL checks a foreign key per inserted row with a SELECT ... FOR KEY SHARE of the
-- parent: for tenant_id, every pull write of a tenant share-locked that one tenants row.
-- What those keys were for is the delete of the parent, and that is kept:
--
-- - entity_links and relationships lose their tenant key (and the index it needed): they
--   already go with their entities and connections, whose keys stay.
-- - entity_links.integration_id is set to NULL by a trigger when the integration goes.
-- - entity_changes and entity_match_keys are deleted with their tenant by a trigger.

ALTER TABLE entity_links DROP CONSTRAINT entity_links_tenant_id_fkey;
ALTER TABLE entity_links DROP CONSTRAINT entity_links_integration_id_fkey;
DROP INDEX entity_links_tenant;
ALTER TABLE relationships DROP CONSTRAINT relationships_tenant_id_fkey;
DROP INDEX relationships_tenant;
ALTER TABLE entity_changes DROP CONSTRAINT entity_changes_tenant_id_fkey;
ALTER TABLE entity_match_keys DROP CONSTRAINT entity_match_keys_tenant_id_fkey;

CREATE FUNCTION entity_links_integration_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE entity_links SET integration_id = NULL WHERE integration_id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER entity_links_integration_deleted AFTER DELETE ON integrations
  FOR EACH ROW EXECUTE FUNCTION entity_links_integration_deleted();

CREATE FUNCTION entity_rows_tenant_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM entity_changes WHERE tenant_id = OLD.id;
  DELETE FROM entity_match_keys WHERE tenant_id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER entity_rows_tenant_deleted AFTER DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION entity_rows_tenant_deleted();
