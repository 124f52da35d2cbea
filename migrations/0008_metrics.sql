-- 0008: per-customer support metrics. The daily row also keeps the 90-day resolution pair
-- and the population sizes behind each figure (so that a chart can show "n/a" or a small sample).
ALTER TABLE zendesk_metrics ADD COLUMN resolved_30d INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zendesk_metrics ADD COLUMN avg_resolution_hours_90d NUMERIC;
ALTER TABLE zendesk_metrics ADD COLUMN median_resolution_hours_90d NUMERIC;
ALTER TABLE zendesk_metrics ADD COLUMN resolved_90d INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zendesk_metrics ADD COLUMN sla_measured INTEGER NOT NULL DEFAULT 0;
