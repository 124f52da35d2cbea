-- 0002: our own access control (passwords, API keys, sessions) and what a Zendesk connection
-- needs to hold: sealed credentials, the webhook we registered, OAuth flows in progress, errors.
-- Every secret is stored sealed by src/lib/secret-box.ts (AES-256-GCM, key id inside the value);
-- API keys and session tokens are stored only as SHA-256 hashes.

ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

CREATE TABLE api_keys (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  -- The first characters of the key, to recognise it in a list; the key itself is never stored.
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Sent back by the UI in X-CSRF-Token on every write made with the session cookie.
  csrf_token TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- An OAuth authorization in progress: random state (stored hashed), single use, bound to the admin
-- who asked, expiring after 10 minutes; in the database so that any replica can finish the flow.
CREATE TABLE oauth_states (
  state_hash TEXT PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  subdomain TEXT NOT NULL,
  -- The PKCE code verifier, sealed.
  code_verifier_sealed TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ
);

-- Sealed JSON: {"email","apiToken"} for API tokens, {"accessToken","refreshToken"} for OAuth.
ALTER TABLE zendesk_connections ADD COLUMN credentials_sealed TEXT;
ALTER TABLE zendesk_connections ADD COLUMN access_token_expires_at TIMESTAMPTZ;
ALTER TABLE zendesk_connections ADD COLUMN refresh_token_expires_at TIMESTAMPTZ;
ALTER TABLE zendesk_connections ADD COLUMN oauth_scope TEXT;
-- Who the credentials act as in Zendesk (users/me at connect time).
ALTER TABLE zendesk_connections ADD COLUMN zendesk_user_id BIGINT;
ALTER TABLE zendesk_connections ADD COLUMN zendesk_user_email TEXT;
-- The webhook (and the trigger feeding it) we registered in Zendesk, and its sealed signing secret.
ALTER TABLE zendesk_connections ADD COLUMN webhook_id TEXT;
ALTER TABLE zendesk_connections ADD COLUMN trigger_id BIGINT;
ALTER TABLE zendesk_connections ADD COLUMN webhook_secret_sealed TEXT;
ALTER TABLE zendesk_connections ADD COLUMN last_error TEXT;
ALTER TABLE zendesk_connections ADD COLUMN last_error_at TIMESTAMPTZ;
ALTER TABLE zendesk_connections ADD COLUMN last_synced_at TIMESTAMPTZ;
