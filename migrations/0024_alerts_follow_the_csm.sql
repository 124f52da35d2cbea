-- 0024: changing a customer's CSM moves its open (unresolved) alerts to the new CSM, whatever
-- changed it (the API, a CSV import, the CLI): the old CSM's recipient rows go, the new CSM is
-- added, and an alert left without a recipient gets the leaders, or with none the admins (routing's
-- fallback, src/modules/alerts/alerts.service.ts).
CREATE FUNCTION move_open_alerts_to_new_csm() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.csm_id IS NOT NULL THEN
    DELETE FROM alert_recipients r USING alerts a
     WHERE r.alert_id = a.id AND a.customer_id = NEW.id AND a.status <> 'resolved' AND r.user_id = OLD.csm_id;
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

CREATE TRIGGER customers_csm_moves_open_alerts
  AFTER UPDATE OF csm_id ON customers
  FOR EACH ROW WHEN (OLD.csm_id IS DISTINCT FROM NEW.csm_id)
  EXECUTE FUNCTION move_open_alerts_to_new_csm();
