/**
 * Delivers a ticket change's Zendesk events to the webhooks subscribed to them: one request per
 * event and active webhook whose `subscriptions` name the event type.
 */
import type { Account, TicketChangeEvent } from '../contract.ts';
import type { DeliveryRequest } from './webhook-delivery.ts';
import type { WebhookStore } from './webhook-store.ts';
import { buildTicketEvents } from './webhook-ticket-events.ts';

export function eventDeliveries(change: TicketChangeEvent, account: Account, webhooks: WebhookStore, nowMs: number): DeliveryRequest[] {
  const subscribed = webhooks.list(change.subdomain).filter((webhook) => webhook.status === 'active' && webhook.subscriptions.some((type) => type.startsWith('zen:event-type:ticket.')));
  if (subscribed.length === 0) return [];
  const out: DeliveryRequest[] = [];
  for (const event of buildTicketEvents(change, account, nowMs)) {
    const body = JSON.stringify(event);
    for (const webhook of subscribed) {
      if (!webhook.subscriptions.includes(event.type)) continue;
      out.push({ target: webhook, secret: webhook.signing_secret, body, query: [], source: { kind: 'event', event_type: event.type, event_id: event.id } });
    }
  }
  return out;
}
