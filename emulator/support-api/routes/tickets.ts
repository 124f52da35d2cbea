/**
 * Tickets API: list (offset or cursor pagination), show, show_many, count, create, update,
 * delete, comments, ticket fields. "Allowed For: Agents" throughout (OAS); delete: admins and
 * agents with permission (all emulated agents have it).
 */
import type { FastifyInstance } from 'fastify';
import type { ZTicket } from '../../contract.ts';
import { recordInvalid } from '../../faults/errors.ts';
import { type ListOptions, type Query, paginate, queryValue } from '../pagination.ts';
import { type Json, type RenderContext, renderComment, renderTicket, renderUser, resourceUrl } from '../render.ts';
import { includesOf, sideloadTickets } from '../sideloads.ts';
import { type AccountState, isArchived } from '../state.ts';
import { readTicketCreate, readTicketUpdate, ticketRequestBody } from '../ticket-input.ts';
import {
  API,
  type Services,
  type TicketParams,
  countBody,
  guard,
  idList,
  liveTicket,
  queryOf,
  renderContextOf,
} from './support.ts';

/** Sort fields: offset `sort_by` (OAS TicketSortBy) and cursor `sort` ([3P] live probe: updated_at, id, status). */
export function ticketListOptions(url: string): ListOptions<ZTicket> {
  return {
    url,
    defaultSort: 'id',
    presorted: true,
    cursorSorts: { id: (t) => t.id, updated_at: (t) => t.updated_at, status: (t) => t.status },
    offsetSorts: {
      id: (t) => t.id,
      subject: (t) => t.subject,
      created_at: (t) => t.created_at,
      updated_at: (t) => t.updated_at,
      status: (t) => t.status,
      requester: (t) => t.requester_id,
      group: (t) => t.group_id,
      assignee: (t) => t.assignee_id,
    },
  };
}

/**
 * Tickets the Tickets API lists: not deleted, and of the asked support type. `support_type_scope`
 * "Defaults to 'agent'" (OAS TicketSupportTypeScope, a parameter of List Tickets too).
 */
export function listableTickets(state: AccountState, query: Query, keep: (ticket: ZTicket) => boolean = () => true): ZTicket[] {
  const scope = queryValue(query, 'support_type_scope') ?? 'agent';
  const externalId = queryValue(query, 'external_id');
  const out: ZTicket[] = [];
  for (const ticket of state.account.tickets.values()) {
    if (ticket.deleted) continue;
    if (scope !== 'all' && ticket.support_type !== scope) continue;
    if (externalId !== undefined && ticket.external_id !== externalId) continue;
    if (keep(ticket)) out.push(ticket);
  }
  return out;
}

/**
 * What the list endpoints list: listable tickets that are not archived ("Archived tickets are not
 * included" in lists; they stay in the exports and in show; docs/zendesk.md, Archived tickets).
 * Counts keep counting archived tickets: they are still the account's (UNCONFIRMED).
 */
export function listedTickets(ctx: RenderContext, query: Query, keep: (ticket: ZTicket) => boolean = () => true): ZTicket[] {
  return listableTickets(ctx.state, query, (ticket) => keep(ticket) && !isArchived(ctx.state, ticket.id, ctx.nowMs));
}

/** Renders one page of tickets with its side-loads. */
export function ticketsPage(ctx: RenderContext, tickets: ZTicket[], query: Query, url: string): Json {
  const page = paginate(tickets, query, ticketListOptions(url));
  const rendered = page.items.map((ticket) => renderTicket(ctx, ticket));
  const body: Json = { tickets: rendered };
  sideloadTickets(ctx, page.items, rendered, includesOf(query), body);
  return { ...body, ...page.envelope };
}

