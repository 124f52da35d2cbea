/**
 * The outcome of each SLA target of the customers' tickets, as a CTE `sla_outcomes (customer_id,
 * met, outcome_at)` over the `tk` CTE of metrics.repo.ts (docs/metrics.md, SLA compliance):
 *
 * - from Zendesk's ticket metric events, per (ticket, metric, instance) under an applied SLA (an
 *   `apply_sla` event): met when a `fulfill` comes before every `breach` not deleted, dated at the
 *   fulfil; breached when such a breach comes first (also when fulfilled later), dated at the
 *   breach; neither yet: in progress, no outcome;
 * - a ticket with no applied SLA in its events: the `slas` snapshot or the fallback targets
 *   (tk.sla_metrics): a breach at its breach_at, a met target at the first reply (first reply
 *   time) or at the solve, else the ticket's last update (the snapshot carries no time of its own).
 *
 * Merge sources have no targets (tk.sla_metrics is empty for them, and their events are skipped).
 */

/** A metric's breach time when it is an ISO time (CASE: the cast never sees anything else). */
const BREACH_AT = `(CASE WHEN jsonb_typeof(m) = 'object' AND m->>'breach_at' ~ '^\\d{4}-\\d{2}-\\d{2}T' THEN (m->>'breach_at')::timestamptz END)`;

const MET_AT = `(CASE WHEN m->>'metric' = 'first_reply_time' AND tk.first_reply_minutes IS NOT NULL
                      THEN tk.zendesk_created_at + make_interval(mins => tk.first_reply_minutes)
                      ELSE COALESCE(tk.resolved_at, tk.zendesk_updated_at, tk.zendesk_created_at) END)`;

export const SLA_OUTCOMES = `sla_targets AS (
  SELECT tk.customer_id, tk.id AS ticket_id,
         min(e.occurred_at) FILTER (WHERE e.type = 'fulfill') AS fulfilled_at,
         min(e.occurred_at) FILTER (WHERE e.type = 'breach' AND NOT e.deleted) AS breached_at
    FROM tk
    JOIN zendesk_ticket_metric_events e ON e.connection_id = tk.connection_id AND e.zendesk_ticket_id = tk.zendesk_ticket_id
   WHERE NOT tk.merged
   GROUP BY tk.customer_id, tk.id, e.metric, e.instance_id
  HAVING bool_or(e.type = 'apply_sla')),
sla_outcomes AS (
  SELECT customer_id, met, CASE WHEN met THEN fulfilled_at ELSE breached_at END AS outcome_at
    FROM (SELECT customer_id, fulfilled_at, breached_at,
                 fulfilled_at IS NOT NULL AND (breached_at IS NULL OR fulfilled_at < breached_at) AS met
            FROM sla_targets WHERE fulfilled_at IS NOT NULL OR breached_at IS NOT NULL) o
  UNION ALL
  SELECT tk.customer_id, m->>'stage' = 'achieved' AS met,
         CASE WHEN m->>'stage' = 'achieved' THEN ${MET_AT} ELSE ${BREACH_AT} END AS outcome_at
    FROM tk CROSS JOIN LATERAL jsonb_array_elements(tk.sla_metrics) m
   WHERE NOT EXISTS (SELECT 1 FROM sla_targets st WHERE st.ticket_id = tk.id)
     AND (m->>'stage' = 'achieved' OR (m->>'stage' IN ('active', 'paused') AND ${BREACH_AT} IS NOT NULL)))`;
