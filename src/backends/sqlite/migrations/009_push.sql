-- 009_push: what pushing changes out (bidirectional sync) needs beyond 001's outbox.
--
-- outbox.relayed_at: when the relay handed the row to the sync-outbound queue; the
-- relay scans rows with neither relayed_at nor processed_at (a crash between the enqueue
-- and this mark enqueues again, which the queue's idempotency key and the row's
-- processed_at make harmless). outbox.outcome: what processing did (JSON).
--
-- push_creates: a create at a provider that was started and not yet recorded as a link.
-- The row is written (and committed) before the provider call and deleted in the
-- transaction that inserts the new link, so a crash in between leaves it behind and the
-- retry does not create the record a second time.

ALTER TABLE outbox ADD COLUMN relayed_at TEXT;
ALTER TABLE outbox ADD COLUMN outcome TEXT;
CREATE INDEX outbox_unrelayed ON outbox (created_at, id) WHERE relayed_at IS NULL AND processed_at IS NULL;
CREATE INDEX outbox_tenant ON outbox (tenant_id, created_at, id);

CREATE TABLE push_creates (
  tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  entity_id       TEXT NOT NULL,
  integration_id  TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  outbox_id       TEXT NOT NULL,
  started_at      TEXT NOT NULL,
  PRIMARY KEY (entity_id, integration_id)
);
CREATE INDEX push_creates_tenant ON push_creates (tenant_id);
