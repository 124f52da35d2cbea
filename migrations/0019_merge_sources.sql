-- 0019: a ticket closed by a merge into another ticket (a "merge source") is known by the tag
-- Zendesk adds to it, closed_by_merge (docs/metrics.md, "Merged tickets"). It is not a
-- resolution, not a new ticket in a spike and not an escalation. Defined once here, as
-- src/contracts/vocabulary.ts defines it once in TypeScript (a test holds the two equal).
CREATE FUNCTION ticket_is_merge_source(tags TEXT[]) RETURNS BOOLEAN
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT COALESCE('closed_by_merge' = ANY(tags), false) $$;
