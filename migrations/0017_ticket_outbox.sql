-- 0017: the transactional outbox between a ticket write and its consequences. The transaction that
-- writes tickets also writes one entry per batch here: the tickets that changed, each with its
-- version before and after and its customer before and after. A drain applies each entry's effects
-- (alerts, customer refresh marks) and sets done_at in the same transaction as those effects, so
-- a crash at any moment leaves an entry either pending (applied again, idempotently) or done with
-- its effects committed. Done entries are kept a day for inspection, then pruned.
CREATE TABLE ticket_outbox (
  id BIGSERIAL PRIMARY KEY,
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK (source IN ('import', 'catch-up', 'webhook')),
  tickets JSONB NOT NULL CHECK (jsonb_typeof(tickets) = 'array'),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error TEXT,
  done_at TIMESTAMPTZ
);

-- The drain's claim (pending, due, oldest first) and the backlog gauge read this index only.
CREATE INDEX ticket_outbox_pending ON ticket_outbox (next_attempt_at, id) WHERE done_at IS NULL;
CREATE INDEX ticket_outbox_connection ON ticket_outbox (connection_id);
