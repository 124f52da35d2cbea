-- 0027: when each alert delivery (email, webhook) was last tried, so that a person can see which
-- of their deliveries failed and when (GET /api/alerts/deliveries). Rows tried before this
-- migration have none.
ALTER TABLE alert_deliveries ADD COLUMN last_attempt_at TIMESTAMPTZ;
-- Each person's failed deliveries, newest first.
CREATE INDEX alert_deliveries_failed_idx ON alert_deliveries (user_id, last_attempt_at DESC NULLS LAST) WHERE status = 'failed';
