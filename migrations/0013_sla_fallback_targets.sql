-- 0013: SLA targets for tickets that carry no Zendesk SLA policy (accounts without SLA policies,
-- or tickets no policy applies to): first reply and resolution, in calendar minutes, per priority.
-- NULL: no target for that priority and metric. Empty by default: compliance then comes from
-- Zendesk's SLA policies only. Set by admins (PUT /api/integrations/zendesk/sla-targets).
CREATE TABLE sla_fallback_targets (
  priority TEXT PRIMARY KEY CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
  first_reply_minutes INTEGER CHECK (first_reply_minutes > 0),
  resolution_minutes INTEGER CHECK (resolution_minutes > 0),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
