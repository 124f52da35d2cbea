-- 0015: ticket history rows go with their connection through a delete trigger instead of a foreign
-- key. The history takes about 2.5 rows per imported ticket, and the key's check ran once for
-- each of them (a lookup and a lock on the connection row): measured, a third of the cost of
-- inserting a page's history and a tenth of the database's work for the whole import. Every
-- history row is written in the transaction that writes its ticket (or note), whose own foreign
-- key holds the connection: deleting the connection waits for that transaction (its cascade to
-- the tickets waits on their rows), then this trigger removes what it wrote. Row triggers fire in
-- name order, so the foreign keys' cascades ("RI_ConstraintTrigger...") run before this one.
ALTER TABLE zendesk_ticket_events DROP CONSTRAINT zendesk_ticket_events_connection_id_fkey;

CREATE FUNCTION zendesk_connection_deleted_drop_ticket_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM zendesk_ticket_events WHERE connection_id = OLD.id;
  RETURN OLD;
END
$$;

CREATE TRIGGER zendesk_connections_drop_ticket_events AFTER DELETE ON zendesk_connections
  FOR EACH ROW EXECUTE FUNCTION zendesk_connection_deleted_drop_ticket_events();
