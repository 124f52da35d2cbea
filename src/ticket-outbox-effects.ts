/**
 * What follows every written ticket batch, applied by the ticket outbox's drain in the
 * transaction that marks the batch's entry done, in order: the alerts its transitions call for,
 * then a mark on its customers for the coalesced recompute of their aggregates (metrics, then
 * health), which is woken after the drain. main.ts, the CLI and the end-to-end tests use this one
 * wiring.
 */
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { customerRefreshEffect, refreshPendingCustomers } from './modules/aggregates/customer-refresh.ts';
import { alertsEffect, type AlertOptions } from './modules/alerts/alerts.service.ts';
import { createTicketOutboxDrainer, type TicketOutboxDrainer, type TicketOutboxEffects } from './modules/ingest/ticket-outbox.ts';

export function alertOptionsOf(config: Pick<Config, 'ALERT_SPIKE_THRESHOLD' | 'ALERT_SPIKE_WINDOW_HOURS' | 'ALERT_HISTORY_WINDOW_HOURS' | 'SMTP_URL'>): Partial<AlertOptions> {
  return {
    email: config.SMTP_URL !== undefined,
    spikeThreshold: config.ALERT_SPIKE_THRESHOLD,
    spikeWindowMs: config.ALERT_SPIKE_WINDOW_HOURS * 3_600_000,
    importWindowMs: config.ALERT_HISTORY_WINDOW_HOURS * 3_600_000,
  };
}

/**
 * `wakeRefresh` starts the recompute of the marked customers: the job queue in production
 * (queueCustomerRefresh); by default, at once in this process (tests without workers).
 */
export function ticketOutboxEffects(deps: Pick<Deps, 'db' | 'logger' | 'config'>, wakeRefresh?: () => Promise<void>): TicketOutboxEffects {
  return {
    effects: [alertsEffect(deps, alertOptionsOf(deps.config)), customerRefreshEffect],
    afterDrain: wakeRefresh ?? (async () => void (await refreshPendingCustomers(deps.db))),
  };
}

/** The drainer that `deps.ticketOutbox` holds, with this wiring. */
export function ticketOutboxDrainer(deps: Pick<Deps, 'db' | 'logger' | 'config'>, wakeRefresh?: () => Promise<void>): TicketOutboxDrainer {
  return createTicketOutboxDrainer(deps, ticketOutboxEffects(deps, wakeRefresh));
}