export function registerTicketRoutes(app: FastifyInstance, services: Services): void {
  // Delete is for admins and agents allowed to delete tickets: every emulated agent is.
  const agentOnly = guard(services, 'agent', 'tickets');

  app.get(`${API}/tickets`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    return ticketsPage(ctx, listedTickets(ctx, query), query, resourceUrl(ctx.baseUrl, 'tickets'));
  });

  // Counts what List Tickets lists by default (agent tickets; whether Zendesk's count includes
  // AI-agent tickets is UNCONFIRMED).
  app.get(`${API}/tickets/count`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    return countBody(listableTickets(ctx.state, {}).length, ctx.nowMs);
  });

  app.get(`${API}/tickets/show_many`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const tickets = idList(query).flatMap((id) => {
      const ticket = ctx.state.account.tickets.get(id);
      return ticket && !ticket.deleted ? [ticket] : [];
    });
    const rendered = tickets.map((ticket) => renderTicket(ctx, ticket));
    const body: Json = { tickets: rendered };
    sideloadTickets(ctx, tickets, rendered, includesOf(query), body);
    return body;
  });

  app.get<{ Params: TicketParams }>(`${API}/tickets/:ticket_id`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const ticket = liveTicket(ctx.state, request.params.ticket_id);
    const rendered = renderTicket(ctx, ticket);
    const body: Json = { ticket: rendered };
    sideloadTickets(ctx, [ticket], [rendered], includesOf(queryOf(request)), body);
    return body;
  });

  app.post(`${API}/tickets`, { preHandler: agentOnly }, async (request, reply) => {
    const ctx = renderContextOf(services, request);
    const actor = request.zendeskAuth!.user;
    const parsed = ticketRequestBody.safeParse(request.body);
    if (!parsed.success) throw recordInvalid({ base: [{ description: 'Description: cannot be blank', error: 'BlankValue' }] });
    const changes = readTicketCreate(ctx.state, parsed.data.ticket, actor);
    const { ticket, audit } = services.store.createTicket(ctx.state.account.subdomain, changes, actor);
    const rendered = renderTicket({ ...ctx, nowMs: services.clock.nowMs() }, ticket);
    // "Status: 201 Created", with a Location header (developer.zendesk.com introduction/requests).
    reply.code(201).header('location', rendered.url as string);
    return { ticket: rendered, audit };
  });

  app.put<{ Params: TicketParams }>(`${API}/tickets/:ticket_id`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const ticket = liveTicket(ctx.state, request.params.ticket_id);
    const parsed = ticketRequestBody.safeParse(request.body);
    if (!parsed.success) throw recordInvalid({ base: [{ description: 'Ticket: is invalid', error: 'InvalidValue' }] });
    // additional_tags / remove_tags only work with Update Many Tickets ("Adding tags to tickets
    // without overwriting existing tags"); on this endpoint `tags` replaces and they are ignored.
    const changes = readTicketUpdate(ctx.state, parsed.data.ticket, ticket);
    const { audit } = services.store.updateTicket(ctx.state.account.subdomain, ticket, changes, request.zendeskAuth!.user);
    return { ticket: renderTicket({ ...ctx, nowMs: services.clock.nowMs() }, ticket), audit };
  });

  app.delete<{ Params: TicketParams }>(`${API}/tickets/:ticket_id`, { preHandler: agentOnly }, async (request, reply) => {
    const ctx = renderContextOf(services, request);
    const ticket = liveTicket(ctx.state, request.params.ticket_id);
    services.store.deleteTicket(ctx.state.account.subdomain, ticket, request.zendeskAuth!.user);
    return reply.code(204).send();
  });

  app.get<{ Params: TicketParams }>(`${API}/tickets/:ticket_id/comments`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const ticket = liveTicket(ctx.state, request.params.ticket_id);
    const query = queryOf(request);
    const comments = ctx.state.account.comments.get(ticket.id) ?? [];
    const firstId = comments[0]?.id;
    // Comments are listed oldest first; `sort_order=desc` reverses (OAS ListTicketComments).
    const page = paginate(comments, query, {
      url: resourceUrl(ctx.baseUrl, `tickets/${ticket.id}/comments`),
      defaultSort: 'created_at',
      presorted: true,
      cursorSorts: { created_at: (c) => c.created_at, id: (c) => c.id },
      offsetSorts: { created_at: (c) => c.created_at },
    });
    const items = queryValue(query, 'sort_order') === 'desc' && queryValue(query, 'sort_by') === undefined ? page.items.slice().reverse() : page.items;
    const body: Json = {
      comments: items.map((comment) => renderComment(comment, ticket, comment.id === firstId, ctx.state.ids.auditForComment(comment.id))),
    };
    if (includesOf(query).has('users')) {
      const authorIds = new Set(items.map((comment) => comment.author_id));
      body.users = [...authorIds].flatMap((id) => {
        const user = ctx.state.account.users.get(id);
        return user ? [renderUser(ctx, user)] : [];
      });
    }
    return { ...body, ...page.envelope };
  });

  app.get(`${API}/ticket_fields`, { preHandler: agentOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    return { ticket_fields: ctx.state.ticketFields.map((field) => renderTicketField(ctx, field)), next_page: null, previous_page: null, count: ctx.state.ticketFields.length };
  });
}

function renderTicketField(ctx: RenderContext, field: AccountState['ticketFields'][number]): Json {
  return {
    url: resourceUrl(ctx.baseUrl, `ticket_fields/${field.id}`),
    id: field.id,
    type: field.type,
    title: field.title,
    raw_title: field.title,
    description: '',
    active: true,
    required: false,
    visible_in_portal: false,
    editable_in_portal: false,
    custom_field_options: field.options.map((value, index) => ({ id: field.id * 10 + index, name: value, raw_name: value, value })),
  };
}
