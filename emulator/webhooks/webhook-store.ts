/**
 * Webhooks of each account, in memory, with their credentials and signing secrets (which the
 * API never renders back; see webhook-render.ts).
 */

export type WebhookHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type WebhookRequestFormat = 'json' | 'xml' | 'form_encoded';
export type WebhookStatus = 'active' | 'inactive';

/**
 * developer.zendesk.com "Webhook security and authentication": basic_auth `{username, password}`,
 * bearer_token `{token}`, api_key `{name, value}`; `add_position` "header".
 */
export interface WebhookAuthentication {
  type: 'basic_auth' | 'bearer_token' | 'api_key';
  add_position: 'header' | 'query_string';
  data: Record<string, string>;
}

/** Only "conditional_ticket_events" connects a webhook to triggers and automations. */
export const TRIGGER_SUBSCRIPTION = 'conditional_ticket_events';

export interface WebhookRecord {
  id: string;
  subdomain: string;
  name: string;
  description: string | null;
  endpoint: string;
  http_method: WebhookHttpMethod;
  request_format: WebhookRequestFormat;
  status: WebhookStatus;
  subscriptions: string[];
  authentication: WebhookAuthentication | null;
  custom_headers: Record<string, string> | null;
  external_source: Record<string, unknown> | null;
  signing_secret: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export function isTriggerConnected(webhook: Pick<WebhookRecord, 'subscriptions'>): boolean {
  return webhook.subscriptions.includes(TRIGGER_SUBSCRIPTION);
}

export class WebhookStore {
  private readonly bySubdomain = new Map<string, Map<string, WebhookRecord>>();

  private bucket(subdomain: string): Map<string, WebhookRecord> {
    let bucket = this.bySubdomain.get(subdomain);
    if (!bucket) {
      bucket = new Map();
      this.bySubdomain.set(subdomain, bucket);
    }
    return bucket;
  }

  /** In creation order (ULIDs sort by time). */
  list(subdomain: string): WebhookRecord[] {
    return [...this.bucket(subdomain).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(subdomain: string, id: string): WebhookRecord | undefined {
    return this.bucket(subdomain).get(id);
  }

  save(record: WebhookRecord): void {
    this.bucket(record.subdomain).set(record.id, record);
  }

  delete(subdomain: string, id: string): boolean {
    return this.bucket(subdomain).delete(id);
  }
}
