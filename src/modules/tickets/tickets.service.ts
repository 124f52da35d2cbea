/**
 * The tickets API: a customer's tickets (filtered, sorted, keyset-paginated), their history, and
 * the "add note" quick action, which writes a private comment on the Zendesk ticket for the CSM.
 */
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { ZendeskError } from '../../zendesk/errors.ts';
import { zendeskBaseUrl } from '../../zendesk/url.ts';
import { findConnection } from '../connections/connections.repo.ts';
import { zendeskClientFor } from '../connections/connections.service.ts';
import { refreshTickets } from '../ingest/sync.service.ts';
import type { User } from '../users/users.repo.ts';
import {
  encodeCursor,
  encodeHistoryCursor,
  slaOf,
  type HistoryCursor,
  type SlaState,
  type SortOrder,
  type TicketCursor,
  type TicketFilter,
  type TicketSort,
} from './ticket-list.ts';
import { findNoteTarget, insertNoteWithEvent, selectHistoryPage, selectTicketPage, type TicketEventRow, type TicketListRow, type TicketNote } from './tickets.repo.ts';
import { DEFAULT_TICKET_PAGE_SIZE, MAX_TICKET_PAGE_SIZE, NOTE_MAX_LENGTH } from '../../contracts/tickets.ts';

/** What this module uses of the process's dependencies. */
export type NoteDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'secrets' | 'syncRequests' | 'metrics'>;

export { DEFAULT_TICKET_PAGE_SIZE as DEFAULT_PAGE_SIZE, MAX_TICKET_PAGE_SIZE as MAX_PAGE_SIZE, NOTE_MAX_LENGTH };

export interface TicketSummary extends Omit<TicketListRow, 'keys' | 'hasSla' | 'slaNextBreachAt'> {
  /** The ticket in Zendesk's agent interface. */
  url: string;
  sla: { state: SlaState | null; nextBreachAt: Date | null };
}

export interface TicketListRequest {
  customerId: string;
  filter: TicketFilter;
  sort: TicketSort;
  order: SortOrder;
  limit: number;
  cursor: TicketCursor | null;
}

/** `https://{subdomain}.zendesk.com/agent/tickets/{id}`, from ZENDESK_URL_TEMPLATE. */
export function ticketUrl(urlTemplate: string, subdomain: string, zendeskTicketId: number): string {
  return `${zendeskBaseUrl(urlTemplate, subdomain)}/agent/tickets/${zendeskTicketId}`;
}

type ReadDeps = Pick<Deps, 'db' | 'config'>;

/** One page of the customer's tickets and the cursor of the next (null on the last page). */
export async function listCustomerTickets(deps: ReadDeps, request: TicketListRequest): Promise<{ tickets: TicketSummary[]; nextCursor: string | null }> {
  const page = await selectTicketPage(deps.db, {
    customerId: request.customerId,
    filter: request.filter,
    sort: request.sort,
    order: request.order,
    take: request.limit + 1,
    after: request.cursor,
  });
  if (!page) throw new AppError('not_found', `no customer ${request.customerId}`);
  const rows = page.rows.slice(0, request.limit);
  const last = rows.at(-1);
  const nextCursor =
    page.rows.length > request.limit && last ? encodeCursor({ sort: request.sort, order: request.order, keys: last.keys[request.sort], id: last.id }) : null;
  const tickets = rows.map(({ keys: _keys, hasSla, slaNextBreachAt, ...row }) => ({
    ...row,
    url: ticketUrl(deps.config.ZENDESK_URL_TEMPLATE, row.subdomain, row.zendeskTicketId),
    sla: slaOf(hasSla, slaNextBreachAt, page.now),
  }));
  return { tickets, nextCursor };
}

export interface TicketLink {
  zendeskTicketId: number;
  url: string;
}

export type TicketEvent = Omit<TicketEventRow, 'occurredKey'> & { merge: { into: TicketLink | null; from: TicketLink[] } | null };

/**
 * The tickets a 'merged' event names (ticket-events-stream.ts eventsOfAudit): `to` is the target,
 * `from` the merged tickets, comma separated. The target's event lists the sources it took in; a
 * source's event names the target it went into.
 */
export function mergeOf(urlTemplate: string, event: Pick<TicketEventRow, 'kind' | 'from' | 'to' | 'subdomain' | 'zendeskTicketId'>): TicketEvent['merge'] {
  if (event.kind !== 'merged' || event.to === null) return null;
  const link = (id: number): TicketLink => ({ zendeskTicketId: id, url: ticketUrl(urlTemplate, event.subdomain, id) });
  const target = Number(event.to);
  if (target !== event.zendeskTicketId) return { into: link(target), from: [] };
  const sources = (event.from ?? '').split(',').filter((id) => id !== '').map(Number);
  return { into: null, from: sources.map(link) };
}

