/** The Zendesk endpoints a connection uses to set itself up and tear itself down. */
import type { ZendeskClient } from './client.ts';
import { meResponseSchema, signingSecretResponseSchema, triggerResponseSchema, webhookResponseSchema } from './schemas.ts';

export async function getMe(client: ZendeskClient) {
  return (await client.request('GET', '/api/v2/users/me.json', { schema: meResponseSchema })).user;
}

/** A webhook that a trigger feeds (`conditional_ticket_events`), posting JSON to our endpoint. */
export async function createWebhook(client: ZendeskClient, input: { name: string; endpoint: string }): Promise<string> {
  const body = {
    webhook: {
      name: input.name,
      endpoint: input.endpoint,
      http_method: 'POST',
      request_format: 'json',
      status: 'active',
      subscriptions: ['conditional_ticket_events'],
    },
  };
  return (await client.request('POST', '/api/v2/webhooks', { body, schema: webhookResponseSchema })).webhook.id;
}

export async function getWebhookSigningSecret(client: ZendeskClient, webhookId: string): Promise<string> {
  const path = `/api/v2/webhooks/${encodeURIComponent(webhookId)}/signing_secret`;
  return (await client.request('GET', path, { schema: signingSecretResponseSchema })).signing_secret.secret;
}

export async function deleteWebhook(client: ZendeskClient, webhookId: string): Promise<void> {
  await client.request('DELETE', `/api/v2/webhooks/${encodeURIComponent(webhookId)}`);
}

/**
 * The body our trigger sends on every ticket create and update. It names the ticket and its update
 * time only: the webhook handler fetches the whole ticket (batched), so that a trigger body can
 * never be stale or partial. Placeholders per Zendesk's placeholder reference.
 */
export const TRIGGER_BODY = JSON.stringify({
  source: 'cscx-zendesk-trigger',
  ticket_id: '{{ticket.id}}',
  updated_at: '{{ticket.updated_at_with_timestamp}}',
  status: '{{ticket.status}}',
});

export async function createTicketTrigger(client: ZendeskClient, input: { title: string; webhookId: string }): Promise<number> {
  const body = {
    trigger: {
      title: input.title,
      active: true,
      conditions: {
        all: [],
        any: [
          { field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'update_type', operator: 'is', value: 'Change' },
        ],
      },
      actions: [{ field: 'notification_webhook', value: [input.webhookId, TRIGGER_BODY] }],
    },
  };
  return (await client.request('POST', '/api/v2/triggers.json', { body, schema: triggerResponseSchema })).trigger.id;
}

export async function deleteTrigger(client: ZendeskClient, triggerId: number): Promise<void> {
  await client.request('DELETE', `/api/v2/triggers/${triggerId}.json`);
}
