/**
 * Validation of webhook objects sent to the Webhooks API
 * (developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks, "JSON format"):
 * mandatory `name`, `endpoint`, `http_method` (GET, POST, PUT, PATCH, DELETE), `request_format`
 * (json, xml, form_encoded), `status` (active, inactive); `subscriptions` is either only
 * "conditional_ticket_events" (trigger/automation connection) or event types, and then "must be
 * POST" and "must be json"; "You can't change an existing webhook's connection method"
 * (Creating and monitoring webhooks).
 */
import type { WebhookApiError } from './webhook-api-errors.ts';
import {
  TRIGGER_SUBSCRIPTION,
  isTriggerConnected,
  type WebhookAuthentication,
  type WebhookHttpMethod,
  type WebhookRecord,
  type WebhookRequestFormat,
  type WebhookStatus,
} from './webhook-store.ts';

export type WebhookFields = Pick<
  WebhookRecord,
  'name' | 'description' | 'endpoint' | 'http_method' | 'request_format' | 'status' | 'subscriptions' | 'authentication' | 'custom_headers' | 'external_source'
>;

const METHODS: readonly WebhookHttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const FORMATS: readonly WebhookRequestFormat[] = ['json', 'xml', 'form_encoded'];
const STATUSES: readonly WebhookStatus[] = ['active', 'inactive'];
const EVENT_TYPE = /^zen:event-type:[a-z_]+\.[a-z_]+$/;

/** The credential fields each authentication type needs. */
const AUTH_DATA_FIELDS: Record<WebhookAuthentication['type'], string[]> = {
  basic_auth: ['username', 'password'],
  bearer_token: ['token'],
  api_key: ['name', 'value'],
};

type Result = { ok: true; fields: WebhookFields } | { ok: false; errors: WebhookApiError[] };

function invalid(field: string, detail: string): WebhookApiError {
  return { code: 'InvalidValue', title: 'Invalid value', detail, source: { pointer: `/webhook/${field}` } };
}

