-- 0018: the ticket vocabulary once in SQL, as src/contracts/vocabulary.ts has it once in
-- TypeScript (a test holds the two equal). IMMUTABLE one-expression SQL functions: the planner
-- inlines them, so a query that uses them plans as if the lists were written in it.
CREATE FUNCTION ticket_is_open(status TEXT) RETURNS BOOLEAN
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT status IN ('new', 'open', 'pending', 'hold') $$;

CREATE FUNCTION ticket_is_solved(status TEXT) RETURNS BOOLEAN
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT status IN ('solved', 'closed') $$;

-- 4 for urgent down to 1 for low, 0 without a priority: higher is more urgent.
CREATE FUNCTION ticket_priority_rank(priority TEXT) RETURNS INTEGER
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 WHEN 'low' THEN 1 ELSE 0 END $$;
