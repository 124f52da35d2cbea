/** Storage of the health score: weights (one row), daily scores, and the inputs beyond the support metrics. */
import type { Queryable } from '../../db/db.ts';
import type { HealthWeights, SignalExplanation } from './health-score.ts';

interface WeightsRow {
  open_tickets: number;
  escalations: number;
  csat: number;
  sla: number;
  support_component: number;
}

export async function selectWeights(db: Queryable): Promise<HealthWeights> {
  const { rows } = await db.query<WeightsRow>(
    `SELECT open_tickets::float8 AS open_tickets, escalations::float8 AS escalations, csat::float8 AS csat, sla::float8 AS sla,
            support_component::float8 AS support_component
       FROM health_weights WHERE id`,
  );
  const row = rows[0];
  if (!row) throw new Error('health_weights has no row (migration 0010 inserts it)');
  return { openTickets: row.open_tickets, escalations: row.escalations, csat: row.csat, sla: row.sla, supportComponent: row.support_component };
}

export async function updateWeights(db: Queryable, weights: HealthWeights, userId: string | null): Promise<void> {
  await db.query(
    `UPDATE health_weights SET open_tickets = $1, escalations = $2, csat = $3, sla = $4, support_component = $5, updated_by = $6, updated_at = now()
      WHERE id`,
    [weights.openTickets, weights.escalations, weights.csat, weights.sla, weights.supportComponent, userId],
  );
}

export interface HealthInputsRow {
  customer_id: string;
  base: number | null;
  median: number | null;
  history_days: number;
  created90: number;
  created30: number;
}

/**
 * Per existing customer in $1 as of $2: the base health score, the median of the daily open
 * tickets recorded in zendesk_metrics over the 90 days before asOf's day (UTC), how many days
 * that is, and the (non-deleted) tickets created in the trailing 90 and 30 days.
 */
export async function selectHealthInputs(db: Queryable, customerIds: readonly string[], asOf: Date): Promise<HealthInputsRow[]> {
  const { rows } = await db.query<HealthInputsRow>(
    `WITH today AS (SELECT ($2::timestamptz AT TIME ZONE 'UTC')::date AS d),
     hist AS (
       SELECT m.customer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY m.open_tickets) AS median, count(*)::int AS days
         FROM zendesk_metrics m, today
        WHERE m.customer_id = ANY($1::uuid[]) AND m.metric_date >= today.d - 90 AND m.metric_date < today.d
        GROUP BY m.customer_id),
     created AS (
       SELECT customer_id, count(*)::int AS n90,
              count(*) FILTER (WHERE zendesk_created_at >= $2::timestamptz - interval '720 hours')::int AS n30
         FROM zendesk_tickets
        WHERE customer_id = ANY($1::uuid[]) AND status <> 'deleted'
          AND zendesk_created_at >= $2::timestamptz - interval '2160 hours' AND zendesk_created_at < $2::timestamptz
        GROUP BY customer_id)
     SELECT c.id AS customer_id, c.base_health_score::float8 AS base, hist.median::float8 AS median,
            COALESCE(hist.days, 0) AS history_days, COALESCE(created.n90, 0) AS created90, COALESCE(created.n30, 0) AS created30
       FROM customers c
       LEFT JOIN hist ON hist.customer_id = c.id
       LEFT JOIN created ON created.customer_id = c.id
      WHERE c.id = ANY($1::uuid[])`,
    [customerIds, asOf],
  );
  return rows;
}

export interface HealthDailyInput {
  customer_id: string;
  day: string;
  support_score: number | null;
  overall_score: number | null;
  base_score: number | null;
  support_weight: number;
  explanation: { signals: SignalExplanation[] };
}

/** Upserts the given rows in one statement. */
export async function upsertHealthDaily(db: Queryable, rows: readonly HealthDailyInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO customer_health_daily (customer_id, day, support_score, overall_score, base_score, support_weight, explanation)
     SELECT x.customer_id, x.day, x.support_score, x.overall_score, x.base_score, x.support_weight, x.explanation
       FROM jsonb_to_recordset($1::jsonb) AS x(customer_id uuid, day date, support_score numeric, overall_score numeric,
                                                base_score numeric, support_weight numeric, explanation jsonb)
     ON CONFLICT (customer_id, day) DO UPDATE SET support_score = EXCLUDED.support_score, overall_score = EXCLUDED.overall_score,
       base_score = EXCLUDED.base_score, support_weight = EXCLUDED.support_weight, explanation = EXCLUDED.explanation, computed_at = now()`,
    [JSON.stringify(rows)],
  );
  return result.rowCount;
}

export interface HealthDailyRow {
  day: string;
  support_score: number | null;
  overall_score: number | null;
  base_score: number | null;
  support_weight: number;
  explanation: { signals: SignalExplanation[] };
}

export async function selectHealthDaily(db: Queryable, customerId: string, from: string, to: string): Promise<HealthDailyRow[]> {
  const { rows } = await db.query<HealthDailyRow>(
    `SELECT day::text AS day, support_score::float8 AS support_score, overall_score::float8 AS overall_score,
            base_score::float8 AS base_score, support_weight::float8 AS support_weight, explanation
       FROM customer_health_daily
      WHERE customer_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`,
    [customerId, from, to],
  );
  return rows;
}

/** Customer ids after `after` (keyset paging), in id order. */
export async function selectCustomerIdsPage(db: Queryable, after: string | null, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM customers WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
    [after, limit],
  );
  return rows.map((row) => row.id);
}
