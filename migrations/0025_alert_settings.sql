-- 0025: the ticket-spike rule as a setting admins change in the UI and the API (one row). A NULL
-- column means "the server's default" (ALERT_SPIKE_THRESHOLD, ALERT_SPIKE_WINDOW_HOURS).
CREATE TABLE alert_settings (
  id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  spike_threshold INTEGER CHECK (spike_threshold BETWEEN 2 AND 1000),
  spike_window_hours NUMERIC CHECK (spike_window_hours >= 1 AND spike_window_hours <= 720),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_by UUID REFERENCES users (id) ON DELETE SET NULL
);
