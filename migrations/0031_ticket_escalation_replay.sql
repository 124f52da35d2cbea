-- 0031: dating escalations from the ticket events stream (docs/architecture.md, When history
-- happened). The stream replays each ticket's audits in order and evaluates the connection's
-- escalation rule after each one; a ticket's audits can span pages (and runs), so what the rule
-- looks at after the last audit applied is kept here, per connection and ticket, written in the
-- page's transaction with the page's events and the next position. The last audit applied
-- (its time and id) lets a page read again skip the audits already replayed.
CREATE TABLE zendesk_ticket_escalation_replay (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_ticket_id BIGINT NOT NULL,
  priority TEXT,
  tags JSONB NOT NULL DEFAULT '[]'::jsonb,
  group_zendesk_id BIGINT,
  last_audit_at TIMESTAMPTZ NOT NULL,
  last_audit_id BIGINT NOT NULL,
  PRIMARY KEY (connection_id, zendesk_ticket_id)
);

-- Streams already under way have passed the creation of their tickets, so they could replay none
-- of them: they start over from the beginning. A page read again adds no row twice (rows are keyed
-- by Zendesk's child event id); the pass re-dates escalations and marks customers for a rebuild,
-- as the first pass did.
UPDATE zendesk_ticket_events_stream SET start_time = 0 WHERE start_time IS NOT NULL;
