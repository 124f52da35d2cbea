import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { addTicketNote as addNote, listTicketHistory, listTickets, type Ticket, type Note, type TicketEvent as TicketEventView } from '../../contracts/tickets.ts';
import { decodeCursor, decodeHistoryCursor, parseIsoDate, parsePriorities, parseStatuses } from '../../modules/tickets/ticket-list.ts';
import type { TicketNote } from '../../modules/tickets/tickets.repo.ts';
import { addTicketNote, listCustomerHistory, listCustomerTickets, type TicketEvent, type TicketSummary } from '../../modules/tickets/tickets.service.ts';
import type { User } from '../../modules/users/users.repo.ts';

// ---- query parameters: the list's filters and cursors travel as text (the contract); read here ----

/** Reads one parameter with a parser that answers a value or `{ error }`; the error names the parameter. */
function read<T>(ctx: z.RefinementCtx, name: string, text: string | undefined, parse: (text: string) => T | { error: string }): T | null {
  if (text === undefined) return null;
  const result = parse(text);
  if (result && typeof result === 'object' && 'error' in result) {
    ctx.addIssue({ code: 'custom', path: [name], message: result.error });
    return null;
  }
  return result as T;
}

const isoDate = (text: string) => parseIsoDate(text) ?? { error: `"${text}" is not an ISO date; use 2024-05-01 or 2024-05-01T12:00:00Z` };

const listQuery = listTickets.query.transform((query, ctx) => {
  return {
    ...query,
    status: read(ctx, 'status', query.status, (text) => {
      const result = parseStatuses(text);
      return 'error' in result ? result : result.statuses;
    }),
    priority: read(ctx, 'priority', query.priority, (text) => {
      const result = parsePriorities(text);
      return 'error' in result ? result : result.priorities;
    }),
    createdSince: read(ctx, 'createdSince', query.createdSince, isoDate),
    updatedSince: read(ctx, 'updatedSince', query.updatedSince, isoDate),
    cursor: query.cursor === '' ? null : read(ctx, 'cursor', query.cursor, (text) => decodeCursor(text, query.sort, query.order)),
  };
});

const historyQuery = listTicketHistory.query.transform((query, ctx) => ({ ...query, cursor: read(ctx, 'cursor', query.cursor, decodeHistoryCursor) }));

function viewTicket(ticket: TicketSummary): Ticket {
  return {
    ...ticket,
    sla: { state: ticket.sla.state, nextBreachAt: ticket.sla.nextBreachAt?.toISOString() ?? null },
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    resolvedAt: ticket.resolvedAt?.toISOString() ?? null,
  };
}

function viewEvent(event: TicketEvent): TicketEventView {
  return { ...event, occurredAt: event.occurredAt.toISOString() };
}

function viewNote(note: TicketNote, author: User): Note {
  return {
    id: note.id,
    connectionId: note.connectionId,
    zendeskTicketId: note.zendeskTicketId,
    author: { id: author.id, name: author.name, email: author.email },
    body: note.body,
    zendeskCommentId: note.zendeskCommentId,
    zendeskAuditId: note.zendeskAuditId,
    createdAt: note.createdAt.toISOString(),
  };
}

export function ticketRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      listTickets.path,
      {
        // Any signed-in role; a CSM's view narrowed to their customers is for the UI issue.
        config: {},
        schema: {
          params: listTickets.params,
          querystring: listQuery,
          response: { 200: listTickets.response },
        },
      },
      async (request) => {
        const { cursor, sort, order, limit, ...filter } = request.query;
        const page = await listCustomerTickets(deps, {
          customerId: request.params.customerId,
          filter: { statuses: filter.status, priorities: filter.priority, escalated: filter.escalated, slaBreached: filter.slaBreached, createdSince: filter.createdSince, updatedSince: filter.updatedSince, q: filter.q },
          sort,
          order,
          limit,
          cursor,
        });
        return { tickets: page.tickets.map(viewTicket), nextCursor: page.nextCursor };
      },
    );

    app.get(
      listTicketHistory.path,
      {
        config: {},
        schema: {
          params: listTicketHistory.params,
          querystring: historyQuery,
          response: { 200: listTicketHistory.response },
        },
      },
      async (request) => {
        const page = await listCustomerHistory(deps, { customerId: request.params.customerId, ...request.query });
        return { events: page.events.map(viewEvent), nextCursor: page.nextCursor };
      },
    );

    app.post(
      addNote.path,
      {
        config: { roles: ['admin', 'csm'] },
        schema: {
          params: addNote.params,
          body: addNote.body,
          response: addNote.response,
        },
      },
      async (request, reply) => {
        const author = request.user!;
        const note = await addTicketNote(deps, author, { ...request.params, body: request.body.body });
        return reply.status(201).send({ note: viewNote(note, author) });
      },
    );
  };
}
