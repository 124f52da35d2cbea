/**
 * Per-customer support metrics: live values, the daily rows of zendesk_metrics (today's
 * upserted on every ticket change, past days rebuilt from history), and the listener that keeps
 * today's row current. Definitions: metrics.repo.ts.
 */
import type { Db, Queryable } from '../../db/db.ts';
import { AppError } from '../../lib/errors.ts';
import {
  customerExists,
  selectCurrentMetrics,
  selectCustomersMissingDays,
  selectDailyMetrics,
  selectHistoryMetrics,
  selectWindowMetrics,
  upsertCurrentMetrics,
  upsertHistoryMetrics,
  type CurrentMetricsRow,
  type MetricsRow,
} from './metrics.repo.ts';
import { METRICS_RANGES, METRICS_WINDOWS, type WindowMetrics } from '../../contracts/metrics.ts';

export interface DailyMetrics {
  date: string;
  openTickets: number;
  avgResolutionHours: number | null;
  medianResolutionHours: number | null;
  resolved30d: number;
  avgResolutionHours90d: number | null;
  medianResolutionHours90d: number | null;
  resolved90d: number;
  escalations30d: number;
  /** good / (good + bad); null when there were no ratings (not 0). */
  csat: number | null;
  csatRatings: number;
  /** achieved / (achieved + breached); null when no SLA target was achieved or breached. */
  slaCompliance: number | null;
  slaMeasured: number;
}

export interface CurrentMetrics extends DailyMetrics {
  openByPriority: CurrentMetricsRow['open_by_priority'];
}

export { METRICS_RANGES };

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a time, in UTC (the days of zendesk_metrics). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

function viewRow(row: MetricsRow): DailyMetrics {
  return {
    date: row.metric_date,
    openTickets: row.open_tickets,
    avgResolutionHours: row.avg_resolution_hours,
    medianResolutionHours: row.median_resolution_hours,
    resolved30d: row.resolved_30d,
    avgResolutionHours90d: row.avg_resolution_hours_90d,
    medianResolutionHours90d: row.median_resolution_hours_90d,
    resolved90d: row.resolved_90d,
    escalations30d: row.escalations,
    csat: row.csat_score,
    csatRatings: row.csat_ratings,
    slaCompliance: row.sla_compliance,
    slaMeasured: row.sla_measured,
  };
}

/** The customer's metrics as of `asOf`, computed live (one statement). */
export async function computeCustomerMetrics(db: Queryable, customerId: string, asOf: Date): Promise<CurrentMetrics> {
  const [row] = await selectCurrentMetrics(db, [customerId], asOf);
  if (!row) throw new Error(`no metrics row for ${customerId}`);
  return { ...viewRow(row), openByPriority: row.open_by_priority };
}

/** Upserts the row of `asOf`'s day (UTC) for each customer, set-based (one statement). */
export async function recomputeCustomerMetrics(db: Queryable, customerIds: readonly string[], asOf: Date = new Date()): Promise<void> {
  await upsertCurrentMetrics(db, [...new Set(customerIds)], asOf);
}

/**
 * One row per customer per day from `fromDate` to `toDate` (YYYY-MM-DD, UTC): past days rebuilt
 * from ticket history (one statement), today's from the current state. `keep` leaves rows that
 * exist (recorded live) as they are.
 */
export async function backfillDailyMetrics(
  db: Queryable,
  customerIds: readonly string[],
  fromDate: string,
  toDate: string,
  options: { now?: Date; onConflict?: 'update' | 'keep' } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  const today = utcDay(now);
  const ids = [...new Set(customerIds)];
  const lastPast = toDate < today ? toDate : addDays(today, -1);
  await upsertHistoryInChunks(db, ids, fromDate, lastPast, options.onConflict ?? 'update');
  if (fromDate <= today && toDate >= today) await upsertCurrentMetrics(db, ids, now);
}

/**
 * Customers per history statement. The statement's cost grows faster than its customers (a year
 * for a hundred customers takes longer than a hundred statements of one), and on the embedded
 * engine a statement holds the one database thread that webhook acknowledgements also wait for:
 * a few customers each keeps every statement short (measured on 10,000 tickets: ~0.35 s at most,
 * against ~3.7 s for all hundred customers at once).
 */
const HISTORY_CHUNK = 4;

async function upsertHistoryInChunks(db: Queryable, customerIds: readonly string[], from: string, to: string, onConflict: 'update' | 'keep'): Promise<void> {
  for (let i = 0; i < customerIds.length; i += HISTORY_CHUNK) {
    await upsertHistoryMetrics(db, customerIds.slice(i, i + HISTORY_CHUNK), from, to, onConflict);
  }
}

