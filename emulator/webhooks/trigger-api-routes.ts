/**
 * The Triggers API (OAS `/api/v2/triggers`, `/api/v2/triggers/{trigger_id}`,
 * `/api/v2/triggers/active`): list (offset pagination `{triggers, count, next_page,
 * previous_page}`, `active` filter; cursor pagination with `page[size]`), create (201), show,
 * update (PUT), delete (204). "Allowed For: Agents"; OAuth scope `triggers:*` or `read`/`write`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorClock } from '../contract.ts';
import type { PreHandler } from '../oauth/fallback-auth.ts';
import type { TriggerRecord, TriggerStore } from './trigger-store.ts';
import { validateTrigger } from './trigger-validation.ts';
import { checkAccess, recordInvalid, recordNotFound } from './webhook-api-errors.ts';
import { isoSeconds } from './webhook-signing.ts';
import type { WebhookStore } from './webhook-store.ts';

export interface TriggerApiDeps {
  triggers: TriggerStore;
  webhooks: WebhookStore;
  clock: EmulatorClock;
  authenticate: PreHandler;
  baseUrl(subdomain: string): string;
}

type WithSubdomain = { Params: { subdomain: string } };
type WithId = { Params: { subdomain: string; trigger_id: string } };

/** OAS `TriggerObject`, as in `TriggerResponseExample`. */
function renderTrigger(deps: TriggerApiDeps, trigger: TriggerRecord): Record<string, unknown> {
  return {
    url: `${deps.baseUrl(trigger.subdomain)}/api/v2/triggers/${trigger.id}.json`,
    id: trigger.id,
    title: trigger.title,
    active: trigger.active,
    updated_at: trigger.updated_at,
    created_at: trigger.created_at,
    default: false,
    actions: trigger.actions,
    conditions: trigger.conditions,
    description: trigger.description,
    position: trigger.position,
    raw_title: trigger.title,
    category_id: trigger.category_id,
    restriction: null,
  };
}

function withoutJsonSuffix(value: string): string {
  return value.endsWith('.json') ? value.slice(0, -5) : value;
}

function listResponse(deps: TriggerApiDeps, request: FastifyRequest<WithSubdomain>, onlyActive: boolean): Record<string, unknown> {
  const query = request.query as Record<string, string | undefined>;
  const subdomain = request.params.subdomain;
  const all = deps.triggers
    .list(subdomain)
    .filter((trigger) => (onlyActive ? trigger.active : query.active === undefined || String(trigger.active) === query.active));
  const base = `${deps.baseUrl(subdomain)}/api/v2/triggers${onlyActive ? '/active' : ''}.json`;
  const cursorSize = query['page[size]'];
  if (cursorSize !== undefined) {
    // Cursor pagination (pagination guide): meta/links; the cursor is the last trigger's id.
    const size = Math.min(100, Math.max(1, Number(cursorSize) || 100));
    const after = query['page[after]'] ? Number(Buffer.from(query['page[after]'], 'base64url').toString('utf8')) : null;
    const start = after === null ? 0 : all.findIndex((trigger) => trigger.id === after) + 1;
    const page = all.slice(start, start + size);
    const last = page[page.length - 1];
    const first = page[0];
    const hasMore = start + size < all.length;
    const cursor = (trigger: TriggerRecord | undefined) => (trigger ? Buffer.from(String(trigger.id)).toString('base64url') : null);
    return {
      triggers: page.map((trigger) => renderTrigger(deps, trigger)),
      meta: { has_more: hasMore, after_cursor: cursor(last), before_cursor: cursor(first) },
      links: { next: hasMore ? `${base}?page[size]=${size}&page[after]=${cursor(last)}` : null, prev: null },
    };
  }
  const perPage = Math.min(100, Math.max(1, Number(query.per_page) || 100));
  const pageNumber = Math.max(1, Number(query.page) || 1);
  const page = all.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  return {
    triggers: page.map((trigger) => renderTrigger(deps, trigger)),
    count: all.length,
    next_page: pageNumber * perPage < all.length ? `${base}?page=${pageNumber + 1}&per_page=${perPage}` : null,
    previous_page: pageNumber > 1 ? `${base}?page=${pageNumber - 1}&per_page=${perPage}` : null,
  };
}

