/**
 * Customer health score: the support score from the support metrics (health-score.ts has the
 * formula), combined with the platform's base health score; today's row of customer_health_daily
 * is recomputed on every ticket change of the customer and for every customer when the weights
 * change, so that the rows kept day by day give the trend.
 */
import type { Db, Queryable } from '../../db/db.ts';
import { AppError } from '../../lib/errors.ts';
import { customerExists, selectCurrentMetrics } from '../metrics/metrics.repo.ts';
import { utcDay } from '../metrics/metrics.service.ts';
import { combineHealth, computeSupportScore, type HealthWeights, type SignalExplanation } from './health-score.ts';
import {
  selectCustomerIdsPage,
  selectHealthDaily,
  selectHealthInputs,
  selectWeights,
  updateWeights,
  upsertHealthDaily,
  type HealthDailyInput,
  type HealthDailyRow,
} from './health.repo.ts';
import { HEALTH_RANGES } from '../../contracts/health-score.ts';

export { HEALTH_RANGES };
/** Customers per set-based statement when all are recomputed. */
const BATCH = 500;
const DAY_MS = 86_400_000;

export { selectWeights as getHealthWeights };

/** Computes the row of `asOf`'s day (UTC) for each customer (set-based reads), storing nothing. */
async function computeHealthRows(db: Queryable, customerIds: readonly string[], asOf: Date, weights?: HealthWeights): Promise<HealthDailyInput[]> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return [];
  const w = weights ?? (await selectWeights(db));
  const inputs = await selectHealthInputs(db, ids, asOf);
  const metrics = new Map((await selectCurrentMetrics(db, ids, asOf)).map((row) => [row.customer_id, row]));
  const day = utcDay(asOf);
  const rows: HealthDailyInput[] = [];
  for (const input of inputs) {
    const m = metrics.get(input.customer_id);
    if (!m) continue;
    const support = computeSupportScore(
      {
        openTickets: m.open_tickets,
        openTicketsMedian90d: input.median,
        historyDays: input.history_days,
        ticketsCreated90d: input.created90,
        escalations30d: m.escalations,
        ticketsCreated30d: input.created30,
        csat: m.csat_score,
        slaCompliance: m.sla_compliance,
      },
      w,
    );
    rows.push({
      customer_id: input.customer_id,
      day,
      support_score: support.score,
      overall_score: combineHealth(input.base, support.score, w.supportComponent),
      base_score: input.base,
      support_weight: w.supportComponent,
      explanation: { signals: support.signals },
    });
  }
  return rows;
}

/** Computes and stores the row of `asOf`'s day (UTC) for each customer (set-based); answers how many. */
export async function recomputeHealth(db: Queryable, customerIds: readonly string[], asOf: Date = new Date(), weights?: HealthWeights): Promise<number> {
  return upsertHealthDaily(db, await computeHealthRows(db, customerIds, asOf, weights));
}

/** Recomputes today's row of every customer, in batches of set-based statements; answers how many. */
export async function recomputeAllHealth(db: Queryable, asOf: Date = new Date()): Promise<number> {
  const weights = await selectWeights(db);
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const ids = await selectCustomerIdsPage(db, after, BATCH);
    if (ids.length === 0) return total;
    total += await recomputeHealth(db, ids, asOf, weights);
    after = ids[ids.length - 1] ?? null;
  }
}

/** Stores new weights (already validated) and recomputes today's scores of every customer. */
export async function setHealthWeights(deps: { db: Db }, weights: HealthWeights, userId: string | null, now: Date = new Date()): Promise<number> {
  await updateWeights(deps.db, weights, userId);
  return recomputeAllHealth(deps.db, now);
}

export interface CustomerHealthAnswer {
  current: { date: string; overall: number | null; support: number | null; base: number | null; supportWeight: number; signals: SignalExplanation[] };
  daily: Array<{ date: string; overall: number | null; support: number | null }>;
}

/**
 * A pure read: the stored daily scores of the last `days` days, and as current the score stored for
 * today (recomputed whenever the customer's data changes, and by the daily roll-over). Before a
 * customer's first recompute today, the current score is computed for the answer only: looking
 * never stores or moves a score.
 */
export async function getCustomerHealth(deps: { db: Db }, customerId: string, days: number, now: Date = new Date()): Promise<CustomerHealthAnswer> {
  if (!(await customerExists(deps.db, customerId))) throw new AppError('not_found', `no customer ${customerId}`);
  const to = utcDay(now);
  const from = utcDay(new Date(now.getTime() - (days - 1) * DAY_MS));
  const rows: HealthDailyRow[] = await selectHealthDaily(deps.db, customerId, from, to);
  let today = rows.find((row) => row.day === to);
  if (!today) {
    today = (await computeHealthRows(deps.db, [customerId], now))[0];
    if (!today) throw new Error(`no health computed for ${customerId}`);
    rows.push(today);
  }
  return {
    current: {
      date: today.day,
      overall: today.overall_score,
      support: today.support_score,
      base: today.base_score,
      supportWeight: today.support_weight,
      signals: today.explanation.signals,
    },
    daily: rows.map((row) => ({ date: row.day, overall: row.overall_score, support: row.support_score })),
  };
}
