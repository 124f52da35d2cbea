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

-- Changing a customer's CSM (0024, 0028) moves its open alerts to the new CSM; the old CSM keeps
-- those they were assigned and, now, those of the types they follow the account for.
CREATE OR REPLACE FUNCTION move_open_alerts_to_new_csm() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.csm_id IS NOT NULL THEN
    DELETE FROM alert_recipients r USING alerts a
     WHERE r.alert_id = a.id AND a.customer_id = NEW.id AND a.status <> 'resolved' AND r.user_id = OLD.csm_id
       AND a.assigned_to IS DISTINCT FROM OLD.csm_id
       AND NOT EXISTS (SELECT 1 FROM customer_follows f
                        WHERE f.user_id = OLD.csm_id AND f.customer_id = NEW.id AND (f.types IS NULL OR a.type = ANY (f.types)));
  END IF;
  IF NEW.csm_id IS NOT NULL THEN
    INSERT INTO alert_recipients (alert_id, user_id)
    SELECT a.id, NEW.csm_id FROM alerts a JOIN users u ON u.id = NEW.csm_id AND u.disabled_at IS NULL
     WHERE a.customer_id = NEW.id AND a.status <> 'resolved'
    ON CONFLICT DO NOTHING;
  END IF;
  INSERT INTO alert_recipients (alert_id, user_id)
  SELECT a.id, u.id FROM alerts a
    JOIN users u ON u.disabled_at IS NULL
     AND u.role = CASE WHEN EXISTS (SELECT 1 FROM users l WHERE l.role = 'leader' AND l.disabled_at IS NULL) THEN 'leader' ELSE 'admin' END
   WHERE a.customer_id = NEW.id AND a.status <> 'resolved'
     AND NOT EXISTS (SELECT 1 FROM alert_recipients r WHERE r.alert_id = a.id)
  ON CONFLICT DO NOTHING;
  RETURN NEW;
END
$$;
