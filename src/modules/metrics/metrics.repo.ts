/**
 * Per-customer support metrics, as set-based SQL. Definitions (they follow Zendesk's own,
 * docs/metrics.md); deleted tickets (status
 * 'deleted') are left out of every figure, and a ticket counts for the customer it is matched to
 * now (a re-match moves its whole history):
 *
 * - Merge sources (tickets closed by a merge into another, tag closed_by_merge) are not resolutions,
 *   not escalations and have no SLA targets: they are left out of those figures.
 * - Open tickets: status new, open, pending or hold (Explore's "Unsolved tickets"), also by priority.
 * - Resolution time: over tickets solved or closed whose latest solve (resolved_at) lies in the
 *   window, Zendesk's full_resolution_minutes / 60 (creation to latest solve, calendar), or the
 *   minutes from creation to the solve when Zendesk gave none. A reopened ticket that is unsolved
 *   again is out until it is re-solved. Average and median (p50), 30- and 90-day windows.
 * - Escalations: tickets whose first escalation lies in the trailing 30 days (docs/metrics.md:
 *   "count tickets (once each) by the first time a condition became true"; "reopened tickets are
 *   not re-counted"). The first `escalated` event of the ticket (a ticket first seen already
 *   escalated has one, dated when first seen); a ticket escalated, de-escalated and escalated
 *   again counts once, in the window of its first escalation.
 * - CSAT: good / (good + bad) over tickets whose latest rating was given in the trailing 90 days;
 *   NULL, never 0, when there is none; with the count of ratings. A rating is a legacy good/bad
 *   (`rated` event) or an updated-CSAT survey response read as Zendesk reads it (the top of the
 *   scale is good: csat_response_is_good); a ticket with an updated response counts its responses
 *   only (Zendesk mirrors the response onto the legacy rating: one answer, counted once).
 * - SLA compliance: met / (met + breached) over the SLA targets whose outcome lies in the trailing
 *   30 days; NULL when nothing was measured. Outcomes come from Zendesk's ticket metric events
 *   (sla-outcomes.ts): per (ticket, metric, instance) under an applied SLA, met when fulfilled
 *   before any breach not deleted (dated at the fulfil), breached otherwise (dated at the breach).
 *   A ticket with no applied SLA in its events falls back to the `slas` snapshot, and a ticket
 *   without one to the configured fallback targets of its priority (FALLBACK_SLA), dated the same
 *   way: a breach at breach_at, a met target at its reply or solve time.
 * - New tickets: tickets created in the window, merge sources left out (windows only).
 *
 * Windows are half-open and end at the moment the figure is taken: [asOf - N days, asOf). A daily
 * row of a past day is taken at the end of that day (UTC): the N-day window is that day and the
 * N - 1 days before it. Open tickets of a past day are rebuilt from the status events (the status
 * a ticket had at the end of the day; a ticket first seen solved counts as open from its creation
 * to its solve). The SLA figure of a past day counts the outcomes dated in its 30-day window.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';
import { SLA_OUTCOMES } from './sla-outcomes.ts';

const HAS_POLICY_METRICS = `(jsonb_typeof(t.sla_policy_metrics) = 'array' AND jsonb_array_length(t.sla_policy_metrics) > 0)`;
/**
 * A ticket without Zendesk SLA policy metrics is measured against the configured fallback targets
 * of its priority (sla_fallback_targets), as pseudo-metrics of the same shape: achieved when met;
 * otherwise "active" with breach_at = creation + target, so that a late or missing reply or
 * resolution counts as breached once that time has passed, and as in progress before. A ticket
 * solved without any public reply has no first-reply figure (Zendesk's own rule).
 */
