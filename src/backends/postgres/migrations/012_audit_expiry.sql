-- 012_audit_expiry: retention for audit log rows, and the index of the webhook delivery
-- audit's filtered, keyset-paginated listing (GET /v1/audit?kind=webhook_delivery).
--
-- audit_log.expires_at: when the row may be purged (ISO-8601 UTC text). Credential access
--   rows (`credential.access`) are kept 90 days like token refreshes; admin actions keep
--   NULL, which never expires. The partial index serves only the purge's
--   `expires_at <= ?` (a NULL never matches), so admin rows cost it nothing.
-- webhook_audit_registration: now (registration_id, received_at, id), the listing's whole
--   sort key, so a page is read in index order without a sort; it replaces 001's index of
--   the same name, whose (registration_id, received_at) it covers.
-- webhook_audit_outcome: the same order within one outcome (`status=`), so a rare
--   outcome among many accepted deliveries is found without scanning them.

ALTER TABLE audit_log ADD COLUMN expires_at TEXT COLLATE "C";
CREATE INDEX audit_log_expiry ON audit_log (expires_at) WHERE expires_at IS NOT NULL;

DROP INDEX webhook_audit_registration;
CREATE INDEX webhook_audit_registration ON webhook_audit (registration_id, received_at, id);
CREATE INDEX webhook_audit_outcome ON webhook_audit (registration_id, outcome, received_at, id);
