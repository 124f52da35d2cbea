-- 0011: coalesced recompute of per-customer aggregates (metrics, health). A written ticket batch
-- marks its customers here (one row per customer, however many changes arrive); a job drains the
-- rows in batches, so a burst of a thousand changes for one customer costs a few recomputes, not
-- a thousand (docs/architecture.md). A row is deleted only after its recompute, and only
-- if no newer request came meanwhile (`seq` moves forward on every request): a crash or a failed
-- recompute loses nothing, and a change during a recompute is recomputed again.
CREATE SEQUENCE customer_refresh_seq;
CREATE TABLE customer_refresh_requests (
  customer_id UUID PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL DEFAULT nextval('customer_refresh_seq'),
  requested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX customer_refresh_requests_seq ON customer_refresh_requests (seq);
