-- 0010: customer health score: configurable weights (one row) and the daily scores
-- with their explanation. Signal weights sum to 1 (checked by the API within 0.001);
-- support_component is the share of the support score inside the overall health score.
CREATE TABLE health_weights (
  id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
  open_tickets NUMERIC NOT NULL CHECK (open_tickets BETWEEN 0 AND 1),
  escalations NUMERIC NOT NULL CHECK (escalations BETWEEN 0 AND 1),
  csat NUMERIC NOT NULL CHECK (csat BETWEEN 0 AND 1),
  sla NUMERIC NOT NULL CHECK (sla BETWEEN 0 AND 1),
  support_component NUMERIC NOT NULL CHECK (support_component BETWEEN 0 AND 1),
  updated_by UUID REFERENCES users (id) ON DELETE SET NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO health_weights (open_tickets, escalations, csat, sla, support_component) VALUES (0.3, 0.3, 0.25, 0.15, 0.4);

-- One row per customer per UTC day: the scores as last computed that day (recomputed on every
-- ticket change of the customer and on every weights change).
CREATE TABLE customer_health_daily (
  customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  day DATE NOT NULL,
  support_score NUMERIC CHECK (support_score BETWEEN 0 AND 100),
  overall_score NUMERIC CHECK (overall_score BETWEEN 0 AND 100),
  base_score NUMERIC CHECK (base_score BETWEEN 0 AND 100),
  support_weight NUMERIC NOT NULL CHECK (support_weight BETWEEN 0 AND 1),
  -- { "signals": [{ name, value, baseline?, subscore, weight, configuredWeight, points }] }
  explanation JSONB NOT NULL,
  computed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, day)
);
