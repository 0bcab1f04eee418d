-- 003_locks: named leases of SqliteLocks (src/backends/sqlite/locks.ts).
--
-- One row per lock name ever acquired. A lease is held while
-- `owner IS NOT NULL AND expires_at > now` (epoch ms, by the caller's clock); release
-- sets both to NULL but keeps the row, because `token`, the fencing token last handed
-- out, must keep growing across holders: every change of hands adds one, so a holder
-- whose lease expired always carries a smaller token than its successor.
-- Rows are never deleted: there is one per lock name (integrations, credentials), and
-- deleting one would restart its token at 1.
CREATE TABLE locks (
  name        TEXT PRIMARY KEY,
  owner       TEXT,                                -- NULL: free
  token       INTEGER NOT NULL CHECK (token >= 1),
  expires_at  INTEGER,                             -- epoch ms; NULL: free
  CHECK ((owner IS NULL) = (expires_at IS NULL))
);
