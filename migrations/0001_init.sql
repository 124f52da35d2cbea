-- 0001: people, customers, Zendesk connections, tickets and daily metrics.
--
-- Shaped for a product that connects several Zendesk subdomains:
-- * A Zendesk ticket id is unique only inside its subdomain, so a ticket's key is
--   (connection_id, zendesk_ticket_id), not zendesk_ticket_id alone.
-- * Zendesk's own timestamps are kept as zendesk_created_at / zendesk_updated_at, apart from our
--   write times, and every upsert is guarded by zendesk_updated_at so that an older version of a
--   ticket (a late webhook, a replayed export page) can never overwrite a newer one.
-- * Requester, assignee and organization keep their Zendesk ids beside the display values, so that
--   matching and re-matching work on ids, and "unmatched" (customer_id NULL) is a visible state.
-- * Deleted tickets are kept (status 'deleted') for history and left out of open counts.

CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'csm')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE customers (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The customer's id in the CRM; bulk imports are idempotent on it.
  external_id TEXT UNIQUE,
  name TEXT NOT NULL,
  -- Lower-case registrable domains (acme.com); a ticket from eu.acme.com matches acme.com.
  domains TEXT[] NOT NULL DEFAULT '{}',
  csm_id UUID REFERENCES users (id) ON DELETE SET NULL,
  -- Health score from the rest of the platform (0-100), before the support component.
  base_health_score NUMERIC(5, 2) CHECK (base_health_score BETWEEN 0 AND 100),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX customers_csm_idx ON customers (csm_id);
CREATE INDEX customers_domains_idx ON customers USING gin (domains);

CREATE TABLE zendesk_connections (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The Zendesk subdomain (acme for acme.zendesk.com), lower case.
  subdomain TEXT NOT NULL UNIQUE CHECK (subdomain ~ '^[a-z0-9][a-z0-9-]*$'),
  auth_method TEXT NOT NULL CHECK (auth_method IN ('oauth', 'api_token')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'needs_reauth', 'error', 'disconnected')),
  created_by UUID REFERENCES users (id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE zendesk_tickets (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_ticket_id BIGINT NOT NULL,
  customer_id UUID REFERENCES customers (id) ON DELETE SET NULL,
  -- How customer_id was found (first match wins, in this order); NULL while unmatched.
  match_method TEXT CHECK (match_method IN ('organization', 'custom_field', 'email_domain', 'organization_domain')),
  subject TEXT,
  description TEXT,
  status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted')),
  priority TEXT CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
  ticket_type TEXT CHECK (ticket_type IN ('problem', 'incident', 'question', 'task')),
  requester_zendesk_id BIGINT,
  requester_email TEXT,
  requester_name TEXT,
  assignee_zendesk_id BIGINT,
  assignee_name TEXT,
  organization_zendesk_id BIGINT,
  group_zendesk_id BIGINT,
  tags TEXT[] NOT NULL DEFAULT '{}',
  -- Zendesk's custom_fields as sent: [{"id": 123, "value": ...}].
  custom_fields JSONB NOT NULL DEFAULT '[]',
  satisfaction_rating TEXT CHECK (satisfaction_rating IN ('offered', 'unoffered', 'good', 'bad')),
  satisfaction_comment TEXT,
  -- Zendesk's SLA policy metrics for the ticket (the `slas` side-load), as sent.
  sla_policy_metrics JSONB,
  zendesk_created_at TIMESTAMPTZ NOT NULL,
  zendesk_updated_at TIMESTAMPTZ NOT NULL,
  -- When the ticket was last solved (Zendesk's ticket metric solved_at); NULL while unsolved.
  resolved_at TIMESTAMPTZ,
  first_synced_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_synced_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT zendesk_tickets_connection_ticket_key UNIQUE (connection_id, zendesk_ticket_id)
);
CREATE INDEX zendesk_tickets_customer_status_idx ON zendesk_tickets (customer_id, status);
CREATE INDEX zendesk_tickets_unmatched_idx ON zendesk_tickets (connection_id, organization_zendesk_id) WHERE customer_id IS NULL;

CREATE TABLE zendesk_metrics (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  metric_date DATE NOT NULL,
  open_tickets INTEGER NOT NULL DEFAULT 0,
  escalations INTEGER NOT NULL DEFAULT 0,
  avg_resolution_hours NUMERIC,
  median_resolution_hours NUMERIC,
  -- good / (good + bad) over the trailing 90 days; NULL when there were no ratings (not zero).
  csat_score NUMERIC CHECK (csat_score BETWEEN 0 AND 1),
  csat_ratings INTEGER NOT NULL DEFAULT 0,
  sla_compliance NUMERIC CHECK (sla_compliance BETWEEN 0 AND 1),
  computed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT zendesk_metrics_customer_date_key UNIQUE (customer_id, metric_date)
);
