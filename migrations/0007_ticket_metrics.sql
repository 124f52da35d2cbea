-- 0007: Zendesk's own ticket metrics (the export's metric_sets side-load), kept on each ticket so
-- that resolution and reply times match Zendesk's reports: Zendesk stores them as integer minutes
-- between events, calendar and business (docs/metrics.md); we use them as they are.
ALTER TABLE zendesk_tickets ADD COLUMN first_resolution_minutes INTEGER;
ALTER TABLE zendesk_tickets ADD COLUMN full_resolution_minutes INTEGER;
ALTER TABLE zendesk_tickets ADD COLUMN full_resolution_business_minutes INTEGER;
ALTER TABLE zendesk_tickets ADD COLUMN first_reply_minutes INTEGER;
ALTER TABLE zendesk_tickets ADD COLUMN first_reply_business_minutes INTEGER;
ALTER TABLE zendesk_tickets ADD COLUMN reopens INTEGER;

-- Unused by any query (matching groups requester domains itself); every index slows the import.
DROP INDEX zendesk_tickets_requester_domain_idx;
