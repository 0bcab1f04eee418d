-- 003_locks: named leases of SqliteLocks (src/backends/sqlite/locks.ts).
-- (PostgreSQL port of the SQLite migration with the same number and name; dialect only.)
-- In cluster mode Redis locks replace the embedded locks: nothing uses these tables on PostgreSQL. They are
-- created anyway so that schema_migrations versions line up on both backends.
--
-- One row per lock name ever acquired. A lease is held while
-- `owner IS NOT NULL AND expires_at > now` (epoch ms, by the caller's clock); release
-- sets both to NULL but keeps the row, because `token`, the fencing token last handed
-- out, must keep growing across holders: every change of hands adds one, so a holder
-- whose lease expired always carries a smaller token than its successor.
-- Rows are never deleted: there is one per lock name (integrations, credentials), and
-- deleting one would restart its token at 1.
CREATE TABLE locks (
  name        TEXT COLLATE "C" PRIMARY KEY,
  owner       TEXT COLLATE "C",                                -- NULL: free
  token       INTEGER NOT NULL CHECK (token >= 1),
  expires_at  BIGINT,                             -- epoch ms; NULL: free
  CHECK ((owner IS NULL) = (expires_at IS NULL))
);
