-- Pending OAuth authorisations (connection API): the `state` parameter and the PKCE
-- verifier stay server-side until the callback takes them (once) or they expire (10 min).
-- Expired rows are dropped by the repository's `take`.
CREATE TABLE oauth_states (
  state          TEXT PRIMARY KEY,
  tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  connection_id  TEXT NOT NULL,
  provider       TEXT NOT NULL,
  data           TEXT NOT NULL DEFAULT '{}',   -- JSON: token URL, redirect URI, scopes, return URL, client id
  code_verifier  TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
