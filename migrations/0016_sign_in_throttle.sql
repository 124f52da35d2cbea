-- 0016: failed sign-ins, counted per account and per client address in the database, so that
-- every server process sees the same counts (src/modules/users/sign-in-throttle.ts). An attempt
-- counts as a failure from the moment it starts until its password is found right, so that
-- attempts sent in parallel are counted too. Rows whose counts no longer matter are pruned as
-- attempts arrive: the table holds roughly the last 15 minutes' failures.
CREATE TABLE sign_in_throttle (
  scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
  -- account: SHA-256 (hex) of the email as the sign-in lookup compares it, lower(email), whether
  -- or not such an account exists; address: the client address (an IPv6 client's /64).
  subject TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  -- The first and the last failure counted in `failures`.
  window_started_at TIMESTAMPTZ NOT NULL,
  last_failure_at TIMESTAMPTZ NOT NULL,
  -- Account: no attempt is checked before this time.
  locked_until TIMESTAMPTZ,
  PRIMARY KEY (scope, subject)
);
CREATE INDEX sign_in_throttle_last_failure ON sign_in_throttle (last_failure_at);