function missing(field: string): WebhookApiError {
  return { code: 'RequiredFieldMissing', title: 'Required field missing', detail: `${field} is required`, source: { pointer: `/webhook/${field}` } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The stored authentication for `input`. The API never returns credentials, so an update that
 * names the same type without the secret fields keeps the stored ones (a PUT of what GET returned
 * must not wipe the password).
 */
function parseAuthentication(input: unknown, existing: WebhookAuthentication | null, errors: WebhookApiError[]): WebhookAuthentication | null {
  if (input === null || input === undefined) return null;
  if (!isRecord(input)) {
    errors.push(invalid('authentication', 'authentication must be an object'));
    return null;
  }
  const type = input.type;
  if (type !== 'basic_auth' && type !== 'bearer_token' && type !== 'api_key') {
    errors.push(invalid('authentication/type', 'authentication type must be basic_auth, bearer_token or api_key'));
    return null;
  }
  const position = input.add_position ?? 'header';
  if (position !== 'header' && !(type === 'api_key' && position === 'query_string')) {
    errors.push(invalid('authentication/add_position', 'add_position must be header'));
    return null;
  }
  const given = isRecord(input.data) ? input.data : {};
  const previous = existing?.type === type ? existing.data : {};
  const data: Record<string, string> = {};
  for (const field of AUTH_DATA_FIELDS[type]) {
    const value = given[field] ?? previous[field];
    if (typeof value !== 'string' || value === '') {
      errors.push(missing(`authentication/data/${field}`));
      continue;
    }
    data[field] = value;
  }
  return { type, add_position: position, data };
}

function parseCustomHeaders(input: unknown, errors: WebhookApiError[]): Record<string, string> | null {
  if (input === null || input === undefined) return null;
  if (!isRecord(input) || !Object.values(input).every((value) => typeof value === 'string')) {
    errors.push(invalid('custom_headers', 'custom_headers must be an object of string values'));
    return null;
  }
  return input as Record<string, string>;
}

function parseSubscriptions(input: unknown, errors: WebhookApiError[]): string[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || !input.every((entry) => typeof entry === 'string')) {
    errors.push(invalid('subscriptions', 'subscriptions must be an array of strings'));
    return [];
  }
  const subscriptions = [...new Set(input as string[])];
  if (subscriptions.includes(TRIGGER_SUBSCRIPTION)) {
    if (subscriptions.length > 1) {
      errors.push(invalid('subscriptions', 'A webhook connected to triggers or automations cannot subscribe to Zendesk events'));
    }
  } else {
    for (const type of subscriptions) if (!EVENT_TYPE.test(type)) errors.push(invalid('subscriptions', `Unknown event type: ${type}`));
  }
  return subscriptions;
}

/**
 * Validates a webhook object. `existing` is the stored webhook for PUT/PATCH; `patch` applies
 * JSON merge-patch semantics (absent fields keep their value, null clears an optional one).
 */
export function validateWebhook(input: unknown, existing: WebhookRecord | null, patch: boolean): Result {
  if (!isRecord(input)) return { ok: false, errors: [missing('webhook')] };
  const source: Record<string, unknown> = patch && existing ? { ...existing, ...input } : input;
  // A PUT that leaves out `authentication` keeps the stored one (see parseAuthentication).
  if (!patch && existing && !('authentication' in input)) source.authentication = existing.authentication;

  const errors: WebhookApiError[] = [];
  const requiredString = (field: string): string => {
    const value = source[field];
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push(missing(field));
      return '';
    }
    return value;
  };
  const name = requiredString('name');
  const endpoint = requiredString('endpoint');
  if (endpoint !== '' && !isHttpUrl(endpoint)) errors.push(invalid('endpoint', 'endpoint must be an absolute http or https URL'));
  const httpMethod = requiredString('http_method').toUpperCase() as WebhookHttpMethod;
  if (httpMethod && !METHODS.includes(httpMethod)) errors.push(invalid('http_method', `http_method must be one of ${METHODS.join(', ')}`));
  const requestFormat = requiredString('request_format') as WebhookRequestFormat;
  if (requestFormat && !FORMATS.includes(requestFormat)) errors.push(invalid('request_format', `request_format must be one of ${FORMATS.join(', ')}`));
  const status = requiredString('status') as WebhookStatus;
  if (status && !STATUSES.includes(status)) errors.push(invalid('status', `status must be one of ${STATUSES.join(', ')}`));
  const description = source.description;
  if (description !== undefined && description !== null && typeof description !== 'string') errors.push(invalid('description', 'description must be a string'));

  const subscriptions = parseSubscriptions(source.subscriptions, errors);
  const eventSubscribed = subscriptions.length > 0 && !subscriptions.includes(TRIGGER_SUBSCRIPTION);
  if (eventSubscribed && httpMethod !== 'POST') errors.push(invalid('http_method', 'To subscribe the webhook to Zendesk events, http_method must be POST'));
  if (eventSubscribed && requestFormat !== 'json') errors.push(invalid('request_format', 'To subscribe the webhook to Zendesk events, request_format must be json'));
  if (existing && existing.subscriptions.length > 0 && subscriptions.length > 0 && isTriggerConnected(existing) !== isTriggerConnected({ subscriptions })) {
    errors.push(invalid('subscriptions', "You can't change an existing webhook's connection method"));
  }

  const authentication = parseAuthentication(source.authentication, existing?.authentication ?? null, errors);
  const customHeaders = parseCustomHeaders(source.custom_headers, errors);
  const externalSource = isRecord(source.external_source) ? source.external_source : null;
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    fields: {
      name,
      description: typeof description === 'string' ? description : null,
      endpoint,
      http_method: httpMethod,
      request_format: requestFormat,
      status,
      subscriptions,
      authentication,
      custom_headers: customHeaders,
      external_source: externalSource,
    },
  };
}
