/** What every route module needs: the account of the request, rendering context, guards. */
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { EmulatorClock, EmulatorContext, ZTicket } from '../../contract.ts';
import { authorize, type Role, type ScopedResource } from '../auth.ts';
import { noHelpDesk, recordNotFound } from '../../faults/errors.ts';
import type { Query } from '../pagination.ts';
import type { RenderContext } from '../render.ts';
import type { AccountState } from '../state.ts';
import type { EmulatorStore } from '../store.ts';
import { isoSeconds } from '../time.ts';

export interface Services {
  ctx: EmulatorContext;
  store: EmulatorStore;
  clock: EmulatorClock;
  /**
   * How show endpoints the OAS models as one-element arrays answer (`ticket_metric`,
   * `satisfaction_rating`): 'array' as in the OAS examples (the only official source), or
   * 'object'. Which one the live API sends is not documented (docs/zendesk.md, Ticket metrics).
   */
  singleRecordShape: 'array' | 'object';
}

export const API = '/:subdomain/api/v2';

export type SubdomainParams = { subdomain: string };
export type TicketParams = { subdomain: string; ticket_id: string };

export function accountOf(services: Services, request: FastifyRequest): AccountState {
  const { subdomain } = request.params as SubdomainParams;
  const state = services.store.state(subdomain);
  if (!state) throw noHelpDesk(subdomain);
  return state;
}

export function renderContextOf(services: Services, request: FastifyRequest): RenderContext {
  const state = accountOf(services, request);
  return { state, baseUrl: services.ctx.baseUrl(state.account.subdomain), nowMs: services.clock.nowMs() };
}

export function queryOf(request: FastifyRequest): Query {
  return (request.query ?? {}) as Query;
}

/** Ids in a path segment; anything else is "not found". */
export function idParam(value: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw recordNotFound();
  return id;
}

/** A live ticket, or 404 RecordNotFound (deleted tickets are gone from the Tickets API). */
export function liveTicket(state: AccountState, value: string): ZTicket {
  const ticket = state.account.tickets.get(idParam(value));
  if (!ticket || ticket.deleted) throw recordNotFound();
  return ticket;
}

/** `ids=1,2,3` of show_many endpoints. */
export function idList(query: Query): number[] {
  const raw = query.ids;
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return text
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((id) => Number.isSafeInteger(id) && id > 0);
}

/** Authentication then the endpoint's "Allowed For" role and OAuth scope. */
export function guard(services: Services, role: Role, resource: ScopedResource): preHandlerAsyncHookHandler[] {
  return [(request, reply) => services.ctx.authenticate(request, reply), authorize(role, resource)];
}

export function singleRecord(services: Services, record: unknown): unknown {
  return services.singleRecordShape === 'array' ? [record] : record;
}

export function countBody(value: number, nowMs: number): { count: { value: number; refreshed_at: string } } {
  return { count: { value, refreshed_at: isoSeconds(nowMs) } };
}
