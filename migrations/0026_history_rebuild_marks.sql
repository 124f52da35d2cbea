-- 0026: a customer's refresh mark can also ask for its stored daily metrics to be rebuilt from
-- history from a given day on (the ticket events stream re-dated its tickets' history). The mark
-- is written in the transaction that re-dates the history, and drained by the coalesced refresh:
-- a customer whose history many pages re-date is rebuilt once, from the earliest day asked. NULL:
-- only today's aggregates are recomputed.
ALTER TABLE customer_refresh_requests ADD COLUMN history_from DATE;
