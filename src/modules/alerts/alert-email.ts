/**
 * Alerts by email. A delivery (alert, user, 'email') is queued in the statement that raises the
 * alert (alerts.service.ts raise()), so an alert and its mails commit together or not at all; the
 * worker sends the due ones (deliverAlertEmails, on the alert schedule and right after a drain).
 *
 * Exactly once per alert and user, as far as SMTP allows: a delivery is claimed by moving its next
 * attempt CLAIM_SECONDS on (FOR UPDATE SKIP LOCKED: concurrent workers share the work; a killed
 * process's claims come due again), and marked delivered in the statement right after the server
 * accepted the mail. A process killed in the instant between the server's "250 OK" and that
 * statement sends the mail again a minute later, with the same Message-ID (mail clients and providers such
 * as Gmail show one message per Message-ID). A failed send is retried with exponential backoff and,
 * after maxAttempts, marked failed with its reason; the in-app alert never depends on it.
 */
import { createTransport } from 'nodemailer';
import type { Config } from '../../config.ts';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { escapeHtml } from '../../lib/html.ts';
import { alertHeadline, alertLinks, type AlertLinks } from './alert-message.ts';
import { claimDueEmails, markDeliveryDelivered, markDeliveryFailed, retryDelayMs, type DueEmail } from './alert-deliveries.repo.ts';
import { redactDeliveryError } from './delivery-error.ts';

const MINUTE_MS = 60_000;

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/** Sends one mail; resolves when the server accepted it. */
export type MailSender = (message: MailMessage) => Promise<void>;

/**
 * A send gives up within about 50 s (connect 10 s, greeting 10 s, 30 s without traffic), so a claim
 * lasting CLAIM_SECONDS outlives any send of the process that holds it: a claim still standing
 * after that belongs to a process that died, and another worker may take the delivery over.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
export const CLAIM_SECONDS = 60;
/** Mails sent at once, over as many pooled SMTP connections (kept open between bursts). */
const SEND_CONCURRENCY = 5;

/** A sender over SMTP (nodemailer) to SMTP_URL; `close` ends its connections. */
export function smtpSender(smtpUrl: string): { send: MailSender; close(): void } {
  const transport = createTransport({ url: smtpUrl, pool: true, maxConnections: SEND_CONCURRENCY, ...SMTP_TIMEOUTS });
  return {
    send: async (message) => {
      await transport.sendMail(message);
    },
    close: () => transport.close(),
  };
}

/** MAIL_FROM, or alerts@ the host of PUBLIC_URL. */
export function mailFrom(config: Pick<Config, 'MAIL_FROM' | 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return config.MAIL_FROM ?? `CSCX alerts <alerts@${new URL(publicUrl(config)).hostname}>`;
}

export interface AlertMailFacts {
  alertId: string;
  userId: string;
  type: string;
  customerId: string;
  customerName: string;
  zendeskTicketId: number | null;
  subdomain: string | null;
  details: Record<string, unknown>;
  occurredAt: Date;
  recipientName: string;
  recipientEmail: string;
  links: AlertLinks;
}


