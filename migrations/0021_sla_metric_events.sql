-- 0021: SLA outcomes as Zendesk measures them, from its ticket metric events export
-- (docs/metrics.md, SLA compliance). Events are kept as Zendesk sends them, one row per event id
-- per connection, so re-reading a page changes nothing; the outcome of each (ticket, metric,
-- instance) is derived from them when metrics are computed.
CREATE TABLE zendesk_ticket_metric_events (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_event_id BIGINT NOT NULL,
  zendesk_ticket_id BIGINT NOT NULL,
  metric TEXT NOT NULL,
  instance_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  -- breach events only: Zendesk says to ignore a breach whose deleted is true.
  deleted BOOLEAN NOT NULL DEFAULT false,
  -- apply_sla only: the policy and target enforced.
  sla JSONB,
  PRIMARY KEY (connection_id, zendesk_event_id)
);
CREATE INDEX zendesk_ticket_metric_events_ticket ON zendesk_ticket_metric_events (connection_id, zendesk_ticket_id);
CREATE INDEX zendesk_ticket_metric_events_breach ON zendesk_ticket_metric_events (occurred_at) WHERE type = 'breach' AND NOT deleted;

-- Where each connection's follow of the export stands: the export's start_time to ask for next.
CREATE TABLE zendesk_metric_event_cursors (
  connection_id UUID PRIMARY KEY REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  start_time BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
