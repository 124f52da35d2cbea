-- 0003: ticket sync. Zendesk users and organizations (side-loaded by the export, used for
-- matching and display), the sync state of each connection (the export cursor is committed with
-- the page it follows, so an interrupted import resumes exactly), and the durable webhook inbox.

ALTER TABLE zendesk_tickets ADD COLUMN generated_timestamp BIGINT;
ALTER TABLE zendesk_tickets ADD COLUMN satisfaction_rating_id BIGINT;
ALTER TABLE zendesk_tickets ADD COLUMN via_channel TEXT;

CREATE TABLE zendesk_users (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_user_id BIGINT NOT NULL,
  name TEXT,
  email TEXT,
  role TEXT,
  organization_zendesk_id BIGINT,
  zendesk_updated_at TIMESTAMPTZ,
  PRIMARY KEY (connection_id, zendesk_user_id)
);

CREATE TABLE zendesk_organizations (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_organization_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  domain_names TEXT[] NOT NULL DEFAULT '{}',
  external_id TEXT,
  zendesk_updated_at TIMESTAMPTZ,
  PRIMARY KEY (connection_id, zendesk_organization_id)
);

CREATE TABLE zendesk_sync_state (
  connection_id UUID PRIMARY KEY REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  phase TEXT NOT NULL DEFAULT 'importing' CHECK (phase IN ('importing', 'live', 'paused', 'failed')),
  -- The export's after_cursor following the last committed page; NULL before the first page.
  export_cursor TEXT,
  -- Tickets written by the historical import, and Zendesk's ticket count when it started.
  imported BIGINT NOT NULL DEFAULT 0,
  total BIGINT,
  import_started_at TIMESTAMPTZ,
  import_finished_at TIMESTAMPTZ,
  -- The last time the export was followed to its end (everything up to a minute before is here).
  last_synced_at TIMESTAMPTZ,
  error TEXT,
  error_at TIMESTAMPTZ,
  -- One sync per connection at a time, across processes: a lease renewed on every page.
  lease_owner TEXT,
  lease_until TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Webhook deliveries are stored before they are acknowledged, then processed. The dedupe key
-- (Zendesk's event id, or ticket id + updated_at for trigger bodies) makes a repeated delivery a no-op.
CREATE TABLE zendesk_webhook_deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  dedupe_key TEXT NOT NULL,
  zendesk_ticket_id BIGINT,
  payload JSONB NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  processed_at TIMESTAMPTZ,
  CONSTRAINT zendesk_webhook_deliveries_dedupe_key UNIQUE (connection_id, dedupe_key)
);
CREATE INDEX zendesk_webhook_deliveries_pending_idx ON zendesk_webhook_deliveries (connection_id, id) WHERE processed_at IS NULL;

-- The sync state above now says when a connection last synced.
ALTER TABLE zendesk_connections DROP COLUMN last_synced_at;
