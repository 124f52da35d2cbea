-- 0032: a merge in the ticket history. The ticket events stream records, from the target's audit
-- that lists merged_ticket_ids, one 'merged' event on the target (from_value: the sources' ids,
-- comma separated; to_value: the target's id) and one on each source (from_value: its own id;
-- to_value: the target's id). Those rows come from one Zendesk audit, so a Zendesk event id is
-- kept once per ticket and kind, not once per kind.
ALTER TABLE zendesk_ticket_events DROP CONSTRAINT zendesk_ticket_events_kind_check;
ALTER TABLE zendesk_ticket_events ADD CONSTRAINT zendesk_ticket_events_kind_check
  CHECK (kind IN ('created', 'status_changed', 'priority_changed', 'escalated', 'deescalated', 'rated', 'solved', 'reopened', 'deleted', 'note_added', 'merged'));
DROP INDEX zendesk_ticket_events_zendesk_event;
CREATE UNIQUE INDEX zendesk_ticket_events_zendesk_event ON zendesk_ticket_events (connection_id, zendesk_event_id, zendesk_ticket_id, kind)
  WHERE zendesk_event_id IS NOT NULL;
