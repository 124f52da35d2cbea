-- 0014: the request pacer keeps, per connection and limit, the times of the requests it granted in
-- the last minute (a sliding log) instead of a count per calendar minute. A calendar-minute count
-- lets 2N requests through within one minute across a boundary, and Zendesk's windows are not
-- aligned to ours: the emulator (and, by its docs, Zendesk) answers 429 there, and each 429 costs
-- a Retry-After wait. With the log, no minute, however aligned, ever sees more than N.
CREATE TABLE zendesk_request_pacing (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  bucket TEXT NOT NULL,
  -- Granted request times within the last window, oldest first.
  recent TIMESTAMPTZ[] NOT NULL DEFAULT '{}',
  -- Requests granted since the row was created (benchmarks and metrics read it).
  granted BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id, bucket)
);
DROP TABLE zendesk_request_windows;
