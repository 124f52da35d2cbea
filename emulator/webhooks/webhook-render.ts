/**
 * The webhook object as the Webhooks API renders it (JSON format table; example
 * nukosuke/go-zendesk fixture/GET/webhook.json). Credentials are never rendered: "Note only the
 * basic authentication username is exposed via the data attribute" (Webhooks API page), and the
 * signing secret has its own endpoint.
 */
import type { WebhookRecord } from './webhook-store.ts';

export function renderWebhook(webhook: WebhookRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: webhook.id,
    name: webhook.name,
    status: webhook.status,
    subscriptions: [...webhook.subscriptions],
    created_at: webhook.created_at,
    created_by: webhook.created_by,
    updated_at: webhook.updated_at,
    updated_by: webhook.updated_by,
    endpoint: webhook.endpoint,
    http_method: webhook.http_method,
    request_format: webhook.request_format,
  };
  if (webhook.description !== null) out.description = webhook.description;
  if (webhook.authentication) {
    const { type, add_position, data } = webhook.authentication;
    out.authentication = type === 'basic_auth' ? { type, add_position, data: { username: data.username } } : { type, add_position };
  }
  if (webhook.custom_headers) out.custom_headers = { ...webhook.custom_headers };
  if (webhook.external_source) out.external_source = webhook.external_source;
  return out;
}