/** One page of the history of the customer's tickets (or of one of them), newest first. */
export async function listCustomerHistory(
  deps: ReadDeps,
  request: { customerId: string; zendeskTicketId: number | null; connectionId: string | null; limit: number; cursor: HistoryCursor | null },
): Promise<{ events: TicketEvent[]; nextCursor: string | null }> {
  const rows = await selectHistoryPage(deps.db, {
    customerId: request.customerId,
    zendeskTicketId: request.zendeskTicketId,
    connectionId: request.connectionId,
    take: request.limit + 1,
    after: request.cursor,
  });
  if (!rows) throw new AppError('not_found', `no customer ${request.customerId}`);
  const page = rows.slice(0, request.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > request.limit && last ? encodeHistoryCursor({ occurredAt: last.occurredKey, id: last.id }) : null;
  return { events: page.map(({ occurredKey: _key, ...event }) => ({ ...event, merge: mergeOf(deps.config.ZENDESK_URL_TEMPLATE, event) })), nextCursor };
}

// ---- notes ----


/** The first line of the comment in Zendesk: the API acts as the connection's admin, so the text says who wrote it. */
export function noteAttribution(author: Pick<User, 'name' | 'email'>): string {
  return `Note from ${author.name} (${author.email}) via CSCX:`;
}

/**
 * Update Ticket's answer (PUT /api/v2/tickets/{id}): the ticket, and the audit of the change whose
 * Comment event is the new comment. Unknown fields are dropped; the few we read are checked.
 */
const noteAnswerSchema = z.object({
  ticket: z.object({ id: z.number(), updated_at: z.string().nullable().optional() }),
  audit: z
    .object({
      id: z.number(),
      created_at: z.string().nullable().optional(),
      events: z.array(z.object({ id: z.number().nullable().optional(), type: z.string().optional() })).optional(),
    })
    .nullable()
    .optional(),
});

function validDate(text: string | null | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** What Zendesk refusing the note means for the CSM; never a credential (Zendesk's messages carry none). */
function noteRefused(error: ZendeskError, subdomain: string, zendeskTicketId: number, knownStatus: string): AppError {
  const ticket = `ticket ${zendeskTicketId} on ${subdomain}`;
  switch (error.kind) {
    case 'not_found':
      return new AppError('not_found', `Zendesk has no ${ticket} (deleted, or merged into another ticket?): ${error.message}`);
    case 'rejected': {
      const closed = knownStatus === 'closed' ? '; the ticket is closed, and Zendesk lets nobody change a closed ticket: add the note to a follow-up ticket' : '';
      return new AppError('unprocessable', `Zendesk refused the note on ${ticket}: ${error.message}${closed}`, { zendeskStatus: error.status ?? null, zendeskError: error.zendeskError ?? null });
    }
    case 'unauthorized':
    case 'forbidden':
      return new AppError('upstream_failed', `Zendesk refused the connection's credentials for ${subdomain}, so the note was not added; an admin must reconnect ${subdomain}: ${error.message}`);
    default:
      return new AppError('upstream_failed', `the note was not added: Zendesk did not take it (${error.message}); try again in a minute`);
  }
}

/**
 * Adds a private (internal) comment to the Zendesk ticket, attributed to the author in its first
 * line, then records it with its note_added event and refreshes the ticket so that its new
 * updated_at is stored. Nothing is recorded when Zendesk refuses. We only add notes to tickets we
 * have synced: the CSM reached the ticket from our list, and the ticket's customer decides who may
 * see it.
 *
 * Not idempotent: the Zendesk client retries a 5xx, and Zendesk has no idempotency key for ticket
 * updates, so a 5xx after Zendesk applied the comment may add it twice (never silently lose it).
 */
export async function addTicketNote(deps: NoteDeps, author: User, input: { connectionId: string; zendeskTicketId: number; body: string }): Promise<TicketNote> {
  const { connectionId, zendeskTicketId } = input;
  const target = await findNoteTarget(deps.db, connectionId, zendeskTicketId);
  if (!target) {
    const connection = await findConnection(deps.db, connectionId);
    if (!connection) throw new AppError('not_found', `no Zendesk connection ${connectionId}`);
    throw new AppError('not_found', `no ticket ${zendeskTicketId} on ${connection.subdomain} among the synced tickets`);
  }
  const client = await zendeskClientFor(deps, connectionId);
  const comment = `${noteAttribution(author)}\n\n${input.body}`;
  let answer: z.infer<typeof noteAnswerSchema>;
  try {
    answer = await client.request('PUT', `/api/v2/tickets/${zendeskTicketId}.json`, {
      body: { ticket: { comment: { body: comment, public: false } } },
      schema: noteAnswerSchema,
    });
  } catch (error) {
    if (!(error instanceof ZendeskError)) throw error;
    deps.logger.warn({ connectionId, zendeskTicketId, kind: error.kind, status: error.status }, 'Zendesk refused a ticket note');
    throw noteRefused(error, target.subdomain, zendeskTicketId, target.status);
  }
  const commentEvent = answer.audit?.events?.find((event) => event.type === 'Comment');
  const note = await insertNoteWithEvent(deps.db, {
    connectionId,
    zendeskTicketId,
    authorId: author.id,
    body: input.body,
    zendeskCommentId: commentEvent?.id ?? null,
    zendeskAuditId: answer.audit?.id ?? null,
    occurredAt: validDate(answer.ticket.updated_at) ?? validDate(answer.audit?.created_at) ?? new Date(),
  });
  // The note is in Zendesk and recorded: a failed refresh only delays the new updated_at until the
  // webhook or the next catch-up brings it.
  try {
    await refreshTickets(deps, connectionId, [zendeskTicketId]);
  } catch (error) {
    deps.logger.warn({ err: error, connectionId, zendeskTicketId }, 'could not refresh the ticket after adding a note');
  }
  return note;
}