const FALLBACK_SLA = `(
  SELECT COALESCE(jsonb_agg(e), '[]'::jsonb) FROM (VALUES
    (CASE WHEN tg.first_reply_minutes IS NULL THEN NULL
          WHEN t.first_reply_minutes IS NOT NULL AND t.first_reply_minutes <= tg.first_reply_minutes
            THEN jsonb_build_object('metric', 'first_reply_time', 'stage', 'achieved', 'fallback', true)
          WHEN t.first_reply_minutes IS NOT NULL OR t.status NOT IN ('solved', 'closed')
            THEN jsonb_build_object('metric', 'first_reply_time', 'stage', 'active', 'fallback', true,
                                    'breach_at', to_jsonb(t.zendesk_created_at + make_interval(mins => tg.first_reply_minutes))) END),
    (CASE WHEN tg.resolution_minutes IS NULL THEN NULL
          WHEN t.status IN ('solved', 'closed')
               AND COALESCE(t.full_resolution_minutes, floor(extract(epoch FROM t.resolved_at - t.zendesk_created_at) / 60)) <= tg.resolution_minutes
            THEN jsonb_build_object('metric', 'resolution_time', 'stage', 'achieved', 'fallback', true)
          ELSE jsonb_build_object('metric', 'resolution_time', 'stage', 'active', 'fallback', true,
                                  'breach_at', to_jsonb(t.zendesk_created_at + make_interval(mins => tg.resolution_minutes))) END)
  ) v(e) WHERE e IS NOT NULL)`;
const UTC_DATE = (ts: string) => `((${ts}) AT TIME ZONE 'UTC')::date`;

/** The customer's non-deleted tickets; $1 is the uuid[] of customers. */
const TICKETS = `tk AS (
  SELECT t.id, t.customer_id, t.connection_id, t.zendesk_ticket_id, t.status, t.priority, t.zendesk_created_at,
         t.zendesk_updated_at, t.resolved_at, t.full_resolution_minutes, t.first_reply_minutes, ticket_is_merge_source(t.tags) AS merged,
         CASE WHEN ticket_is_merge_source(t.tags) THEN '[]'::jsonb
              WHEN ${HAS_POLICY_METRICS} THEN t.sla_policy_metrics WHEN tg.priority IS NULL THEN '[]'::jsonb ELSE ${FALLBACK_SLA} END AS sla_metrics
    FROM zendesk_tickets t
    LEFT JOIN sla_fallback_targets tg ON tg.priority = t.priority
   WHERE t.customer_id = ANY($1::uuid[]) AND t.status <> 'deleted')`;

const EVENTS = (kinds: string) => `ev AS (
  SELECT tk.id AS ticket_id, tk.customer_id, tk.merged, e.id, e.kind, e.from_value, e.to_value, e.occurred_at,
         ${UTC_DATE('e.occurred_at')} AS d
    FROM tk
    JOIN zendesk_ticket_events e ON e.connection_id = tk.connection_id AND e.zendesk_ticket_id = tk.zendesk_ticket_id
   WHERE e.kind IN (${kinds}))`;

/**
 * Every CSAT answer of the tickets in `tk`/`ev` (kind 'rated' must be among the events): the
 * legacy ratings of tickets without an updated-CSAT response, and the updated responses as good or
 * bad (csat_response_is_good, migration 0029). Columns as `ev`'s that the CSAT figures read.
 */
const CSAT_ANSWERS = `csat_answers AS (
  SELECT ev.ticket_id, ev.customer_id, ev.id::text AS id, ev.to_value, ev.occurred_at, ev.d
    FROM ev JOIN tk ON tk.id = ev.ticket_id
   WHERE ev.kind = 'rated'
     AND NOT EXISTS (SELECT 1 FROM zendesk_csat_responses s WHERE s.connection_id = tk.connection_id AND s.zendesk_ticket_id = tk.zendesk_ticket_id)
  UNION ALL
  SELECT tk.id, tk.customer_id, s.zendesk_response_id, CASE WHEN csat_response_is_good(s.score, s.scale) THEN 'good' ELSE 'bad' END,
         s.responded_at, ${UTC_DATE('s.responded_at')}
    FROM tk JOIN zendesk_csat_responses s ON s.connection_id = tk.connection_id AND s.zendesk_ticket_id = tk.zendesk_ticket_id)`;

/** Hours of one resolution: Zendesk's number when given, else creation to solve. */
const hours = (solvedAt: string) => `(floor(extract(epoch FROM (${solvedAt}) - tk.zendesk_created_at) / 60)::float8 / 60)`;

/** The hours of the trailing window `days` (a column) as an interval. */
const windowStart = (days: string) => `$2::timestamptz - make_interval(hours => 24 * ${days})`;

