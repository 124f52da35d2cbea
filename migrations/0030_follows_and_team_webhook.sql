-- 0030: every alert reaches a person, and the team.
--
-- Following a customer account: a user (any role) receives that customer's alerts in addition to
-- whoever routing chose (its CSM, else the leaders, else the admins), with their own webhook and
-- email deliveries like any recipient, and subject to their per-type subscriptions. `types` NULL
-- follows every alert type; otherwise only those listed (validated by the API).
CREATE TABLE customer_follows (
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  types TEXT[] CHECK (types IS NULL OR cardinality(types) > 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, customer_id)
);
CREATE INDEX customer_follows_customer_idx ON customer_follows (customer_id);

-- The team's Slack channel: one incoming-webhook URL for the whole installation (at most one row),
-- set by an admin, sealed like the personal webhooks' URLs (alert_webhooks).
CREATE TABLE alert_team_webhook (
  id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  url_sealed TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  set_by UUID NOT NULL REFERENCES users (id),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Its deliveries are rows of alert_deliveries with channel 'team_webhook' and, as user_id, the admin
-- who set the webhook (so that they are listed with the others, their owner sees the failures, and
-- retries, backoff and claiming work as for the personal webhooks). Exactly once per alert is held
-- by the unique index below, whatever the user_id: a second insert for the same alert (a retried
-- statement, or another admin setting the URL meanwhile) conflicts instead of doubling the post.
ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_channel_check;
ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_channel_check CHECK (channel IN ('webhook', 'email', 'team_webhook'));
CREATE UNIQUE INDEX alert_deliveries_team_once_idx ON alert_deliveries (alert_id) WHERE channel = 'team_webhook';
