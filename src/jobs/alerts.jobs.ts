/**
 * The alerts' schedule: SLA targets breach by the passage of time with no ticket event, so a
 * set-based check runs every minute; and outbound alert webhooks due for a (re)try are sent.
 * Several workers may run it at once: alerts are deduplicated by key.
 */
import type { Deps } from '../deps.ts';
import { deliverAlertWebhooks } from '../modules/alerts/alert-webhooks.ts';
import { checkSlaBreaches, type AlertOptions } from '../modules/alerts/alerts.service.ts';

export function startAlertScheduler(deps: Deps, options: Partial<AlertOptions>, intervalSeconds = 60): { stop(): void } {
  const tick = async () => {
    try {
      await checkSlaBreaches(deps, options);
      await deliverAlertWebhooks(deps);
    } catch (error) {
      deps.logger.warn({ err: error }, 'alert schedule could not run this time');
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
