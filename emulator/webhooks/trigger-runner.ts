/**
 * Runs the account's active triggers against one ticket change and yields the webhook requests
 * their `notification_webhook` actions produce. Triggers run in position order (OAS `position`:
 * "determines the order they will execute in"), on ticket creation and update; a deleted ticket
 * runs none. Actions other than notification_webhook are not executed by the emulator.
 */
import type { Account, TicketChangeEvent } from '../contract.ts';
import { conditionsMatch } from './trigger-conditions.ts';
import type { TriggerStore } from './trigger-store.ts';
import { renderTriggerRequest, webhookAction } from './trigger-webhook-request.ts';
import type { DeliveryRequest } from './webhook-delivery.ts';
import { isTriggerConnected, type WebhookStore } from './webhook-store.ts';

export function triggerDeliveries(change: TicketChangeEvent, account: Account, triggers: TriggerStore, webhooks: WebhookStore, baseUrl: string): DeliveryRequest[] {
  if (change.kind === 'deleted' || change.ticket.deleted) return [];
  const transition = { kind: change.kind, ticket: change.ticket, previous: change.previous, comment: change.comment };
  const context = { account, ticket: change.ticket, actorId: change.actor_id, comment: change.comment, baseUrl };
  const out: DeliveryRequest[] = [];
  for (const trigger of triggers.list(change.subdomain)) {
    if (!trigger.active || !conditionsMatch(trigger.conditions, transition)) continue;
    for (const action of trigger.actions) {
      const call = webhookAction(action);
      const webhook = call ? webhooks.get(change.subdomain, call.webhookId) : undefined;
      if (!call || !webhook || webhook.status !== 'active' || !isTriggerConnected(webhook)) continue;
      const rendered = renderTriggerRequest(webhook, call.template, context);
      out.push({
        target: webhook,
        secret: webhook.signing_secret,
        body: rendered.body,
        query: rendered.query,
        source: { kind: 'trigger', trigger_id: trigger.id, trigger_title: trigger.title },
      });
    }
  }
  return out;
}
