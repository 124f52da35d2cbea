/**
 * The Webhooks API (developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks):
 * create or clone (201), list (cursor pagination, `filter[name_contains]`, `filter[status]`,
 * `sort` by name or status), show, update (PUT, 204), patch (merge patch, 204), delete (204),
 * show and reset the signing secret, and test. Admins only ("You must be an admin or an agent in a
 * custom role with permission"), OAuth scope `webhooks:read|write` or `read|write`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorClock } from '../contract.ts';
import type { PreHandler } from '../oauth/fallback-auth.ts';
import { checkAccess, sendWebhookErrors, webhookNotFound } from './webhook-api-errors.ts';
import type { WebhookDeliverer, WebhookTarget } from './webhook-delivery.ts';
import { newSigningSecret } from './webhook-ids.ts';
import { renderWebhook } from './webhook-render.ts';
import { TEST_SIGNING_SECRET, isoSeconds } from './webhook-signing.ts';
import type { WebhookRecord, WebhookStore } from './webhook-store.ts';
import { validateWebhook, type WebhookFields } from './webhook-validation.ts';

export interface WebhookApiDeps {
  store: WebhookStore;
  clock: EmulatorClock;
  newWebhookId(): string;
  authenticate: PreHandler;
  deliverer: WebhookDeliverer;
  baseUrl(subdomain: string): string;
}

/** The pagination guide's "maximum of 100"; the default size when `page[size]` is omitted is UNCONFIRMED. */
const MAX_PAGE_SIZE = 100;

type WithSubdomain = { Params: { subdomain: string } };
type WithId = { Params: { subdomain: string; webhook_id: string } };

function withoutJsonSuffix(value: string): string {
  return value.endsWith('.json') ? value.slice(0, -5) : value;
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

function sortWebhooks(webhooks: WebhookRecord[], sort: string | undefined): WebhookRecord[] {
  if (!sort) return webhooks;
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  if (key !== 'name' && key !== 'status') return webhooks;
  return [...webhooks].sort((a, b) => {
    const order = a[key].localeCompare(b[key]) || (a.id < b.id ? -1 : 1);
    return descending ? -order : order;
  });
}

function listPage(deps: WebhookApiDeps, request: FastifyRequest<WithSubdomain>): Record<string, unknown> {
  const query = request.query as Record<string, string | undefined>;
  const nameContains = query['filter[name_contains]']?.toLowerCase();
  const status = query['filter[status]'];
  const all = sortWebhooks(
    deps.store
      .list(request.params.subdomain)
      .filter((webhook) => (nameContains === undefined || webhook.name.toLowerCase().includes(nameContains)) && (status === undefined || webhook.status === status)),
    query.sort,
  );
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(query['page[size]']) || MAX_PAGE_SIZE));
  let start = 0;
  let end = Math.min(all.length, size);
  if (query['page[after]']) {
    const index = all.findIndex((webhook) => webhook.id === decodeCursor(query['page[after]'] as string));
    start = index + 1;
    end = Math.min(all.length, start + size);
  } else if (query['page[before]']) {
    const index = all.findIndex((webhook) => webhook.id === decodeCursor(query['page[before]'] as string));
    end = Math.max(0, index);
    start = Math.max(0, end - size);
  }
  const page = all.slice(start, end);
  const first = page[0];
  const last = page[page.length - 1];
  const link = (param: string, cursor: string) => {
    const url = new URL(`${deps.baseUrl(request.params.subdomain)}/api/v2/webhooks`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && !key.startsWith('page[')) url.searchParams.set(key, value);
    url.searchParams.set('page[size]', String(size));
    url.searchParams.set(param, cursor);
    return url.toString();
  };
  const hasMore = end < all.length;
  return {
    webhooks: page.map(renderWebhook),
    meta: { has_more: hasMore, after_cursor: last ? encodeCursor(last.id) : null, before_cursor: first ? encodeCursor(first.id) : null },
    links: {
      next: hasMore && last ? link('page[after]', encodeCursor(last.id)) : null,
      prev: start > 0 && first ? link('page[before]', encodeCursor(first.id)) : null,
    },
  };
}

function newRecord(deps: WebhookApiDeps, subdomain: string, userId: number, fields: WebhookFields): WebhookRecord {
  const now = isoSeconds(deps.clock.nowMs());
  return {
    ...fields,
    id: deps.newWebhookId(),
    subdomain,
    signing_secret: newSigningSecret(),
    created_at: now,
    created_by: String(userId),
    updated_at: now,
    updated_by: String(userId),
  };
}

/** The webhook object of a request body, `{"webhook": {...}}`. */
function webhookPayload(body: unknown): unknown {
  return body !== null && typeof body === 'object' ? (body as { webhook?: unknown }).webhook : undefined;
}

function keyValueList(value: unknown): Record<string, string> {
  if (!Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const entry of value) {
    if (entry && typeof entry === 'object' && typeof (entry as { key?: unknown }).key === 'string') {
      out[(entry as { key: string }).key] = String((entry as { value?: unknown }).value ?? '');
    }
  }
  return out;
}

/**
 * `POST /api/v2/webhooks/test`: `{"request": {endpoint, http_method, request_format, payload,
 * headers:[{key,value}], params:[{key,value}]}, "webhook"?: {authentication}}` →
 * `{"response": {status, headers:[{key,value}], body}}`. Shape UNCONFIRMED (recalled from the
 * Webhooks API reference, not retrievable here). Without `webhook_id` the request is signed with
 * the static test secret; with it, with that webhook's own secret and settings.
 */
