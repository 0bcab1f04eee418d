-- Pending OAuth authorisations (connection API): the `state` parameter and the PKCE
-- (PostgreSQL port of the SQLite migration with the same number and name; dialect only.)
-- verifier stay server-side until the callback takes them (once) or they expire (10 min).
-- Expired rows are dropped by the repository's `take`.
CREATE TABLE oauth_states (
  state          TEXT COLLATE "C" PRIMARY KEY,
  tenant_id      TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  connection_id  TEXT COLLATE "C" NOT NULL,
  provider       TEXT COLLATE "C" NOT NULL,
  data           JSONB NOT NULL DEFAULT '{}',   -- JSON: token URL, redirect URI, scopes, return URL, client id
  code_verifier  TEXT COLLATE "C" NOT NULL,
  created_at     TEXT COLLATE "C" NOT NULL,
  expires_at     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