/**
 * The figures of each customer in $1 (uuid[]) taken at $2 (timestamptz), per trailing window of
 * `windows` days (the CTE `win (days)`): each figure's CTE has a row per customer and window, and
 * the same SQL serves the current row (30 and 90 days) and the API's windows (7, 30 and 90 days).
 * Windows are half-open: [$2 - days x 24 h, $2).
 */
const WINDOWED = (windows: readonly number[]) => `win AS (SELECT unnest(ARRAY[${windows.map((days) => Math.trunc(days)).join(', ')}]::int[]) AS days),
${TICKETS},
${EVENTS(`'escalated', 'rated'`)},
${CSAT_ANSWERS},
res AS (
  SELECT win.days, tk.customer_id, COALESCE(tk.full_resolution_minutes::float8 / 60, ${hours('tk.resolved_at')}) AS hours
    FROM tk JOIN win ON tk.resolved_at >= ${windowStart('win.days')} AND tk.resolved_at < $2::timestamptz
   WHERE tk.status IN ('solved', 'closed') AND NOT tk.merged),
res_agg AS (
  SELECT customer_id, days, avg(hours) AS avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS med, count(*)::int AS n
    FROM res GROUP BY customer_id, days),
esc AS (
  SELECT first_esc.customer_id, win.days, count(*)::int AS n FROM (
    SELECT DISTINCT ON (ticket_id) customer_id, occurred_at FROM ev WHERE kind = 'escalated' AND NOT merged ORDER BY ticket_id, occurred_at, id) first_esc
    JOIN win ON first_esc.occurred_at >= ${windowStart('win.days')} AND first_esc.occurred_at < $2::timestamptz
   GROUP BY first_esc.customer_id, win.days),
csat AS (
  SELECT r.customer_id, win.days, count(*) FILTER (WHERE r.to_value = 'good')::int AS good, count(*)::int AS n
    FROM (SELECT DISTINCT ON (ticket_id) customer_id, to_value, occurred_at
            FROM csat_answers WHERE occurred_at < $2::timestamptz
           ORDER BY ticket_id, occurred_at DESC, id DESC) r
    JOIN win ON r.occurred_at >= ${windowStart('win.days')}
   WHERE r.to_value IN ('good', 'bad')
   GROUP BY r.customer_id, win.days),
${SLA_OUTCOMES},
sla AS (
  SELECT o.customer_id, win.days, count(*) FILTER (WHERE o.met)::int AS achieved, count(*) FILTER (WHERE NOT o.met)::int AS breached
    FROM sla_outcomes o JOIN win ON o.outcome_at >= ${windowStart('win.days')} AND o.outcome_at < $2::timestamptz
   GROUP BY o.customer_id, win.days),
created AS (
  SELECT tk.customer_id, win.days, count(*)::int AS n
    FROM tk JOIN win ON tk.zendesk_created_at >= ${windowStart('win.days')} AND tk.zendesk_created_at < $2::timestamptz
   WHERE NOT tk.merged
   GROUP BY tk.customer_id, win.days)`;

/** A figure's row of one window for customer c: `LEFT JOIN <cte> <alias> ON ...`. */
const inWindow = (cte: string, alias: string, days: number) => `LEFT JOIN ${cte} ${alias} ON ${alias}.customer_id = c.customer_id AND ${alias}.days = ${days}`;

/**
 * Metrics of each customer in $1 (uuid[]) as of $2 (timestamptz), from the tickets' current
 * state, plus open tickets by priority. Columns are those of zendesk_metrics.
 */