async function testWebhook(deps: WebhookApiDeps, request: FastifyRequest<WithSubdomain>, reply: FastifyReply) {
  const subdomain = request.params.subdomain;
  const webhookId = (request.query as { webhook_id?: string }).webhook_id;
  const existing = webhookId ? deps.store.get(subdomain, webhookId) : undefined;
  if (webhookId && !existing) return webhookNotFound(reply, webhookId);
  const body = (request.body ?? {}) as { request?: Record<string, unknown>; webhook?: Record<string, unknown> };
  const given = { ...(body.webhook ?? {}), ...(body.request ?? {}) };
  const validation = validateWebhook({ name: 'test', status: 'active', ...(existing ?? {}), ...given }, null, false);
  if (!validation.ok) return sendWebhookErrors(reply, 400, validation.errors);
  const fields = validation.fields;
  const target: WebhookTarget = {
    id: existing?.id ?? '',
    subdomain,
    endpoint: fields.endpoint,
    http_method: fields.http_method,
    request_format: fields.request_format,
    authentication: fields.authentication,
    custom_headers: { ...(fields.custom_headers ?? {}), ...keyValueList(body.request?.headers) },
  };
  const payload = typeof body.request?.payload === 'string' ? body.request.payload : '';
  const result = await deps.deliverer.sendTest({
    target,
    secret: existing?.signing_secret ?? TEST_SIGNING_SECRET,
    body: fields.http_method === 'GET' || fields.http_method === 'DELETE' ? '' : payload,
    query: Object.entries(keyValueList(body.request?.params)),
    source: { kind: 'test' },
  });
  if (result.response) return reply.send({ response: result.response });
  // No HTTP answer: report what Zendesk's activity log shows for a timeout, and 502 otherwise.
  const status = result.outcome.kind === 'timeout' ? 504 : 502;
  return reply.send({ response: { status, headers: [], body: result.outcome.kind === 'network-error' ? result.outcome.message : '' } });
}

export function registerWebhookApiRoutes(scope: FastifyInstance, deps: WebhookApiDeps): void {
  const base = '/:subdomain/api/v2/webhooks';
  const options = { preHandler: deps.authenticate };
  const find = (request: FastifyRequest<WithId>) => deps.store.get(request.params.subdomain, withoutJsonSuffix(request.params.webhook_id));

  scope.get<WithSubdomain>(base, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'read', true)) return reply;
    return reply.send(listPage(deps, request));
  });

  scope.post<WithSubdomain>(base, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'write', true)) return reply;
    const userId = request.zendeskAuth?.user.id ?? -1;
    const cloneId = (request.query as { clone_webhook_id?: string }).clone_webhook_id;
    if (cloneId) {
      const original = deps.store.get(request.params.subdomain, cloneId);
      if (!original) return webhookNotFound(reply, cloneId);
      const clone = newRecord(deps, request.params.subdomain, userId, original);
      deps.store.save(clone);
      return reply.code(201).send({ webhook: renderWebhook(clone) });
    }
    const validation = validateWebhook(webhookPayload(request.body), null, false);
    if (!validation.ok) return sendWebhookErrors(reply, 400, validation.errors);
    const record = newRecord(deps, request.params.subdomain, userId, validation.fields);
    deps.store.save(record);
    return reply.code(201).send({ webhook: renderWebhook(record) });
  });

  scope.post<WithSubdomain>(`${base}/test`, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'write', true)) return reply;
    return testWebhook(deps, request, reply);
  });

  scope.get<WithId>(`${base}/:webhook_id`, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'read', true)) return reply;
    const webhook = find(request);
    return webhook ? reply.send({ webhook: renderWebhook(webhook) }) : webhookNotFound(reply, request.params.webhook_id);
  });

  const update = (patch: boolean) => async (request: FastifyRequest<WithId>, reply: FastifyReply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'write', true)) return reply;
    const webhook = find(request);
    if (!webhook) return webhookNotFound(reply, request.params.webhook_id);
    const validation = validateWebhook(webhookPayload(request.body), webhook, patch);
    if (!validation.ok) return sendWebhookErrors(reply, 400, validation.errors);
    deps.store.save({
      ...webhook,
      ...validation.fields,
      updated_at: isoSeconds(deps.clock.nowMs()),
      updated_by: String(request.zendeskAuth?.user.id ?? -1),
    });
    return reply.code(204).send();
  };
  scope.put<WithId>(`${base}/:webhook_id`, options, update(false));
  scope.patch<WithId>(`${base}/:webhook_id`, options, update(true));

  scope.delete<WithId>(`${base}/:webhook_id`, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'write', true)) return reply;
    const webhook = find(request);
    if (!webhook) return webhookNotFound(reply, request.params.webhook_id);
    deps.store.delete(webhook.subdomain, webhook.id);
    return reply.code(204).send();
  });

  const secretBody = (webhook: WebhookRecord) => ({ signing_secret: { algorithm: 'SHA256', secret: webhook.signing_secret } });

  scope.get<WithId>(`${base}/:webhook_id/signing_secret`, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'read', true)) return reply;
    const webhook = find(request);
    return webhook ? reply.send(secretBody(webhook)) : webhookNotFound(reply, request.params.webhook_id);
  });

  scope.post<WithId>(`${base}/:webhook_id/signing_secret`, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'webhooks', 'write', true)) return reply;
    const webhook = find(request);
    if (!webhook) return webhookNotFound(reply, request.params.webhook_id);
    const reset = { ...webhook, signing_secret: newSigningSecret() };
    deps.store.save(reset);
    return reply.code(201).send(secretBody(reset));
  });
}
