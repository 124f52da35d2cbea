/**
 * Incremental exports (OAS; "Allowed For: Admins"):
 * - tickets, time-based (`/incremental/tickets`) and cursor-based (`/incremental/tickets/cursor`),
 *   compared on `generated_timestamp`, with `support_type_scope` defaulting to "agent", deleted
 *   tickets shown with status "deleted" unless `exclude_deleted=true` ([3P] Prefect docs name the
 *   parameter), side-loads as for tickets;
 * - users, time-based and cursor-based; organizations, time-based; both on `updated_at`.
 */
import type { FastifyInstance } from 'fastify';
import type { ZOrganization, ZTicket, ZUser } from '../contract.ts';
import { ChangeIndex } from './change-index.ts';
import {
  EXCLUDED_RECENT_SECONDS,
  type ExportPage,
  decodeExportCursor,
  encodeExportCursor,
  readPerPage,
  readStartTime,
  scanExport,
} from './export-pages.ts';
import { type Query, queryValue } from '../support-api/pagination.ts';
import { type Json, type RenderContext, renderOrganization, renderTicket, renderUser, resourceUrl } from '../support-api/render.ts';
import { includesOf, sideloadTickets } from '../support-api/sideloads.ts';
import type { AccountState } from '../support-api/state.ts';
import type { Audit } from '../support-api/audits.ts';
import { renderTicketEvent } from './ticket-events.ts';
import { msOf, unixSeconds } from '../support-api/time.ts';
import { API, type Services, guard, queryOf, renderContextOf } from '../support-api/routes/support.ts';

const FORWARDED = ['per_page', 'include', 'support_type_scope', 'exclude_deleted'];

/** The next-page URL: the export's own parameters plus the position to resume from. */
function exportUrl(base: string, query: Query, position: Array<[string, string]>): string {
  const parts = FORWARDED.flatMap((name) => {
    const value = queryValue(query, name);
    return value === undefined ? [] : [`${name}=${encodeURIComponent(value)}`];
  });
  for (const [name, value] of position) parts.push(`${name}=${encodeURIComponent(value)}`);
  return `${base}?${parts.join('&')}`;
}

function cutoffOf(ctx: RenderContext): number {
  return unixSeconds(ctx.nowMs) - EXCLUDED_RECENT_SECONDS;
}

function ticketFilter(query: Query): (ticket: ZTicket) => boolean {
  const scope = queryValue(query, 'support_type_scope') ?? 'agent';
  const excludeDeleted = queryValue(query, 'exclude_deleted') === 'true';
  return (ticket) => (scope === 'all' || ticket.support_type === scope) && !(excludeDeleted && ticket.deleted);
}

function ticketsBody(ctx: RenderContext, tickets: ZTicket[], query: Query): Json {
  const rendered = tickets.map((ticket) => renderTicket(ctx, ticket, true));
  const body: Json = { tickets: rendered };
  sideloadTickets(ctx, tickets, rendered, includesOf(query), body);
  return body;
}

function userIndex(state: AccountState): ChangeIndex {
  state.userIndex ??= new ChangeIndex([...state.account.users.values()].map((user) => ({ ts: unixSeconds(msOf(user.updated_at)), id: user.id })));
  return state.userIndex;
}

function organizationIndex(state: AccountState): ChangeIndex {
  state.organizationIndex ??= new ChangeIndex(
    [...state.account.organizations.values()].map((org) => ({ ts: unixSeconds(msOf(org.updated_at)), id: org.id })),
  );
  return state.organizationIndex;
}

interface ExportSource<T> {
  name: string;
  index: (state: AccountState) => ChangeIndex;
  lookup: (state: AccountState) => (id: number) => T | undefined;
  keep: (query: Query, state: AccountState) => (item: T) => boolean;
  body: (ctx: RenderContext, items: T[], query: Query) => Json;
}

const TICKETS: ExportSource<ZTicket> = {
  name: 'tickets',
  index: (state) => state.ticketIndex,
  lookup: (state) => (id) => state.account.tickets.get(id),
  keep: ticketFilter,
  body: ticketsBody,
};

const USERS: ExportSource<ZUser> = {
  name: 'users',
  index: userIndex,
  lookup: (state) => (id) => state.account.users.get(id),
  keep: () => () => true,
  body: (ctx, users, query) => {
    const body: Json = { users: users.map((user) => renderUser(ctx, user)) };
    if (includesOf(query).has('organizations')) {
      const ids = new Set(users.flatMap((user) => (user.organization_id === null ? [] : [user.organization_id])));
      body.organizations = [...ids].flatMap((id) => {
        const org = ctx.state.account.organizations.get(id);
        return org ? [renderOrganization(ctx, org)] : [];
      });
    }
    return body;
  },
};

