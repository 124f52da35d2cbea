-- Alerts: raised from written ticket batches and by the scheduled SLA check,
-- exactly once each (dedupe_key), routed to the customer's CSM or, with none, to the leaders.

CREATE TABLE alerts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Orders the list and its cursor (created_at can tie).
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- <type>:<what it is about>:<occurrence>, e.g. escalation:<connection>:<ticket>:<updated_at>.
  dedupe_key TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('escalation', 'sla_breach', 'ticket_spike', 'negative_csat')),
  customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  connection_id UUID REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_ticket_id BIGINT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  -- What the alert is about: subject, priority, the CSAT comment, the SLA metric, the spike's count.
  details JSONB NOT NULL DEFAULT '{}',
  -- When the event happened in Zendesk (the ticket's update, the breach time, the spike's last ticket).
  occurred_at TIMESTAMPTZ NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  acknowledged_at TIMESTAMPTZ,
  acknowledged_by UUID REFERENCES users (id) ON DELETE SET NULL,
  resolved_at TIMESTAMPTZ,
  resolved_by UUID REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX alerts_customer_idx ON alerts (customer_id, seq);
CREATE INDEX alerts_status_idx ON alerts (status, seq);

-- Who an alert was routed to when it was raised.
CREATE TABLE alert_recipients (
  alert_id UUID NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX alert_recipients_user_idx ON alert_recipients (user_id, alert_id);

-- Opt-outs per alert type; no row means subscribed.
CREATE TABLE alert_subscriptions (
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('escalation', 'sla_breach', 'ticket_spike', 'negative_csat')),
  enabled BOOLEAN NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, type)
);

-- Delivery beyond the app: one outbound webhook per user (e.g. a Slack incoming webhook); the URL
-- is a secret, sealed like the Zendesk credentials.
CREATE TABLE alert_webhooks (
  user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  url_sealed TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One delivery per alert and recipient with a webhook, queued in the statement that raises the
-- alert and retried with backoff; its failure never touches the alert.
CREATE TABLE alert_deliveries (
  alert_id UUID NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error TEXT,
  delivered_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
