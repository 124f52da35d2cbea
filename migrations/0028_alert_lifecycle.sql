-- 0028: an alert's lifecycle beyond open/acknowledged/resolved. Snoozing hides an alert from the
-- default view and the unread badge until a time (compared with now() when read: nothing wakes it),
-- assigning hands it to another user (who becomes a recipient), resolving may carry a note, and
-- every step is recorded in alert_events, written in the statement that makes the change.
ALTER TABLE alerts ADD COLUMN snoozed_until TIMESTAMPTZ;
ALTER TABLE alerts ADD COLUMN snoozed_by UUID REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE alerts ADD COLUMN assigned_to UUID REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE alerts ADD COLUMN assigned_at TIMESTAMPTZ;
ALTER TABLE alerts ADD COLUMN resolution_note TEXT CHECK (char_length(resolution_note) <= 2000);
CREATE INDEX alerts_snoozed_idx ON alerts (snoozed_until) WHERE snoozed_until IS NOT NULL;

-- The history of an alert, oldest first by (at, id). actor_id is the user who acted, NULL for the
-- system (raising). details: {"note"} on resolved, {"until"} on snoozed, {"assigneeId"} on
-- assigned, {"via":"link"} on an acknowledgement from a mail's or Slack message's link.
CREATE TABLE alert_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id UUID NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('raised', 'acknowledged', 'snoozed', 'unsnoozed', 'assigned', 'resolved')),
  actor_id UUID REFERENCES users (id) ON DELETE SET NULL,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  details JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, at, id);

-- The alerts that exist already: raised when created, and acknowledged and resolved as recorded.
INSERT INTO alert_events (alert_id, kind, actor_id, at)
SELECT id, 'raised', NULL, created_at FROM alerts ORDER BY seq;
INSERT INTO alert_events (alert_id, kind, actor_id, at)
SELECT id, 'acknowledged', acknowledged_by, acknowledged_at FROM alerts WHERE acknowledged_at IS NOT NULL ORDER BY seq;
INSERT INTO alert_events (alert_id, kind, actor_id, at)
SELECT id, 'resolved', resolved_by, resolved_at FROM alerts WHERE resolved_at IS NOT NULL ORDER BY seq;

-- Changing a customer's CSM (0024) moves its open alerts to the new CSM, but an alert someone was
-- assigned stays with its assignee, also when the assignee is the old CSM.
CREATE OR REPLACE FUNCTION move_open_alerts_to_new_csm() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.csm_id IS NOT NULL THEN
    DELETE FROM alert_recipients r USING alerts a
     WHERE r.alert_id = a.id AND a.customer_id = NEW.id AND a.status <> 'resolved' AND r.user_id = OLD.csm_id
       AND a.assigned_to IS DISTINCT FROM OLD.csm_id;
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
