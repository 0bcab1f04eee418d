-- 010_link_modified: the provider's modification time of a linked record as last written
-- (by a pull, a webhook or a push). A pull page read before a push landed carries an older
-- time than the push recorded, and is skipped instead of undoing the push (sync/pull/page-plan.ts).

ALTER TABLE entity_links ADD COLUMN remote_modified_at TEXT;