const ORGANIZATIONS: ExportSource<ZOrganization> = {
  name: 'organizations',
  index: organizationIndex,
  lookup: (state) => (id) => state.account.organizations.get(id),
  keep: () => () => true,
  body: (ctx, organizations) => ({ organizations: organizations.map((org) => renderOrganization(ctx, org)) }),
};

/** Audits, on their `created_at`; of the tickets the ticket export would serve (`support_type_scope`). */
const TICKET_EVENTS: ExportSource<Audit> = {
  name: 'ticket_events',
  index: (state) => state.audits.index,
  lookup: (state) => (id) => state.audits.get(id),
  keep: (query, state) => {
    const keepTicket = ticketFilter({ support_type_scope: queryValue(query, 'support_type_scope') ?? 'agent' });
    return (audit) => {
      const ticket = state.account.tickets.get(audit.ticket_id);
      return ticket !== undefined && keepTicket(ticket);
    };
  },
  body: (_ctx, audits, query) => {
    const withComments = includesOf(query).has('comment_events');
    return { ticket_events: audits.map((audit) => renderTicketEvent(audit, withComments)) };
  },
};

/** Time-based: `count`, `end_of_stream`, `end_time`, `next_page` (OAS TimeBasedExportIncrementalTicketsResponse). */
function timeBased<T>(source: ExportSource<T>, ctx: RenderContext, query: Query): Json {
  const cutoff = cutoffOf(ctx);
  const startTime = readStartTime(queryValue(query, 'start_time'), cutoff);
  const index = source.index(ctx.state);
  const page: ExportPage<T> = scanExport({
    index,
    lookup: source.lookup(ctx.state),
    keep: source.keep(query, ctx.state),
    from: index.firstAtOrAfter(startTime),
    cutoffSeconds: cutoff,
    perPage: readPerPage(queryValue(query, 'per_page')),
    extendToWholeSecond: true,
  });
  // With nothing to serve, resume at the cutoff: everything up to it has been seen.
  const endTime = page.last?.ts ?? cutoff;
  return {
    ...source.body(ctx, page.items, query),
    count: page.items.length,
    end_of_stream: page.endOfStream,
    end_time: endTime,
    next_page: exportUrl(resourceUrl(ctx.baseUrl, `incremental/${source.name}`), query, [['start_time', String(endTime)]]),
  };
}

/**
 * Cursor-based: `after_cursor`, `after_url`, `before_cursor`, `before_url`, `end_of_stream` (OAS
 * CursorBasedExportIncrementalTicketsResponse). The last page still carries `after_cursor`: the
 * position to poll from next time (OAS example: end_of_stream true with an after_cursor).
 */
function cursorBased<T>(source: ExportSource<T>, ctx: RenderContext, query: Query): Json {
  const cutoff = cutoffOf(ctx);
  const index = source.index(ctx.state);
  const cursor = queryValue(query, 'cursor');
  // An empty cursor counts as none (node-zendesk sends `cursor=` when given no cursor).
  const position = cursor ? decodeExportCursor(cursor) : { ts: readStartTime(queryValue(query, 'start_time'), cutoff), id: 0 };
  const page = scanExport({
    index,
    lookup: source.lookup(ctx.state),
    keep: source.keep(query, ctx.state),
    from: index.firstAfter(position.ts, position.id),
    cutoffSeconds: cutoff,
    perPage: readPerPage(queryValue(query, 'per_page')),
    extendToWholeSecond: false,
  });
  const afterCursor = encodeExportCursor(page.last ?? position);
  return {
    ...source.body(ctx, page.items, query),
    after_cursor: afterCursor,
    after_url: exportUrl(resourceUrl(ctx.baseUrl, `incremental/${source.name}/cursor`), query, [['cursor', afterCursor]]),
    before_cursor: null,
    before_url: null,
    end_of_stream: page.endOfStream,
  };
}

export function registerIncrementalRoutes(app: FastifyInstance, services: Services): void {
  const admins = (resource: 'tickets' | 'users' | 'organizations') => guard(services, 'admin', resource);
  const serve = (path: string, resource: 'tickets' | 'users' | 'organizations', handler: (ctx: RenderContext, query: Query) => Json): void => {
    app.get(`${API}/incremental/${path}`, { preHandler: admins(resource) }, async (request) => handler(renderContextOf(services, request), queryOf(request)));
  };
  serve('tickets', 'tickets', (ctx, query) => timeBased(TICKETS, ctx, query));
  serve('tickets/cursor', 'tickets', (ctx, query) => cursorBased(TICKETS, ctx, query));
  serve('users', 'users', (ctx, query) => timeBased(USERS, ctx, query));
  serve('users/cursor', 'users', (ctx, query) => cursorBased(USERS, ctx, query));
  serve('organizations', 'organizations', (ctx, query) => timeBased(ORGANIZATIONS, ctx, query));
  serve('ticket_events', 'tickets', (ctx, query) => timeBased(TICKET_EVENTS, ctx, query));
}
