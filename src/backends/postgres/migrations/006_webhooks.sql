-- 006_webhooks: what the webhook feature needs beyond 001's tables (additive only).
-- (PostgreSQL port of the SQLite migration with the same number and name; dialect only.)
--
-- webhooks.scheme: the verification scheme when it is not the provider's own
--   ('standard' for Standard Webhooks senders); NULL means the provider's scheme.
-- webhooks.config: JSON object, provider-specific registration data (GitHub repo/org,
--   Google resource id and channel kind, Salesforce org id, Notion handshake state).
--   Secrets are never here: webhook_secret_ref points at the SecretStore.
-- webhook_audit.claimed_delivery_id: the delivery id a rejected or duplicate delivery
--   presented. Only accepted deliveries hold delivery_id (the UNIQUE replay key), so a
--   forged request cannot take the key of a real delivery that has not arrived yet.
-- webhook_audit.event_id: the event an accepted delivery stored, so a duplicate finds
--   it through the audit's UNIQUE (registration_id, delivery_id) index (no second index
--   on webhook_events to maintain on the hot path).
ALTER TABLE webhooks ADD COLUMN scheme TEXT COLLATE "C";
ALTER TABLE webhooks ADD COLUMN config JSONB NOT NULL DEFAULT '{}';
ALTER TABLE webhook_audit ADD COLUMN claimed_delivery_id TEXT COLLATE "C";
ALTER TABLE webhook_audit ADD COLUMN event_id TEXT COLLATE "C";
