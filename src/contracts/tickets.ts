/**
 * A customer's Zendesk tickets, their history, and internal notes. The list's status, priority,
 * date and cursor parameters travel as text; the server reads them with the ticket list's own
 * parsers (src/modules/tickets/ticket-list.ts), which name what to use instead.
 */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { parsed } from './params.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './vocabulary.ts';

export const TICKET_SORTS = ['updated', 'created', 'priority'] as const;
export const MATCH_METHODS = ['organization', 'custom_field', 'email_domain', 'organization_domain'] as const;
export const DEFAULT_TICKET_PAGE_SIZE = 50;
export const MAX_TICKET_PAGE_SIZE = 200;
export const NOTE_MAX_LENGTH = 10_000;

const text = z.string({ error: 'must be given once, as text' });
const booleanParam = parsed((value) => (value === 'true' ? true : value === 'false' ? false : { error: `"${value}" is not true or false` }));
const limitParam = parsed((value) => {
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  return n >= 1 && n <= MAX_TICKET_PAGE_SIZE
    ? n
    : { error: `"${value}" is not a page size; use a whole number from 1 to ${MAX_TICKET_PAGE_SIZE} (default ${DEFAULT_TICKET_PAGE_SIZE})` };
}).transform((n) => n ?? DEFAULT_TICKET_PAGE_SIZE);
export const zendeskTicketIdParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'is not a Zendesk ticket id')
  .transform(Number)
  .refine(Number.isSafeInteger, 'is not a Zendesk ticket id');

export const listTicketsQuery = z.object({
  /** Statuses and the `open` group, comma-separated. */
  status: text.optional(),
  /** Priorities, comma-separated. */
  priority: text.optional(),
  escalated: booleanParam,
  slaBreached: booleanParam,
  /** An ISO date or time. */
  createdSince: text.optional(),
  updatedSince: text.optional(),
  q: text
    .max(200, 'is longer than 200 characters')
    .optional()
    .transform((value) => value?.trim() || null),
  sort: z.enum(TICKET_SORTS, { error: (issue) => `"${String(issue.input)}" is not a sort; use updated, created or priority` }).default('updated'),
  order: z.enum(['desc', 'asc'], { error: (issue) => `"${String(issue.input)}" is not an order; use desc or asc` }).default('desc'),
  limit: limitParam,
  cursor: text.optional(),
});

export const ticketHistoryQuery = z.object({
  zendeskTicketId: zendeskTicketIdParam.optional().transform((id) => id ?? null),
  connectionId: z.uuid('is not a connection id').optional().transform((id) => id ?? null),
  limit: limitParam,
  cursor: text.optional(),
});

export const ticket = z.object({
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
export type Ticket = z.output<typeof ticket>;

/** A ticket another one names, with its page in Zendesk. */
export const ticketLink = z.object({ zendeskTicketId: z.number(), url: z.string() });
export type TicketLink = z.output<typeof ticketLink>;

export const ticketEvent = z.object({
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
  /**
   * On a 'merged' event (null on the others): on a merge source, `into` is the ticket it was merged
   * into and `from` is empty; on the target, `into` is null and `from` lists the merged tickets.
   */
  merge: z.object({ into: ticketLink.nullable(), from: z.array(ticketLink) }).nullable(),
});
export type TicketEvent = z.output<typeof ticketEvent>;

export const note = z.object({
  id: z.string(),
  connectionId: z.string(),
  zendeskTicketId: z.number(),
  author: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  body: z.string(),
  zendeskCommentId: z.number().nullable(),
  zendeskAuditId: z.number().nullable(),
  createdAt: z.string(),
});
export type Note = z.output<typeof note>;

export const ticketCustomerParams = z.object({ customerId: z.uuid('is not a customer id') });
export const noteParams = z.object({ connectionId: z.uuid('is not a connection id'), zendeskTicketId: zendeskTicketIdParam });
export const addNoteBody = z.object({
  body: z
    .string({ error: 'is required, as text' })
    .trim()
    .min(1, 'is empty')
    .max(NOTE_MAX_LENGTH, `is longer than ${NOTE_MAX_LENGTH.toLocaleString('en')} characters`),
});

const BASE = '/api/integrations/zendesk/tickets';
export const listTickets = endpoint({
  method: 'GET',
  path: `${BASE}/:customerId`,
  params: ticketCustomerParams,
  query: listTicketsQuery,
  response: z.object({ tickets: z.array(ticket), nextCursor: z.string().nullable() }),
});
export const listTicketHistory = endpoint({
  method: 'GET',
  path: `${BASE}/:customerId/history`,
  params: ticketCustomerParams,
  query: ticketHistoryQuery,
  response: z.object({ events: z.array(ticketEvent), nextCursor: z.string().nullable() }),
});
export const addTicketNote = endpoint({
  method: 'POST',
  path: `${BASE}/:connectionId/:zendeskTicketId/notes`,
  params: noteParams,
  body: addNoteBody,
  response: { 201: z.object({ note }) },
});
