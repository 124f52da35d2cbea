/**
 * Mail in every worker, when mail is configured (SMTP_URL): the due alert emails every few seconds,
 * until none is due (deliveries are queued with their alert, in the outbox drain's transaction:
 * alert-email.ts), and once a minute the daily digests whose hour has come (digest.ts). Several
 * workers share the work (claims skip locked rows).
 */
import type { Deps } from '../deps.ts';
import { deliverAlertEmails, smtpSender, type MailSender } from '../modules/alerts/alert-email.ts';
import { deliverDigests, scheduleDigests } from '../modules/alerts/digest.ts';

const INTERVAL_MS = 2_000;
const DIGEST_INTERVAL_MS = 60_000;

export function startAlertMailer(
  deps: Pick<Deps, 'db' | 'logger' | 'config' | 'secrets'>,
  options: { intervalMs?: number; send?: MailSender } = {},
): { stop(): void; wake(): Promise<void> } {
  const smtpUrl = deps.config.SMTP_URL;
  if (!smtpUrl && !options.send) return { stop: () => undefined, wake: async () => undefined };
  const smtp = options.send ? null : smtpSender(smtpUrl!);
  const send = options.send ?? smtp!.send;
  let running: Promise<void> | null = null;
  let digestsAt = 0;
  const run = async () => {
    try {
      for (;;) {
        const { delivered, retrying, failed } = await deliverAlertEmails(deps, { send });
        if (delivered + retrying + failed === 0) break;
        if (delivered > 0) deps.logger.debug({ delivered }, 'alert emails sent');
      }
      if (Date.now() - digestsAt >= DIGEST_INTERVAL_MS) {
        digestsAt = Date.now();
        await scheduleDigests(deps.db);
        for (;;) {
          const { sent, empty, retrying, failed } = await deliverDigests(deps, { send });
          if (sent + empty + retrying + failed === 0) break;
          if (sent > 0) deps.logger.info({ sent }, 'daily digests sent');
        }
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'alert emails could not be sent this time; the next round retries');
    }
  };
  const wake = () => (running ??= run().finally(() => (running = null)));
  const timer = setInterval(() => void wake(), options.intervalMs ?? INTERVAL_MS);
  timer.unref();
  void wake();
  return {
    wake,
    stop: () => {
      clearInterval(timer);
      smtp?.close();
    },
  };
}