/** The mail for one alert and recipient: a text and an HTML part with the same facts and links. */
export function alertMail(facts: AlertMailFacts, site: { from: string }): MailMessage {
  const headline = alertHeadline(facts.type, facts.details);
  const customerLink = facts.links.customer;
  const ticket = facts.links.ticket;
  const subject = typeof facts.details.subject === 'string' ? String(facts.details.subject) : null;
  const comment = facts.type === 'negative_csat' && typeof facts.details.comment === 'string' ? facts.details.comment : null;
  const lines = [
    `${headline} for ${facts.customerName}.`,
    ticket ? `Ticket ${ticket.label}${subject ? `: ${subject}` : ''}` : null,
    comment ? `Their comment: "${comment}"` : null,
    `When: ${facts.occurredAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    '',
    `Acknowledge: ${facts.links.acknowledge}`,
    `Customer: ${customerLink}`,
    ticket ? `Ticket in Zendesk: ${ticket.url}` : null,
    `All your alerts: ${facts.links.alerts}`,
  ].filter((line): line is string => line !== null);
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p><strong>${escapeHtml(headline)}</strong> for <a href="${escapeHtml(customerLink)}">${escapeHtml(facts.customerName)}</a>.</p>
${ticket ? `<p>Ticket <a href="${escapeHtml(ticket.url)}">${escapeHtml(ticket.label)}</a>${subject ? `: ${escapeHtml(subject)}` : ''}</p>` : ''}
${comment ? `<blockquote>${escapeHtml(comment)}</blockquote>` : ''}
<p>${escapeHtml(lines.find((line) => line.startsWith('When:')) ?? '')}</p>
<p><a href="${escapeHtml(facts.links.acknowledge)}"><strong>Acknowledge</strong></a> · <a href="${escapeHtml(customerLink)}">Open the customer</a> · <a href="${escapeHtml(facts.links.alerts)}">All your alerts</a></p>
</body></html>`;
  return {
    from: site.from,
    to: facts.recipientName ? `"${facts.recipientName.replace(/["\\]/g, '')}" <${facts.recipientEmail}>` : facts.recipientEmail,
    subject: `[CSCX] ${facts.customerName}: ${headline}`,
    text: `${lines.join('\n')}\n`,
    html,
    messageId: `<alert-${facts.alertId}-${facts.userId}@cscx>`,
  };
}

export interface EmailDeliveryOptions {
  send: MailSender;
  now: () => Date;
  /** Deliveries claimed per run. */
  limit: number;
  maxAttempts: number;
  /** The first retry's delay; doubled per attempt, capped at an hour. */
  baseDelayMs: number;
}


/** Sends the due alert emails; answers how many were delivered, will be retried, and failed for good. */
export async function deliverAlertEmails(
  deps: Pick<Deps, 'db' | 'logger' | 'config' | 'secrets'>,
  options: Partial<EmailDeliveryOptions> & Pick<EmailDeliveryOptions, 'send'>,
): Promise<{ delivered: number; retrying: number; failed: number }> {
  const o: EmailDeliveryOptions = { now: () => new Date(), limit: 50, maxAttempts: 8, baseDelayMs: MINUTE_MS / 2, ...options };
  const now = o.now();
  const site = { from: mailFrom(deps.config) };
  const rows = await claimDueEmails(deps.db, now, o.limit, CLAIM_SECONDS);
  const result = { delivered: 0, retrying: 0, failed: 0 };
  const deliverOne = async (row: DueEmail): Promise<void> => {
    const refused = row.disabled ? 'the user is disabled' : !row.alert_email ? 'the user turned alert emails off' : !row.user_email ? 'the user has no email address' : null;
    let error = refused;
    let messageId: string | null = null;
    if (refused === null) {
      const message = alertMail(
        {
          alertId: row.alert_id,
          userId: row.user_id,
          type: row.type,
          customerId: row.customer_id,
          customerName: row.customer_name,
          zendeskTicketId: row.zendesk_ticket_id === null ? null : Number(row.zendesk_ticket_id),
          subdomain: row.subdomain,
          details: row.details,
          occurredAt: row.occurred_at,
          recipientName: row.user_name,
          recipientEmail: row.user_email!,
          links: alertLinks(deps, { alertId: row.alert_id, userId: row.user_id, customerId: row.customer_id, zendeskTicketId: row.zendesk_ticket_id === null ? null : Number(row.zendesk_ticket_id), subdomain: row.subdomain }, now),
        },
        site,
      );
      messageId = message.messageId;
      try {
        await o.send(message);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    const attempts = row.attempts + 1;
    if (error === null) {
      result.delivered += 1;
      await markDeliveryDelivered(deps.db, { alertId: row.alert_id, userId: row.user_id, channel: 'email', attempts, at: now, messageId });
      return;
    }
    const giveUp = refused !== null || attempts >= o.maxAttempts;
    if (giveUp) result.failed += 1;
    else result.retrying += 1;
    deps.logger.warn({ alertId: row.alert_id, userId: row.user_id, attempts, error: redactDeliveryError(error), giveUp }, 'alert email delivery failed');
    await markDeliveryFailed(deps.db, {
      alertId: row.alert_id,
      userId: row.user_id,
      channel: 'email',
      status: giveUp ? 'failed' : 'pending',
      attempts,
      error,
      at: now,
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, o.baseDelayMs)),
    });
  };
  // A few mails at once over the sender's pooled connections: a burst of alerts is not sent one by one.
  const due = [...rows];
  await Promise.all(
    Array.from({ length: Math.min(SEND_CONCURRENCY, due.length) }, async () => {
      for (let row = due.shift(); row; row = due.shift()) await deliverOne(row);
    }),
  );
  return result;
}
