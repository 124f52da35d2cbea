/**
 * What follows every written ticket batch, in order: the alerts its transitions call for (inline:
 * they need each ticket's before and after, and must be stored within a second of the webhook),
 * then a mark on its customers for the coalesced recompute of their aggregates (metrics, then
 * health). main.ts and the end-to-end tests use this one list.
 */
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { customerRefreshListener, refreshPendingCustomers } from './modules/aggregates/customer-refresh.ts';
import { alertsListener, type AlertOptions } from './modules/alerts/alerts.service.ts';
import type { TicketsChangedListener } from './modules/sync/sync.service.ts';

export function alertOptionsOf(config: Pick<Config, 'ALERT_SPIKE_THRESHOLD' | 'ALERT_SPIKE_WINDOW_HOURS' | 'ALERT_HISTORY_WINDOW_HOURS'>): Partial<AlertOptions> {
  return {
    spikeThreshold: config.ALERT_SPIKE_THRESHOLD,
    spikeWindowMs: config.ALERT_SPIKE_WINDOW_HOURS * 3_600_000,
    importWindowMs: config.ALERT_HISTORY_WINDOW_HOURS * 3_600_000,
  };
}

/**
 * `wakeRefresh` starts the recompute of the marked customers: the job queue in production
 * (queueCustomerRefresh); by default, at once in this process (tests without workers).
 */
export function ticketListeners(deps: Deps, wakeRefresh?: () => Promise<void>): TicketsChangedListener[] {
  const wake = wakeRefresh ?? (async () => void (await refreshPendingCustomers(deps.db)));
  return [alertsListener(deps, alertOptionsOf(deps.config)), customerRefreshListener(deps, wake)];
}