function triggerPayload(body: unknown): unknown {
  return body !== null && typeof body === 'object' ? (body as { trigger?: unknown }).trigger : undefined;
}

export function registerTriggerApiRoutes(scope: FastifyInstance, deps: TriggerApiDeps): void {
  const options = { preHandler: deps.authenticate };
  const findWebhook = (subdomain: string) => (id: string) => deps.webhooks.get(subdomain, id);
  const find = (request: FastifyRequest<WithId>) => {
    const id = Number(withoutJsonSuffix(request.params.trigger_id));
    return Number.isInteger(id) ? deps.triggers.get(request.params.subdomain, id) : undefined;
  };

  for (const suffix of ['', '.json']) {
    const base = `/:subdomain/api/v2/triggers${suffix}`;
    scope.get<WithSubdomain>(base, options, async (request, reply) => {
      if (reply.sent || !checkAccess(request, reply, 'triggers', 'read', false)) return reply;
      return reply.send(listResponse(deps, request, false));
    });
    scope.get<WithSubdomain>(`/:subdomain/api/v2/triggers/active${suffix}`, options, async (request, reply) => {
      if (reply.sent || !checkAccess(request, reply, 'triggers', 'read', false)) return reply;
      return reply.send(listResponse(deps, request, true));
    });
    scope.post<WithSubdomain>(base, options, async (request, reply) => {
      if (reply.sent || !checkAccess(request, reply, 'triggers', 'write', false)) return reply;
      const subdomain = request.params.subdomain;
      const validation = validateTrigger(triggerPayload(request.body), null, findWebhook(subdomain), deps.triggers.nextPosition(subdomain));
      if (!validation.ok) return recordInvalid(reply, validation.details);
      const now = isoSeconds(deps.clock.nowMs());
      const trigger: TriggerRecord = { ...validation.fields, id: deps.triggers.newId(), subdomain, created_at: now, updated_at: now };
      deps.triggers.save(trigger);
      return reply.code(201).send({ trigger: renderTrigger(deps, trigger) });
    });
  }

  const byId = '/:subdomain/api/v2/triggers/:trigger_id';
  scope.get<WithId>(byId, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'triggers', 'read', false)) return reply;
    const trigger = find(request);
    return trigger ? reply.send({ trigger: renderTrigger(deps, trigger) }) : recordNotFound(reply);
  });

  const update = async (request: FastifyRequest<WithId>, reply: FastifyReply) => {
    if (reply.sent || !checkAccess(request, reply, 'triggers', 'write', false)) return reply;
    const trigger = find(request);
    if (!trigger) return recordNotFound(reply);
    const subdomain = request.params.subdomain;
    const validation = validateTrigger(triggerPayload(request.body), trigger, findWebhook(subdomain), deps.triggers.nextPosition(subdomain));
    if (!validation.ok) return recordInvalid(reply, validation.details);
    const updated: TriggerRecord = { ...trigger, ...validation.fields, updated_at: isoSeconds(deps.clock.nowMs()) };
    deps.triggers.save(updated);
    return reply.send({ trigger: renderTrigger(deps, updated) });
  };
  scope.put<WithId>(byId, options, update);

  scope.delete<WithId>(byId, options, async (request, reply) => {
    if (reply.sent || !checkAccess(request, reply, 'triggers', 'write', false)) return reply;
    const trigger = find(request);
    if (!trigger) return recordNotFound(reply);
    deps.triggers.delete(trigger.subdomain, trigger.id);
    return reply.code(204).send();
  });
}
