/**
 * What an alert says outside the app, the same in an email, a Slack message or a webhook: a
 * headline, the ticket (#id on its subdomain) and the links: the customer page, the ticket in
 * Zendesk, and the link that acknowledges it as its recipient (acknowledge-link.ts).
 */
import type { Deps } from '../../deps.ts';
import { publicUrl } from '../../config.ts';
import { ticketUrl } from '../tickets/tickets.service.ts';
import { acknowledgeToken } from './acknowledge-link.ts';

const HEADLINES: Record<string, (details: Record<string, unknown>) => string> = {
  escalation: () => 'A ticket was escalated',
  sla_breach: (d) => `An SLA target was breached (${String(d.metric ?? 'SLA').replace(/_/g, ' ')})`,
  ticket_spike: (d) => `${String(d.count ?? 'Several')} new tickets within ${String(d.windowHours ?? 24)} hours`,
  negative_csat: (d) => (typeof d.score === 'number' ? `A customer rated a ticket ${d.score} of ${String(d.scale ?? 5)}` : 'A customer rated a ticket bad'),
};

export function alertHeadline(type: string, details: Record<string, unknown>): string {
  return (HEADLINES[type] ?? (() => type))(details);
}

export interface AlertLinks {
  customer: string;
  ticket: { label: string; url: string } | null;
  acknowledge: string;
  alerts: string;
}

export function alertLinks(
  deps: Pick<Deps, 'config' | 'secrets'>,
  alert: { alertId: string; userId: string; customerId: string; zendeskTicketId: number | null; subdomain: string | null },
  now: Date,
): AlertLinks {
  const site = publicUrl(deps.config);
  return {
    customer: `${site}/customers/${alert.customerId}`,
    ticket:
      alert.zendeskTicketId !== null && alert.subdomain
        ? { label: `#${alert.zendeskTicketId} on ${alert.subdomain}`, url: ticketUrl(deps.config.ZENDESK_URL_TEMPLATE, alert.subdomain, alert.zendeskTicketId) }
        : null,
    acknowledge: `${site}/alerts/acknowledge?token=${encodeURIComponent(acknowledgeToken(deps, alert.alertId, alert.userId, now))}`,
    alerts: `${site}/alerts`,
  };
}
