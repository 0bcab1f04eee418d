-- 008_dedup_decisions: what a person's dedup decisions need beyond 001's tables.
--
-- dedup_dismissed_pairs: two entities a reviewer judged distinct (a rejected review, or
-- an undone merge), stored once per unordered pair (left_id < right_id). The trigger
-- below skips any later review of such a pair, whichever writer inserts it, so a pair
-- that was rejected is never proposed again.

CREATE TABLE dedup_dismissed_pairs (
  tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  left_id     TEXT COLLATE "C" NOT NULL,        -- the smaller entity id; no FK: entities may be purged
  right_id    TEXT COLLATE "C" NOT NULL,
  created_at  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant_id, left_id, right_id),
  CHECK (left_id < right_id)
);

-- A BEFORE ROW trigger that returns NULL skips the row and lets the statement go on.
CREATE FUNCTION dedup_reviews_skip_dismissed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a TEXT COLLATE "C" := NEW.payload -> 'entityIds' ->> 0;
  b TEXT COLLATE "C" := NEW.payload -> 'entityIds' ->> 1;
BEGIN
  IF NEW.status = 'open' AND EXISTS (
    SELECT 1 FROM dedup_dismissed_pairs d
    WHERE d.tenant_id = NEW.tenant_id AND d.left_id = LEAST(a, b) AND d.right_id = GREATEST(a, b)
  ) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER dedup_reviews_skip_dismissed BEFORE INSERT ON dedup_reviews
  FOR EACH ROW EXECUTE FUNCTION dedup_reviews_skip_dismissed();
