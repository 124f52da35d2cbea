/**
 * What follows every written ticket batch, in order: the customers' metrics, then their health
 * (which reads the metrics), then the alerts its transitions call for. main.ts and the end-to-end
 * tests use this one list.
 */
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { alertsListener, type AlertOptions } from './modules/alerts/alerts.service.ts';
import { healthListener } from './modules/health/health.service.ts';
import { metricsListener } from './modules/metrics/metrics.service.ts';
import type { TicketsChangedListener } from './modules/sync/sync.service.ts';

export function alertOptionsOf(config: Pick<Config, 'ALERT_SPIKE_THRESHOLD' | 'ALERT_SPIKE_WINDOW_HOURS'>): Partial<AlertOptions> {
  return { spikeThreshold: config.ALERT_SPIKE_THRESHOLD, spikeWindowMs: config.ALERT_SPIKE_WINDOW_HOURS * 3_600_000 };
}

export function ticketListeners(deps: Deps): TicketsChangedListener[] {
  return [metricsListener(deps), healthListener(deps), alertsListener(deps, alertOptionsOf(deps.config))];
}
