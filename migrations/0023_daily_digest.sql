-- 0023: the daily digest. Each user gets, at an hour of their own time zone (08:00 by default),
-- one mail with their accounts' new alerts, score moves, open escalations and SLA breaches; none
-- when there is nothing to say. One row per user and local date makes it exactly once per day
-- across restarts and workers (src/modules/alerts/digest.ts).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE users ADD COLUMN digest_hour SMALLINT NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN digest_enabled BOOLEAN NOT NULL DEFAULT true;

CREATE TABLE alert_digests (
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  local_date DATE NOT NULL,
  -- The 24 hours the digest covers, ending at its scheduled time.
  period_start TIMESTAMPTZ NOT NULL,
  period_end TIMESTAMPTZ NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'empty', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error TEXT,
  sent_at TIMESTAMPTZ,
  message_id TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, local_date)
);
CREATE INDEX alert_digests_due_idx ON alert_digests (next_attempt_at) WHERE status = 'pending';
