/**
 * Turns a trigger's `notification_webhook` action into a webhook request. The action value is
 * `[webhook_id, body]` (Webhooks API page: "an array of two strings specifying the unique ID of the
 * webhook and the message body"). The body is the admin's template with placeholders rendered:
 * - json: the template as-is, values JSON-escaped (so `"subject": "{{ticket.title}}"` stays valid);
 * - xml: values XML-escaped;
 * - form_encoded, and GET/DELETE (no body): the template is a JSON list of `[name, value]` pairs
 *   (or an object) sent as form fields or URL parameters, as the Admin Center builds them.
 *   UNCONFIRMED beyond the Admin Center UI; a template that is not such JSON is sent as-is.
 */
import { jsonStringEscape, renderPlaceholders, xmlEscape, type PlaceholderContext } from './trigger-placeholders.ts';
import type { TriggerAction } from './trigger-store.ts';
import type { WebhookRecord } from './webhook-store.ts';

export const WEBHOOK_ACTION = 'notification_webhook';

/** The webhook id and body template of a `notification_webhook` action, or null for other actions. */
export function webhookAction(action: TriggerAction): { webhookId: string; template: string } | null {
  if (action.field !== WEBHOOK_ACTION || !Array.isArray(action.value)) return null;
  const [webhookId, template] = action.value as unknown[];
  if (typeof webhookId !== 'string') return null;
  return { webhookId, template: typeof template === 'string' ? template : '' };
}

function keyValuePairs(template: string): Array<[string, string]> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    return null;
  }
  if (Array.isArray(parsed)) {
    const pairs = parsed.filter((pair): pair is unknown[] => Array.isArray(pair) && pair.length >= 2);
    return pairs.map(([name, value]) => [String(name), typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  if (parsed !== null && typeof parsed === 'object') {
    return Object.entries(parsed as Record<string, unknown>).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return null;
}

export interface RenderedWebhookRequest {
  body: string;
  query: Array<[string, string]>;
}

export function renderTriggerRequest(
  webhook: Pick<WebhookRecord, 'http_method' | 'request_format'>,
  template: string,
  context: PlaceholderContext,
): RenderedWebhookRequest {
  const withoutBody = webhook.http_method === 'GET' || webhook.http_method === 'DELETE';
  if (withoutBody || webhook.request_format === 'form_encoded') {
    const pairs = keyValuePairs(template);
    if (pairs) {
      const rendered = pairs.map(([name, value]): [string, string] => [name, renderPlaceholders(value, context)]);
      if (withoutBody) return { body: '', query: rendered };
      return { body: new URLSearchParams(rendered).toString(), query: [] };
    }
    if (withoutBody) return { body: '', query: [] };
    return { body: renderPlaceholders(template, context), query: [] };
  }
  const escape = webhook.request_format === 'xml' ? xmlEscape : jsonStringEscape;
  return { body: renderPlaceholders(template, context, escape), query: [] };
}
