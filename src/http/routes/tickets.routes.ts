import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import {
  decodeCursor,
  decodeHistoryCursor,
  MATCH_METHODS,
  parseIsoDate,
  parsePriorities,
  parseStatuses,
  TICKET_SORTS,
} from '../../modules/tickets/ticket-list.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../contracts/vocabulary.ts';
import type { TicketNote } from '../../modules/tickets/tickets.repo.ts';
import {
  addTicketNote,
  DEFAULT_PAGE_SIZE,
  listCustomerHistory,
  listCustomerTickets,
  MAX_PAGE_SIZE,
  NOTE_MAX_LENGTH,
  type TicketEvent,
  type TicketSummary,
} from '../../modules/tickets/tickets.service.ts';
import type { User } from '../../modules/users/users.repo.ts';

const BASE = '/api/integrations/zendesk/tickets';

// ---- query parameters: each error names the parameter and quotes the value ----

/** Runs a parser that answers a value or `{ error }`, as a zod transform of an optional parameter. */
function parsed<T>(parse: (text: string) => T | { error: string }) {
  return z
    .string({ error: 'must be given once, as text' })
    .optional()
    .transform((text, ctx): T | null => {
      if (text === undefined) return null;
      const result = parse(text);
      if (result && typeof result === 'object' && 'error' in result) {
        ctx.addIssue({ code: 'custom', message: result.error });
        return z.NEVER;
      }
      return result as T;
    });
}

const booleanParam = parsed((text) => (text === 'true' ? true : text === 'false' ? false : { error: `"${text}" is not true or false` }));
const dateParam = parsed((text) => parseIsoDate(text) ?? { error: `"${text}" is not an ISO date; use 2024-05-01 or 2024-05-01T12:00:00Z` });
const limitParam = parsed((text) => {
  const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= MAX_PAGE_SIZE ? n : { error: `"${text}" is not a page size; use a whole number from 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` };
}).transform((n) => n ?? DEFAULT_PAGE_SIZE);
const zendeskTicketIdParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'is not a Zendesk ticket id')
  .transform(Number)
  .refine(Number.isSafeInteger, 'is not a Zendesk ticket id');

const listQuery = z
  .object({
    status: parsed((text) => {
      const result = parseStatuses(text);
      return 'error' in result ? result : result.statuses;
    }),
    priority: parsed((text) => {
      const result = parsePriorities(text);
      return 'error' in result ? result : result.priorities;
    }),
    escalated: booleanParam,
    slaBreached: booleanParam,
    createdSince: dateParam,
    updatedSince: dateParam,
    q: z
      .string({ error: 'must be given once, as text' })
      .max(200, 'is longer than 200 characters')
      .optional()
      .transform((text) => text?.trim() || null),
    sort: z.enum(TICKET_SORTS, { error: (issue) => `"${String(issue.input)}" is not a sort; use updated, created or priority` }).default('updated'),
    order: z.enum(['desc', 'asc'], { error: (issue) => `"${String(issue.input)}" is not an order; use desc or asc` }).default('desc'),
    limit: limitParam,
    cursor: z.string({ error: 'must be given once, as text' }).optional(),
  })
  .transform((query, ctx) => {
    if (query.cursor === undefined || query.cursor === '') return { ...query, cursor: null };
    const cursor = decodeCursor(query.cursor, query.sort, query.order);
    if ('error' in cursor) {
      ctx.addIssue({ code: 'custom', path: ['cursor'], message: cursor.error });
      return z.NEVER;
    }
    return { ...query, cursor };
  });

const historyQuery = z.object({
  zendeskTicketId: zendeskTicketIdParam.optional().transform((id) => id ?? null),
  connectionId: z.uuid('is not a connection id').optional().transform((id) => id ?? null),
  limit: limitParam,
  cursor: parsed((text) => decodeHistoryCursor(text)),
});

// ---- answers ----

const ticketView = z.object({
  id: z.string(),
  connectionId: z.string(),
  zendeskTicketId: z.number(),
  subdomain: z.string(),
  url: z.string(),
  subject: z.string().nullable(),
  status: z.enum(TICKET_STATUSES),
  priority: z.enum(TICKET_PRIORITIES).nullable(),
  type: z.string().nullable(),
  escalated: z.boolean(),
  requesterEmail: z.string().nullable(),
  requesterName: z.string().nullable(),
  assigneeName: z.string().nullable(),
  organizationZendeskId: z.number().nullable(),
  tags: z.array(z.string()),
  customFields: z.array(z.object({ id: z.number(), value: z.unknown() })),
  satisfactionRating: z.string().nullable(),
  satisfactionComment: z.string().nullable(),
  sla: z.object({ state: z.enum(['breached', 'due_soon', 'ok']).nullable(), nextBreachAt: z.string().nullable() }),
  matchMethod: z.enum(MATCH_METHODS).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
});

const eventView = z.object({
  id: z.number(),
  kind: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  occurredAt: z.string(),
  source: z.string(),
  connectionId: z.string(),
  zendeskTicketId: z.number(),
  subdomain: z.string(),
  subject: z.string().nullable(),
});

const noteView = z.object({
  id: z.string(),
  connectionId: z.string(),
  zendeskTicketId: z.number(),
  author: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  body: z.string(),
  zendeskCommentId: z.number().nullable(),
  zendeskAuditId: z.number().nullable(),
  createdAt: z.string(),
});

function viewTicket(ticket: TicketSummary): z.infer<typeof ticketView> {
  return {
    ...ticket,
    sla: { state: ticket.sla.state, nextBreachAt: ticket.sla.nextBreachAt?.toISOString() ?? null },
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    resolvedAt: ticket.resolvedAt?.toISOString() ?? null,
  };
}

function viewEvent(event: TicketEvent): z.infer<typeof eventView> {
  return { ...event, occurredAt: event.occurredAt.toISOString() };
}

function viewNote(note: TicketNote, author: User): z.infer<typeof noteView> {
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

const customerParams = z.object({ customerId: z.uuid('is not a customer id') });

export function ticketRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      `${BASE}/:customerId`,
      {
        // Any signed-in role; a CSM's view narrowed to their customers is for the UI issue.
        config: {},
        schema: {
          params: customerParams,
          querystring: listQuery,
          response: { 200: z.object({ tickets: z.array(ticketView), nextCursor: z.string().nullable() }) },
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
      `${BASE}/:customerId/history`,
      {
        config: {},
        schema: {
          params: customerParams,
          querystring: historyQuery,
          response: { 200: z.object({ events: z.array(eventView), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const page = await listCustomerHistory(deps, { customerId: request.params.customerId, ...request.query });
        return { events: page.events.map(viewEvent), nextCursor: page.nextCursor };
      },
    );

    app.post(
      `${BASE}/:connectionId/:zendeskTicketId/notes`,
      {
        config: { roles: ['admin', 'csm'] },
        schema: {
          params: z.object({ connectionId: z.uuid('is not a connection id'), zendeskTicketId: zendeskTicketIdParam }),
          body: z.object({
            body: z
              .string({ error: 'is required, as text' })
              .trim()
              .min(1, 'is empty')
              .max(NOTE_MAX_LENGTH, `is longer than ${NOTE_MAX_LENGTH.toLocaleString('en')} characters`),
          }),
          response: { 201: z.object({ note: noteView }) },
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