const CURRENT_SQL = `
WITH cust AS (SELECT DISTINCT unnest($1::uuid[]) AS customer_id),
${WINDOWED([30, 90])},
open AS (
  SELECT customer_id, count(*)::int AS n,
         count(*) FILTER (WHERE priority = 'urgent')::int AS urgent, count(*) FILTER (WHERE priority = 'high')::int AS high,
         count(*) FILTER (WHERE priority = 'normal')::int AS normal, count(*) FILTER (WHERE priority = 'low')::int AS low,
         count(*) FILTER (WHERE priority IS NULL)::int AS none
    FROM tk WHERE ticket_is_open(status) GROUP BY customer_id)
SELECT c.customer_id, ${UTC_DATE('$2::timestamptz')} AS metric_date,
       COALESCE(open.n, 0) AS open_tickets,
       jsonb_build_object('urgent', COALESCE(open.urgent, 0), 'high', COALESCE(open.high, 0), 'normal', COALESCE(open.normal, 0),
                          'low', COALESCE(open.low, 0), 'none', COALESCE(open.none, 0)) AS open_by_priority,
       COALESCE(esc.n, 0) AS escalations,
       r30.avg AS avg_resolution_hours, r30.med AS median_resolution_hours, COALESCE(r30.n, 0) AS resolved_30d,
       r90.avg AS avg_resolution_hours_90d, r90.med AS median_resolution_hours_90d, COALESCE(r90.n, 0) AS resolved_90d,
       CASE WHEN csat.n > 0 THEN csat.good::numeric / csat.n END AS csat_score, COALESCE(csat.n, 0) AS csat_ratings,
       CASE WHEN sla.achieved + sla.breached > 0 THEN sla.achieved::numeric / (sla.achieved + sla.breached) END AS sla_compliance,
       COALESCE(sla.achieved + sla.breached, 0) AS sla_measured
  FROM cust c
  LEFT JOIN open ON open.customer_id = c.customer_id
  ${inWindow('res_agg', 'r30', 30)}
  ${inWindow('res_agg', 'r90', 90)}
  ${inWindow('esc', 'esc', 30)}
  ${inWindow('csat', 'csat', 90)}
  ${inWindow('sla', 'sla', 30)}`;

/** Every figure of each customer in $1 as of $2, per trailing window of `windows` days: one row per customer and window. */
const WINDOWS_SQL = (windows: readonly number[]) => `
WITH cust AS (SELECT DISTINCT unnest($1::uuid[]) AS customer_id),
${WINDOWED(windows)}
SELECT c.customer_id, win.days,
       COALESCE(res_agg.n, 0) AS resolved, res_agg.avg AS avg_resolution_hours, res_agg.med AS median_resolution_hours,
       COALESCE(esc.n, 0) AS escalations,
       CASE WHEN csat.n > 0 THEN csat.good::float8 / csat.n END AS csat_score, COALESCE(csat.n, 0) AS csat_ratings,
       CASE WHEN sla.achieved + sla.breached > 0 THEN sla.achieved::float8 / (sla.achieved + sla.breached) END AS sla_compliance,
       COALESCE(sla.achieved, 0) AS sla_met, COALESCE(sla.breached, 0) AS sla_breached,
       COALESCE(created.n, 0) AS created
  FROM cust c CROSS JOIN win
  LEFT JOIN res_agg ON res_agg.customer_id = c.customer_id AND res_agg.days = win.days
  LEFT JOIN esc ON esc.customer_id = c.customer_id AND esc.days = win.days
  LEFT JOIN csat ON csat.customer_id = c.customer_id AND csat.days = win.days
  LEFT JOIN sla ON sla.customer_id = c.customer_id AND sla.days = win.days
  LEFT JOIN created ON created.customer_id = c.customer_id AND created.days = win.days
 ORDER BY c.customer_id, win.days`;

/**
 * One row per customer in $1 (uuid[]) per day from $2 to $3 (dates, all before today), each taken
 * at the end of its day (UTC), rebuilt from the ticket events. Set-based: windows are expanded per
 * item (at most 90 days each) and open counts are running sums of per-day deltas.
 */