/** How far back daily rows are kept complete: the longest range the API answers. */
export const HISTORY_DAYS = Math.max(...METRICS_RANGES);

/**
 * Stores the daily rows these customers miss over the last HISTORY_DAYS days before today (rebuilt
 * from history; rows already stored are kept). Run when data arrives (the customer refresh after a
 * ticket change, the daily roll-over), never by a read: so a score computed from the daily rows is
 * the same before and after anyone looks. Answers how many customers needed it.
 */
export async function completeDailyMetrics(db: Queryable, customerIds: readonly string[], now: Date = new Date()): Promise<number> {
  const yesterday = addDays(utcDay(now), -1);
  const from = addDays(yesterday, -(HISTORY_DAYS - 1));
  const missing = await selectCustomersMissingDays(db, [...new Set(customerIds)], from, yesterday);
  if (missing.length > 0) await upsertHistoryInChunks(db, missing, from, yesterday, 'keep');
  return missing.length;
}

/** Every figure over the trailing 7, 30 and 90 days ending at `asOf`, keyed by the days. */
export type MetricsWindows = Record<`${(typeof METRICS_WINDOWS)[number]}`, WindowMetrics>;

/** The customer's figures over each trailing window of METRICS_WINDOWS ending at `asOf`, computed live (one statement). */
export async function computeWindowMetrics(db: Queryable, customerId: string, asOf: Date): Promise<MetricsWindows> {
  const rows = await selectWindowMetrics(db, [customerId], asOf, METRICS_WINDOWS);
  const windows = {} as MetricsWindows;
  for (const days of METRICS_WINDOWS) {
    const row = rows.find((candidate) => candidate.days === days);
    if (!row) throw new Error(`no ${days}-day metrics for ${customerId}`);
    windows[`${days}`] = {
      days,
      from: new Date(asOf.getTime() - days * DAY_MS).toISOString(),
      to: asOf.toISOString(),
      resolved: row.resolved,
      avgResolutionHours: row.avg_resolution_hours,
      medianResolutionHours: row.median_resolution_hours,
      escalations: row.escalations,
      csat: row.csat_score,
      csatRatings: row.csat_ratings,
      slaCompliance: row.sla_compliance,
      slaMeasured: row.sla_met + row.sla_breached,
      slaMet: row.sla_met,
      slaBreached: row.sla_breached,
      createdTickets: row.created,
    };
  }
  return windows;
}

export interface CustomerMetricsAnswer {
  /** The moment `current` and `windows` were computed, and the days `daily` spans (UTC, inclusive). */
  asOf: string;
  window: { from: string; to: string; days: number };
  current: CurrentMetrics;
  windows: MetricsWindows;
  daily: DailyMetrics[];
}

/**
 * The API's answer, a pure read: current values and the 7-, 30- and 90-day windows live, and the last `days` daily rows (today's
 * included). Stored rows are answered as stored; a day never stored (before the customer's first
 * recompute) is rebuilt from history for the answer only, and today's comes from the live values.
 */
export async function getCustomerMetrics(deps: { db: Db }, customerId: string, days: number, now: Date = new Date()): Promise<CustomerMetricsAnswer> {
  if (!(await customerExists(deps.db, customerId))) throw new AppError('not_found', `no customer ${customerId}`);
  const to = utcDay(now);
  const from = addDays(to, -(days - 1));
  const current = await computeCustomerMetrics(deps.db, customerId, now);
  const windows = await computeWindowMetrics(deps.db, customerId, now);
  const stored = new Map((await selectDailyMetrics(deps.db, customerId, from, to)).map((row) => [row.metric_date, viewRow(row)]));
  if (stored.size < days) {
    const rebuilt = await selectHistoryMetrics(deps.db, [customerId], from, addDays(to, -1));
    for (const row of rebuilt) if (!stored.has(row.metric_date)) stored.set(row.metric_date, viewRow(row));
    if (!stored.has(to)) stored.set(to, dailyOnly(current));
  }
  const daily = [...stored.values()].sort((a, b) => a.date.localeCompare(b.date));
  return { asOf: now.toISOString(), window: { from, to, days }, current, windows, daily };
}

/** The daily fields of a metrics view (the current view has the open tickets by priority as well). */
function dailyOnly(row: DailyMetrics): DailyMetrics {
  const { date, openTickets, avgResolutionHours, medianResolutionHours, resolved30d, avgResolutionHours90d, medianResolutionHours90d, resolved90d, escalations30d, csat, csatRatings, slaCompliance, slaMeasured } = row;
  return { date, openTickets, avgResolutionHours, medianResolutionHours, resolved30d, avgResolutionHours90d, medianResolutionHours90d, resolved90d, escalations30d, csat, csatRatings, slaCompliance, slaMeasured };
}
