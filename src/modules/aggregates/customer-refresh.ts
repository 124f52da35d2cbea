/**
 * Per-customer aggregates (today's metrics row, then today's health row, which reads it) are
 * recomputed by a coalesced queue, not after every written batch: a batch only marks its
 * customers in customer_refresh_requests (an effect of its ticket outbox entry) (one row per customer), and a job drains the marks in
 * batches. A burst of a thousand changes for one customer costs a few recomputes, and an import
 * page no longer waits for the aggregates of its customers (docs/architecture.md, "The data path").
 *
 * Alerts are not here: they need the before/after of each write (alerts.service alertsEffect).
 */
import type { Db, Queryable } from '../../db/db.ts';
import { recomputeHealth } from '../health/health.service.ts';
import { HISTORY_DAYS, backfillDailyMetrics, completeDailyMetrics, recomputeCustomerMetrics, utcDay } from '../metrics/metrics.service.ts';
import { selectCustomersWithoutDay } from '../metrics/metrics.repo.ts';
import type { TicketChangeEffect } from '../ingest/ticket-outbox.ts';
import { type RefreshMark, deleteRefreshMarks, pendingCustomerRefreshes, requestAllCustomersRefresh, requestCustomerRefresh, selectRefreshMarks } from './customer-refresh.repo.ts';

export { pendingCustomerRefreshes, requestAllCustomersRefresh, requestCustomerRefresh };

/** Customers per recompute: one set-based metrics statement and one health statement each. */
const REFRESH_BATCH = 200;
const DAY_MS = 86_400_000;

/**
 * The daily metrics rows the customers miss (rebuilt from history: a customer's first recompute, or
 * a day without any recompute), today's metrics, then today's health (it reads them): set-based,
 * in the caller's transaction or not.
 */
export async function recomputeCustomerAggregates(db: Queryable, customerIds: readonly string[], asOf: Date = new Date()): Promise<void> {
  if (customerIds.length === 0) return;
  await completeDailyMetrics(db, customerIds, asOf);
  await recomputeCustomerMetrics(db, customerIds, asOf);
  await recomputeHealth(db, customerIds, asOf);
}



/**
 * The daily roll-over: marks every customer that has no metrics row for today's date (UTC) yet,
 * so that the day's rows and scores exist before anyone looks, also for a customer whose tickets
 * did not change. Answers how many were marked.
 */
export async function requestRollOverRefresh(db: Queryable, now: Date = new Date()): Promise<number> {
  const stale = await selectCustomersWithoutDay(db, utcDay(now));
  await requestCustomerRefresh(db, stale);
  return stale.length;
}


/**
 * The stored daily rows the marks ask to rebuild from history (history_from up to yesterday; today
 * is the recompute's), customers grouped by the day their rebuild starts (backfillDailyMetrics
 * keeps each statement to a few customers).
 */
async function rebuildMarkedHistory(db: Queryable, marks: readonly RefreshMark[], now: Date): Promise<void> {
  const oldestKept = utcDay(new Date(now.getTime() - HISTORY_DAYS * DAY_MS));
  const yesterday = utcDay(new Date(now.getTime() - DAY_MS));
  const byDay = new Map<string, string[]>();
  for (const mark of marks) {
    if (mark.history_from === null) continue;
    const from = mark.history_from > oldestKept ? mark.history_from : oldestKept;
    byDay.set(from, [...(byDay.get(from) ?? []), mark.customer_id]);
  }
  for (const [from, ids] of byDay) await backfillDailyMetrics(db, ids, from, yesterday, { now, onConflict: 'update' });
}

/**
 * Recomputes the marked customers, oldest marks first, until none is left (or `maxBatches`);
 * answers how many recomputes ran. Each mark is removed after its recompute and only if it was not
 * renewed meanwhile. Several workers may drain at once: a customer picked by two is recomputed
 * twice, which is harmless (both write the same row of the day).
 */
export async function refreshPendingCustomers(db: Db, options: { now?: () => Date; maxBatches?: number; batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? REFRESH_BATCH;
  let done = 0;
  for (let batch = 0; batch < (options.maxBatches ?? Number.POSITIVE_INFINITY); batch++) {
    const rows = await selectRefreshMarks(db, batchSize);
    if (rows.length === 0) break;
    const ids = rows.map((row) => row.customer_id);
    const now = options.now?.() ?? new Date();
    await rebuildMarkedHistory(db, rows, now);
    await recomputeCustomerAggregates(db, ids, now);
    await deleteRefreshMarks(db, rows);
    done += rows.length;
  }
  return done;
}

/**
 * The ticket outbox's aggregates effect: marks the customers the tickets belonged to before and
 * after the write (a re-match moves a ticket's numbers), in the drain's transaction. Whoever
 * drains the marks is woken after the drain (TicketOutboxEffects.afterDrain).
 */
export const customerRefreshEffect: TicketChangeEffect = async (tx, change) => {
  const ids = new Set<string>();
  for (const ticket of change.tickets) {
    if (ticket.previousCustomerId) ids.add(ticket.previousCustomerId);
    if (ticket.customerId) ids.add(ticket.customerId);
  }
  await requestCustomerRefresh(tx, [...ids]);
};
