/** Storage of the health score: weights (one row), daily scores, and the inputs beyond the support metrics. */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import type { HealthWeights, SignalExplanation } from './health-score.ts';

const weightsRow = z.object({ open_tickets: z.number(), escalations: z.number(), csat: z.number(), sla: z.number(), support_component: z.number() });

export async function selectWeights(db: Queryable): Promise<HealthWeights> {
  const row = await queryFirst(
    db,
    weightsRow,
    `SELECT open_tickets::float8 AS open_tickets, escalations::float8 AS escalations, csat::float8 AS csat, sla::float8 AS sla,
            support_component::float8 AS support_component
       FROM health_weights WHERE id`,
  );
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

const healthInputsRow = z.object({
  customer_id: z.string(),
  base: z.number().nullable(),
  median: z.number().nullable(),
  history_days: z.number(),
  created90: z.number(),
  created30: z.number(),
});
export type HealthInputsRow = z.infer<typeof healthInputsRow>;

/**
 * Per existing customer in $1 as of $2: the base health score, the median of the daily open
 * tickets recorded in zendesk_metrics over the 90 days before asOf's day (UTC), how many days
 * that is, and the tickets created in the trailing 90 and 30 days (not deleted, not merge sources: a
 * merge source is no new request; the same count as the metrics' createdTickets).
 */
export async function selectHealthInputs(db: Queryable, customerIds: readonly string[], asOf: Date): Promise<HealthInputsRow[]> {
  return queryRows(
    db,
    healthInputsRow,
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
        WHERE customer_id = ANY($1::uuid[]) AND status <> 'deleted' AND NOT ticket_is_merge_source(tags)
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

const healthDailyRow = z.object({
  day: z.string(),
  support_score: z.number().nullable(),
  overall_score: z.number().nullable(),
  base_score: z.number().nullable(),
  support_weight: z.number(),
  // Written by upsertHealthDaily from the score's own explanation: its inner shape is not re-checked.
  explanation: z.looseObject({ signals: z.array(z.custom<SignalExplanation>()) }),
});
export type HealthDailyRow = z.infer<typeof healthDailyRow>;

export async function selectHealthDaily(db: Queryable, customerId: string, from: string, to: string): Promise<HealthDailyRow[]> {
  return queryRows(
    db,
    healthDailyRow,
    `SELECT day::text AS day, support_score::float8 AS support_score, overall_score::float8 AS overall_score,
            base_score::float8 AS base_score, support_weight::float8 AS support_weight, explanation
       FROM customer_health_daily
      WHERE customer_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`,
    [customerId, from, to],
  );
}

/** Customer ids after `after` (keyset paging), in id order. */
export async function selectCustomerIdsPage(db: Queryable, after: string | null, limit: number): Promise<string[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    `SELECT id FROM customers WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
    [after, limit],
  );
  return rows.map((row) => row.id);
}

// ---- a customer's current health, as lists and overviews show it ----

/**
 * A customer's current health: the latest daily score (overall, its support part, the CRM's base),
 * the change of the overall score over 7 days and the day it is of.
 */
export interface HealthSummary {
  overall: number | null;
  support: number | null;
  base: number | null;
  change7d: number | null;
  date: string;
}

/** The latest health row of customer `c` (h) and the one 7 days before it (hp), for healthOf(). */
export const LATEST_HEALTH_JOINS = `
       LEFT JOIN LATERAL (
         SELECT d.overall_score, d.support_score, d.base_score, d.day FROM customer_health_daily d WHERE d.customer_id = c.id ORDER BY d.day DESC LIMIT 1
       ) h ON true
       LEFT JOIN LATERAL (
         SELECT d.overall_score FROM customer_health_daily d WHERE d.customer_id = c.id AND d.day <= h.day - 7 ORDER BY d.day DESC LIMIT 1
       ) hp ON true`;
export const LATEST_HEALTH_COLUMNS = 'h.overall_score AS overall, h.support_score AS support, h.base_score AS base, h.day::text AS health_day, hp.overall_score AS overall_7d';

/** The row shape of LATEST_HEALTH_COLUMNS, to extend a row schema with. */
export const latestHealthColumns = {
  overall: z.number().nullable(),
  support: z.number().nullable(),
  base: z.number().nullable(),
  overall_7d: z.number().nullable(),
  health_day: z.string().nullable(),
};

/** The health of a row read with LATEST_HEALTH_COLUMNS; null before the customer's first score. */
export function healthOf(row: z.infer<z.ZodObject<typeof latestHealthColumns>>): HealthSummary | null {
  if (!row.health_day) return null;
  const overall = row.overall;
  const before = row.overall_7d;
  return { overall, support: row.support, base: row.base, change7d: overall !== null && before !== null ? Math.round((overall - before) * 100) / 100 : null, date: row.health_day };
}

/** The current health of each of these customers (absent: no such customer). */
export async function selectLatestHealth(db: Queryable, customerIds: readonly string[]): Promise<Map<string, HealthSummary | null>> {
  if (customerIds.length === 0) return new Map();
  const rows = await queryRows(
    db,
    z.object({ id: z.string(), ...latestHealthColumns }),
    `SELECT c.id, ${LATEST_HEALTH_COLUMNS} FROM customers c ${LATEST_HEALTH_JOINS} WHERE c.id = ANY($1::uuid[])`,
    [customerIds],
  );
  return new Map(rows.map((row) => [row.id, healthOf(row)]));
}
