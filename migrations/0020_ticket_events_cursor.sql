-- 0020: following Zendesk's ticket events export (docs/zendesk.md, Ticket events export). Each
-- connection follows it with its own position (the next start_time) and its own lease, apart from
-- the ticket export's: the stream never holds up the ticket import or its catch-up. History rows
-- from the stream carry Zendesk's child event id, unique per connection and kind (one status
-- change can be both status_changed and solved), so a page read again after a crash adds nothing.
CREATE TABLE zendesk_ticket_events_stream (
  connection_id UUID PRIMARY KEY REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  -- The start_time of the next page; NULL until the stream starts (from 0: the whole history).
  start_time BIGINT,
  last_streamed_at TIMESTAMPTZ,
  lease_owner TEXT,
  lease_until TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE zendesk_ticket_events ADD COLUMN zendesk_event_id BIGINT;
ALTER TABLE zendesk_ticket_events DROP CONSTRAINT zendesk_ticket_events_source_check;
ALTER TABLE zendesk_ticket_events ADD CONSTRAINT zendesk_ticket_events_source_check
  CHECK (source IN ('import', 'catch-up', 'webhook', 'note', 'events'));
CREATE UNIQUE INDEX zendesk_ticket_events_zendesk_event ON zendesk_ticket_events (connection_id, zendesk_event_id, kind)
  WHERE zendesk_event_id IS NOT NULL;