const HISTORY_SQL = `
WITH days AS (
  SELECT c.customer_id, ($2::date + k) AS day
    FROM (SELECT DISTINCT unnest($1::uuid[]) AS customer_id) c CROSS JOIN generate_series(0, $3::date - $2::date) k),
${TICKETS},
${EVENTS(`'created', 'status_changed', 'solved', 'reopened', 'escalated', 'rated'`)},
${CSAT_ANSWERS},
-- Status intervals [from_d, to_d) in days; a ticket first seen solved was open until its solve.
st AS (
  SELECT customer_id, status, d AS from_d, ${UTC_DATE('lead(occurred_at) OVER (PARTITION BY ticket_id ORDER BY occurred_at, id)')} AS to_d
    FROM (SELECT ticket_id, customer_id, id, occurred_at, d,
                 CASE WHEN kind = 'created' AND NOT ticket_is_open(to_value) THEN 'new' ELSE to_value END AS status
            FROM ev WHERE kind IN ('created', 'status_changed') OR (kind = 'solved' AND from_value IS NULL)) s),
open_delta AS (
  SELECT customer_id, day, sum(delta)::int AS delta FROM (
    SELECT customer_id, greatest(from_d, $2::date) AS day, 1 AS delta FROM st
     WHERE ticket_is_open(status) AND (to_d IS NULL OR to_d > greatest(from_d, $2::date))
    UNION ALL
    SELECT customer_id, to_d, -1 FROM st
     WHERE ticket_is_open(status) AND to_d IS NOT NULL AND to_d > greatest(from_d, $2::date)) x
   GROUP BY customer_id, day),
-- Solve episodes: a solve until the next reopen (or solve); only the latest solve takes Zendesk's number.
episodes AS (
  SELECT s.customer_id, s.d AS solved_d, s.end_d,
         CASE WHEN s.later_solves = 0 AND tk.full_resolution_minutes IS NOT NULL THEN tk.full_resolution_minutes::float8 / 60
              ELSE ${hours('s.occurred_at')} END AS hours
    FROM (SELECT ticket_id, customer_id, kind, occurred_at, d,
                 ${UTC_DATE('lead(occurred_at) OVER (PARTITION BY ticket_id ORDER BY occurred_at, id)')} AS end_d,
                 count(*) FILTER (WHERE kind = 'solved') OVER (PARTITION BY ticket_id ORDER BY occurred_at, id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later_solves
            FROM ev WHERE kind IN ('solved', 'reopened')) s
    JOIN tk ON tk.id = s.ticket_id
   WHERE s.kind = 'solved' AND NOT tk.merged),
res AS (
  SELECT e.customer_id, e.solved_d + k AS day, k < 30 AS in30, e.hours
    FROM episodes e
   CROSS JOIN LATERAL generate_series(greatest(0, $2::date - e.solved_d), least(89, COALESCE(e.end_d - 1, $3::date) - e.solved_d, $3::date - e.solved_d)) k),
res_agg AS (
  SELECT customer_id, day,
         avg(hours) FILTER (WHERE in30) AS avg30, percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE in30) AS med30,
         count(*) FILTER (WHERE in30)::int AS n30,
         avg(hours) AS avg90, percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS med90, count(*)::int AS n90
    FROM res GROUP BY customer_id, day),
esc AS (
  SELECT e.customer_id, e.d + k AS day, count(*)::int AS n
    FROM (SELECT DISTINCT ON (ticket_id) customer_id, d FROM ev WHERE kind = 'escalated' AND NOT merged ORDER BY ticket_id, occurred_at, id) e
   CROSS JOIN LATERAL generate_series(greatest(0, $2::date - e.d), least(29, $3::date - e.d)) k
   GROUP BY e.customer_id, e.d + k),
ratings AS (
  SELECT customer_id, to_value, d AS from_d, ${UTC_DATE('lead(occurred_at) OVER (PARTITION BY ticket_id ORDER BY occurred_at, id)')} AS to_d
    FROM csat_answers),
csat AS (
  SELECT r.customer_id, r.from_d + k AS day, count(*) FILTER (WHERE r.to_value = 'good')::int AS good, count(*)::int AS n
    FROM ratings r
   CROSS JOIN LATERAL generate_series(greatest(0, $2::date - r.from_d), least(89, COALESCE(r.to_d - 1, $3::date) - r.from_d, $3::date - r.from_d)) k
   WHERE r.to_value IN ('good', 'bad')
   GROUP BY r.customer_id, r.from_d + k),
${SLA_OUTCOMES},
sla AS (
  SELECT o.customer_id, o.d + k AS day, count(*) FILTER (WHERE o.met)::int AS achieved, count(*) FILTER (WHERE NOT o.met)::int AS breached
    FROM (SELECT customer_id, met, ${UTC_DATE('outcome_at')} AS d FROM sla_outcomes) o
   CROSS JOIN LATERAL generate_series(greatest(0, $2::date - o.d), least(29, $3::date - o.d)) k
   GROUP BY o.customer_id, o.d + k),
running AS (
  SELECT d.customer_id, d.day,
         sum(COALESCE(o.delta, 0)) OVER w AS open_tickets,
         COALESCE(s.achieved, 0) AS achieved,
         COALESCE(s.breached, 0) AS breached
    FROM days d
    LEFT JOIN open_delta o ON o.customer_id = d.customer_id AND o.day = d.day
    LEFT JOIN sla s ON s.customer_id = d.customer_id AND s.day = d.day
  WINDOW w AS (PARTITION BY d.customer_id ORDER BY d.day))
SELECT r.customer_id, r.day AS metric_date,
       r.open_tickets::int AS open_tickets,
       COALESCE(esc.n, 0) AS escalations,
       res_agg.avg30 AS avg_resolution_hours, res_agg.med30 AS median_resolution_hours, COALESCE(res_agg.n30, 0) AS resolved_30d,
       res_agg.avg90 AS avg_resolution_hours_90d, res_agg.med90 AS median_resolution_hours_90d, COALESCE(res_agg.n90, 0) AS resolved_90d,
       CASE WHEN csat.n > 0 THEN csat.good::numeric / csat.n END AS csat_score, COALESCE(csat.n, 0) AS csat_ratings,
       CASE WHEN r.achieved + r.breached > 0 THEN r.achieved::numeric / (r.achieved + r.breached) END AS sla_compliance,
       (r.achieved + r.breached)::int AS sla_measured
  FROM running r
  LEFT JOIN res_agg ON res_agg.customer_id = r.customer_id AND res_agg.day = r.day
  LEFT JOIN esc ON esc.customer_id = r.customer_id AND esc.day = r.day
  LEFT JOIN csat ON csat.customer_id = r.customer_id AND csat.day = r.day`;

