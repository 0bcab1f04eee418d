-- 008_dedup_decisions: what a person's dedup decisions need beyond 001's tables.
--
-- dedup_dismissed_pairs: two entities a reviewer judged distinct (a rejected review, or
-- an undone merge), stored once per unordered pair (left_id < right_id). The trigger
-- below skips any later review of such a pair, whichever writer inserts it, so a pair
-- that was rejected is never proposed again.

CREATE TABLE dedup_dismissed_pairs (
  tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  left_id     TEXT NOT NULL,                    -- the smaller entity id; no FK: entities may be purged
  right_id    TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (tenant_id, left_id, right_id),
  CHECK (left_id < right_id)
) WITHOUT ROWID;

-- RAISE(IGNORE) drops the row being inserted and lets the statement go on.
CREATE TRIGGER dedup_reviews_skip_dismissed BEFORE INSERT ON dedup_reviews
WHEN NEW.status = 'open' AND EXISTS (
  SELECT 1 FROM dedup_dismissed_pairs d
  WHERE d.tenant_id = NEW.tenant_id
    AND d.left_id = min(json_extract(NEW.payload, '$.entityIds[0]'), json_extract(NEW.payload, '$.entityIds[1]'))
    AND d.right_id = max(json_extract(NEW.payload, '$.entityIds[0]'), json_extract(NEW.payload, '$.entityIds[1]'))
)
BEGIN
  SELECT RAISE(IGNORE);
END;
