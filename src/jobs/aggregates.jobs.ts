/**
 * The coalesced recompute of customers' aggregates (metrics, health): one job waits at a time
 * (singleton key), and its handler drains every customer marked by then. Marks are rows, not
 * jobs, so a lost or failed job loses nothing: the sweep below sends a new one while marks remain.
 * The same sweep is the daily roll-over: customers without today's rows are marked, and it keeps
 * the planner's statistics current.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../deps.ts';
import { refreshPlannerStatistics } from '../db/statistics.ts';
import { pendingCustomerRefreshes, refreshPendingCustomers, requestRollOverRefresh } from '../modules/aggregates/customer-refresh.ts';
import type { JobQueue } from './queue.ts';

export const CUSTOMER_REFRESH_QUEUE = 'customer-refresh';
/** A burst of changes gathers this long before its recompute (the UI's freshness allows it). */
const GATHER_MS = 250;
const SWEEP_INTERVAL_MS = 60_000;

/** The wake function for ticketListeners: one waiting job for all marked customers. */
export function queueCustomerRefresh(queue: JobQueue): () => Promise<void> {
  return () => queue.request(CUSTOMER_REFRESH_QUEUE, {}, 'customers');
}

export async function registerCustomerRefreshWorker(deps: Pick<Deps, 'db' | 'logger'>, queue: JobQueue): Promise<{ stop(): void }> {
  await queue.work(CUSTOMER_REFRESH_QUEUE, { batchSize: 1 }, async () => {
    await sleep(GATHER_MS);
    const refreshed = await refreshPendingCustomers(deps.db);
    if (refreshed > 0) deps.logger.debug({ refreshed }, 'customer aggregates recomputed');
  });
  const wake = queueCustomerRefresh(queue);
  const sweep = async () => {
    try {
      // The day turned (UTC), or a customer was never recomputed: its rows of today are built now, not when someone looks.
      const rolledOver = await requestRollOverRefresh(deps.db);
      if (rolledOver > 0) deps.logger.debug({ customers: rolledOver }, 'daily roll-over of customer aggregates requested');
      if ((await pendingCustomerRefreshes(deps.db)) > 0) await wake();
      // Webhooks and catch-ups grow the tables between imports; the embedded engine has no
      // autovacuum to keep the planner's statistics current (db/statistics.ts).
      await refreshPlannerStatistics(deps);
    } catch (error) {
      deps.logger.warn({ err: error }, 'customer refresh sweep could not run this time');
    }
  };
  void sweep(); // marks left by a previous process are recomputed at start
  const timer = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
