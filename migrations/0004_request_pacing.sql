-- 0004: pacing our calls to Zendesk's published limits, shared by every process: a counter per
-- connection, limit bucket and minute window. Rows older than a few minutes are useless and pruned.
CREATE TABLE zendesk_request_windows (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  bucket TEXT NOT NULL,
  window_start TIMESTAMPTZ NOT NULL,
  requests INTEGER NOT NULL,
  PRIMARY KEY (connection_id, bucket, window_start)
);
