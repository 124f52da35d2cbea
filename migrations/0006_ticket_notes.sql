-- 0006: the tickets API. Private notes CSMs add to Zendesk tickets from CSCX, and the indexes that
-- let a customer's ticket list be read one keyset page at a time in each of its sort orders.

-- A note is recorded only once Zendesk has accepted it (as a private comment on the ticket); the
-- body is what the author wrote, without the attribution line we prefix in Zendesk.
CREATE TABLE zendesk_ticket_notes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_ticket_id BIGINT NOT NULL,
  -- Kept when the author's account is removed: the note stays in Zendesk, attributed by its text.
  author_id UUID REFERENCES users (id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  -- From Zendesk's answer to the update, when it gave them.
  zendesk_comment_id BIGINT,
  zendesk_audit_id BIGINT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX zendesk_ticket_notes_ticket_idx ON zendesk_ticket_notes (connection_id, zendesk_ticket_id, created_at);

-- sort=created (sort=updated uses zendesk_tickets_customer_updated_idx of 0005). Both directions
-- read one index: descending is (key DESC, id ASC), ascending its exact reverse.
CREATE INDEX zendesk_tickets_customer_created_idx ON zendesk_tickets (customer_id, zendesk_created_at DESC, id);

-- sort=priority: urgent 4, high 3, normal 2, low 1, none 0; then most recently updated. The
-- expression must stay identical to PRIORITY_RANK in src/modules/tickets/tickets.repo.ts.
CREATE INDEX zendesk_tickets_customer_priority_idx ON zendesk_tickets (
  customer_id,
  (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) DESC,
  zendesk_updated_at DESC,
  id
);

-- A customer's history, newest first: walked from the newest event, each joined to its ticket
-- (for a customer holding many of the tickets); small customers go from their tickets instead.
CREATE INDEX zendesk_ticket_events_recent_idx ON zendesk_ticket_events (occurred_at DESC, id DESC);