const COLUMNS = [
  'customer_id',
  'metric_date',
  'open_tickets',
  'escalations',
  'avg_resolution_hours',
  'median_resolution_hours',
  'resolved_30d',
  'avg_resolution_hours_90d',
  'median_resolution_hours_90d',
  'resolved_90d',
  'csat_score',
  'csat_ratings',
  'sla_compliance',
  'sla_measured',
];

function upsert(select: string, onConflict: 'update' | 'keep'): string {
  const list = COLUMNS.join(', ');
  const action =
    onConflict === 'keep'
      ? 'DO NOTHING'
      : `DO UPDATE SET ${COLUMNS.slice(2)
          .map((column) => `${column} = EXCLUDED.${column}`)
          .join(', ')}, computed_at = now()`;
  return `INSERT INTO zendesk_metrics (${list}) SELECT ${list} FROM (${select}) m
          ON CONFLICT (customer_id, metric_date) ${action}`;
}

const metricsRow = z.object({
  customer_id: z.string(),
  metric_date: z.string(),
  open_tickets: z.number(),
  escalations: z.number(),
  avg_resolution_hours: z.number().nullable(),
  median_resolution_hours: z.number().nullable(),
  resolved_30d: z.number(),
  avg_resolution_hours_90d: z.number().nullable(),
  median_resolution_hours_90d: z.number().nullable(),
  resolved_90d: z.number(),
  csat_score: z.number().nullable(),
  csat_ratings: z.number(),
  sla_compliance: z.number().nullable(),
  sla_measured: z.number(),
});
export type MetricsRow = z.output<typeof metricsRow>;

const currentMetricsRow = metricsRow.extend({
  open_by_priority: z.object({ urgent: z.number(), high: z.number(), normal: z.number(), low: z.number(), none: z.number() }),
});
export type CurrentMetricsRow = z.output<typeof currentMetricsRow>;

const NUMERIC_OUT = `metric_date::text AS metric_date, open_tickets, escalations,
  avg_resolution_hours::float8 AS avg_resolution_hours, median_resolution_hours::float8 AS median_resolution_hours, resolved_30d,
  avg_resolution_hours_90d::float8 AS avg_resolution_hours_90d, median_resolution_hours_90d::float8 AS median_resolution_hours_90d, resolved_90d,
  csat_score::float8 AS csat_score, csat_ratings, sla_compliance::float8 AS sla_compliance, sla_measured`;

export async function selectCurrentMetrics(db: Queryable, customerIds: readonly string[], asOf: Date): Promise<CurrentMetricsRow[]> {
  return queryRows(db, currentMetricsRow, `SELECT customer_id, open_by_priority, ${NUMERIC_OUT} FROM (${CURRENT_SQL}) m`, [customerIds, asOf]);
}

