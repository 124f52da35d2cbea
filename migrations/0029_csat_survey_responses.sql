-- 0029: Zendesk's updated CSAT (survey responses, 2024 onwards) next to the legacy good/bad rating
-- (docs/metrics.md, CSAT). One row per response per connection, as Zendesk last answered it: the
-- rating on the survey's scale and the optional comment. A response read again replaces its row.
CREATE TABLE zendesk_csat_responses (
  connection_id UUID NOT NULL REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  zendesk_response_id TEXT NOT NULL,
  zendesk_ticket_id BIGINT NOT NULL,
  responder_id BIGINT,
  score INTEGER NOT NULL CHECK (score >= 1),
  -- The number of options of the rating question (Zendesk offers 2, 3 or 5).
  scale INTEGER NOT NULL CHECK (scale >= 2 AND score <= scale),
  comment TEXT,
  responded_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (connection_id, zendesk_response_id)
);
CREATE INDEX zendesk_csat_responses_ticket ON zendesk_csat_responses (connection_id, zendesk_ticket_id);

-- Where each connection's follow of the survey responses list stands: the created_at filter of the
-- current pass (Unix seconds) and, within a pass, the cursor of the next page.
CREATE TABLE zendesk_csat_response_cursors (
  connection_id UUID PRIMARY KEY REFERENCES zendesk_connections (id) ON DELETE CASCADE,
  created_after BIGINT NOT NULL DEFAULT 0,
  page_after TEXT,
  -- The latest responded_at seen in the current pass: the next pass starts there.
  pass_high_water BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The negative-CSAT threshold admins set: an updated-CSAT response scoring at most this on a
-- 5-point scale is negative (NULL: the default, 2).
ALTER TABLE alert_settings ADD COLUMN negative_csat_max_score INTEGER CHECK (negative_csat_max_score BETWEEN 1 AND 4);

-- Zendesk's own binary reading of an updated-CSAT response, as Explore and the legacy rating on the
-- ticket show it (docs/metrics.md, CSAT): the top of the scale is good (2-point: 2; 3-point: 3;
-- 5-point: 4 and 5), the rest bad.
CREATE FUNCTION csat_response_is_good(score INTEGER, scale INTEGER) RETURNS BOOLEAN
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN scale <= 3 THEN score >= scale ELSE score >= scale - 1 END $$;

-- Whether a response is negative for the alert: on a 5-point scale, a score at or below the
-- threshold; on another scale, Zendesk's bad (not the top of the scale).
CREATE FUNCTION csat_response_is_negative(score INTEGER, scale INTEGER, max_score INTEGER) RETURNS BOOLEAN
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN scale = 5 THEN score <= max_score ELSE NOT csat_response_is_good(score, scale) END $$;
