-- 0012: what "escalated" means, per connection (docs/metrics.md: Zendesk has no escalation field, so
-- it is a configurable rule). NULL: the default rule (priority urgent, or a tag escalated or
-- escalation). Shape: { "priorities": [...], "tags": [...], "groupIds": [...],
-- "customField": { "id": n, "values": [...] } | null }, validated by the API.
ALTER TABLE zendesk_connections ADD COLUMN escalation_rule JSONB;