const windowRow = z.object({
  customer_id: z.string(),
  days: z.number(),
  resolved: z.number(),
  avg_resolution_hours: z.number().nullable(),
  median_resolution_hours: z.number().nullable(),
  escalations: z.number(),
  csat_score: z.number().nullable(),
  csat_ratings: z.number(),
  sla_compliance: z.number().nullable(),
  sla_met: z.number(),
  sla_breached: z.number(),
  created: z.number(),
});
export type WindowMetricsRow = z.output<typeof windowRow>;

/** Every figure of each customer over each trailing window of `windows` days ending at asOf (one row per customer and window). */
export async function selectWindowMetrics(db: Queryable, customerIds: readonly string[], asOf: Date, windows: readonly number[]): Promise<WindowMetricsRow[]> {
  if (customerIds.length === 0 || windows.length === 0) return [];
  return queryRows(db, windowRow, WINDOWS_SQL(windows), [customerIds, asOf]);
}

/** Upserts the row of asOf's day (UTC) for each customer, from the current state. */
export async function upsertCurrentMetrics(db: Queryable, customerIds: readonly string[], asOf: Date): Promise<number> {
  if (customerIds.length === 0) return 0;
  return (await db.query(upsert(CURRENT_SQL, 'update'), [customerIds, asOf])).rowCount;
}

/** Upserts one row per customer per day from `from` to `to` (YYYY-MM-DD, days before today), rebuilt from history. */
export async function upsertHistoryMetrics(db: Queryable, customerIds: readonly string[], from: string, to: string, onConflict: 'update' | 'keep'): Promise<number> {
  if (customerIds.length === 0 || from > to) return 0;
  return (await db.query(upsert(HISTORY_SQL, onConflict), [customerIds, from, to])).rowCount;
}

/** One row per customer per day from `from` to `to` (YYYY-MM-DD, days before today), rebuilt from history and not stored. */
export async function selectHistoryMetrics(db: Queryable, customerIds: readonly string[], from: string, to: string): Promise<MetricsRow[]> {
  if (customerIds.length === 0 || from > to) return [];
  return queryRows(db, metricsRow, `SELECT customer_id, ${NUMERIC_OUT} FROM (${HISTORY_SQL}) m ORDER BY customer_id, metric_date`, [customerIds, from, to]);
}

/** Of these customers, those missing a stored row on some day from `from` to `to` (YYYY-MM-DD). */
export async function selectCustomersMissingDays(db: Queryable, customerIds: readonly string[], from: string, to: string): Promise<string[]> {
  if (customerIds.length === 0 || from > to) return [];
  const rows = await queryRows(
    db,
    z.object({ customer_id: z.string() }),
    `SELECT c.id AS customer_id
       FROM unnest($1::uuid[]) AS c(id)
       LEFT JOIN LATERAL (SELECT count(*)::int AS n FROM zendesk_metrics m
                           WHERE m.customer_id = c.id AND m.metric_date BETWEEN $2::date AND $3::date) stored ON true
      WHERE stored.n < ($3::date - $2::date + 1)`,
    [customerIds, from, to],
  );
  return rows.map((row) => row.customer_id);
}

/** Customers without a stored metrics row for `day` (YYYY-MM-DD): the day has turned since their last recompute. */
export async function selectCustomersWithoutDay(db: Queryable, day: string): Promise<string[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    `SELECT c.id FROM customers c
      WHERE NOT EXISTS (SELECT 1 FROM zendesk_metrics m WHERE m.customer_id = c.id AND m.metric_date = $1::date)`,
    [day],
  );
  return rows.map((row) => row.id);
}

export async function selectDailyMetrics(db: Queryable, customerId: string, from: string, to: string): Promise<MetricsRow[]> {
  return queryRows(
    db,
    metricsRow,
    `SELECT customer_id, ${NUMERIC_OUT} FROM zendesk_metrics
      WHERE customer_id = $1 AND metric_date BETWEEN $2::date AND $3::date ORDER BY metric_date`,
    [customerId, from, to],
  );
}

export async function customerExists(db: Queryable, customerId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM customers WHERE id = $1`, [customerId]);
  return rows.length > 0;
}
