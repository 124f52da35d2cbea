-- 0005: matching tickets to customers, and ticket history.
--
-- Matching (first rule that matches wins, the rule is stored on the ticket as match_method):
--   1. organization   an explicit mapping of the ticket's Zendesk organization to a customer;
--   2. custom_field   the connection's configured ticket field holding a customer's id, external id or name;
--   3. email_domain   the requester's email domain (or a parent domain) claimed by exactly one customer;
--   4. organization_domain  the same, with the Zendesk organization's domain_names.

CREATE TABLE zendesk_organization_mappings (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_organization_id BIGINT NOT NULL,
  customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  created_by UUID REFERENCES users (id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, zendesk_organization_id)
);
CREATE INDEX zendesk_organization_mappings_customer_idx ON zendesk_organization_mappings (customer_id);

-- At most one custom-field rule per connection.
CREATE TABLE zendesk_custom_field_rules (
  connection_id UUID PRIMARY KEY REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  field_id BIGINT NOT NULL,
  match_on TEXT NOT NULL CHECK (match_on IN ('id', 'external_id', 'name')),
  created_by UUID REFERENCES users (id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX customers_lower_name_idx ON customers (lower(name));
CREATE INDEX zendesk_tickets_requester_domain_idx ON zendesk_tickets (connection_id, lower(split_part(requester_email, '@', 2)));

-- Escalated, as the write path computes it (default rule: priority urgent, or a tag escalated or
-- escalation; the metrics issue makes the rule configurable per connection).
ALTER TABLE zendesk_tickets ADD COLUMN escalated BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX zendesk_tickets_customer_updated_idx ON zendesk_tickets (customer_id, zendesk_updated_at DESC, id);

-- What the sync saw happen to each ticket, found by comparing the stored version with the new one
-- in the batch that writes it. occurred_at is Zendesk's time of the version that showed it (or the
-- ticket's own created_at / solved time when the first version seen already shows it).
CREATE TABLE zendesk_ticket_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_ticket_id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('created', 'status_changed', 'priority_changed', 'escalated', 'deescalated', 'rated', 'solved', 'reopened', 'deleted', 'note_added')),
  from_value TEXT,
  to_value TEXT,
  occurred_at TIMESTAMPTZ NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('import', 'catch-up', 'webhook', 'note')),
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX zendesk_ticket_events_ticket_idx ON zendesk_ticket_events (connection_id, zendesk_ticket_id, occurred_at);
