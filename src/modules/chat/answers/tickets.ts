/**
 * Ticket lists: one customer's (through the tickets service, as the API lists them) or across the
 * caller's customers (chat.repo.ts), for "tickets", "escalated tickets" and a customer's "SLA
 * breaches". The filter and its wording come from the message the same way for both.
 */
import { OPEN_STATUSES, type TicketPriority, type TicketStatus } from '../../../contracts/vocabulary.ts';
import { NO_FILTER } from '../../tickets/ticket-list.ts';
import { listCustomerTickets, ticketUrl, type TicketSummary } from '../../tickets/tickets.service.ts';
import { csmIdOf, customerNameOf, scopeOf, type AnswerContext, type ReadDeps } from '../answer-context.ts';
import type { ChatEntities } from '../chat-parser.ts';
import { countCustomerTickets, selectPortfolioTickets, type PortfolioTicket } from '../chat.repo.ts';
import { customerSuggestions, GENERAL_SUGGESTIONS } from '../quick-actions.ts';
import { customerRef, type AnswerContent, type ChatData, type ChatTicket } from '../views.ts';

export type TicketCommand = 'list_tickets' | 'escalated_tickets' | 'sla_breaches';

const TICKETS_SHOWN = 10;

interface TicketRequest {
  statuses: TicketStatus[] | null;
  priorities: TicketPriority[] | null;
  escalated: true | null;
  slaBreached: true | null;
  createdSince: Date | null;
  /** The filter as the card shows it. */
  shown: Extract<ChatData, { kind: 'tickets' }>['filter'];
  /** "open urgent escalated tickets", by count. */
  noun: (n: number) => string;
}

function statusesOf(entities: ChatEntities, fallback: TicketStatus[] | null): TicketStatus[] | null {
  switch (entities.status) {
    case null:
      return fallback;
    case 'all':
      return null;
    case 'open':
      return [...OPEN_STATUSES];
    default:
      return [entities.status];
  }
}

function ticketWords(entities: ChatEntities, extra: string | null): string {
  const status = entities.status === null || entities.status === 'all' ? null : entities.status === 'hold' ? 'on-hold' : entities.status;
  return [status, entities.priority, extra].filter(Boolean).join(' ');
}

function sinceWords(entities: ChatEntities): string {
  if (!entities.since) return '';
  return entities.since.label === 'today' || entities.since.label === 'yesterday' ? ` created ${entities.since.label} or later` : ` created in the ${entities.since.label}`;
}

function ticketRequest(entities: ChatEntities, command: TicketCommand): TicketRequest {
  const escalated = command === 'escalated_tickets' ? true : null;
  const slaBreached = command === 'sla_breaches' ? true : null;
  // Open tickets unless a status is named; "tickets from last week" means all of them.
  const statuses = statusesOf(entities, entities.since && command === 'list_tickets' ? null : [...OPEN_STATUSES]);
  const extra = command === 'escalated_tickets' ? 'escalated' : command === 'sla_breaches' ? 'SLA-breached' : null;
  const described = ticketWords({ ...entities, status: entities.status ?? (statuses ? 'open' : null) }, extra);
  return {
    statuses,
    priorities: entities.priority ? [entities.priority as TicketPriority] : null,
    escalated,
    slaBreached,
    createdSince: entities.since ? new Date(entities.since.from) : null,
    shown: { statuses, priority: entities.priority, escalated, slaBreached, createdSince: entities.since?.from ?? null },
    noun: (n) => `${described ? `${described} ` : ''}${n === 1 ? 'ticket' : 'tickets'}`,
  };
}

/** The fields both ticket sources share, as the card shows them. */
type TicketFields = Pick<ChatTicket, 'id' | 'zendeskTicketId' | 'subdomain' | 'subject' | 'status' | 'priority' | 'escalated'> & { updatedAt: Date };

function viewTicket(t: TicketFields, customerId: string, customerName: string, slaState: ChatTicket['slaState'], url: string): ChatTicket {
  return {
    id: t.id,
    customerId,
    customerName,
    zendeskTicketId: t.zendeskTicketId,
    subdomain: t.subdomain,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    escalated: t.escalated,
    slaState,
    updatedAt: t.updatedAt.toISOString(),
    url,
  };
}

const viewCustomerTicket = (customerId: string, customerName: string, t: TicketSummary): ChatTicket => viewTicket(t, customerId, customerName, t.sla.state, t.url);

/** The portfolio query knows only whether an SLA is breached now, not whether one is due soon. */
const viewPortfolioTicket = (deps: ReadDeps, t: PortfolioTicket): ChatTicket =>
  viewTicket(t, t.customerId, t.customerName, t.slaBreached ? 'breached' : null, ticketUrl(deps.config.ZENDESK_URL_TEMPLATE, t.subdomain, t.zendeskTicketId));

/** One customer's tickets, most recently updated first, with how many the filter selects in all. */
export async function answerCustomerTickets(ctx: AnswerContext, command: TicketCommand, customerId: string): Promise<AnswerContent> {
  const { deps, parsed } = ctx;
  const request = ticketRequest(parsed.entities, command);
  const { statuses, priorities, escalated, slaBreached, createdSince } = request;
  const name = customerNameOf(ctx, customerId);
  const [page, total] = await Promise.all([
    listCustomerTickets(deps, {
      customerId,
      filter: { ...NO_FILTER, statuses, priorities, escalated, slaBreached, createdSince },
      sort: 'updated',
      order: 'desc',
      limit: TICKETS_SHOWN,
      cursor: null,
    }),
    countCustomerTickets(deps.db, customerId, { statuses, priorities, escalated, slaBreached, createdSince }),
  ]);
  const tickets = page.tickets.map((t) => viewCustomerTicket(customerId, name, t));
  let reply = `${name} has ${total === 0 ? 'no' : total.toLocaleString('en')} ${request.noun(total)}${sinceWords(parsed.entities)}.`;
  if (total > tickets.length) reply += ` Here are the ${tickets.length} most recently updated.`;
  return {
    reply,
    data: { kind: 'tickets', customer: customerRef(customerId, name), scope: 'customer', filter: request.shown, total, tickets },
    suggestions: customerSuggestions(ctx.index, customerId, command),
  };
}

/** Tickets across the caller's customers (a CSM's own, everyone's for leaders), most urgent first. */
export async function answerPortfolioTickets(ctx: AnswerContext, command: Exclude<TicketCommand, 'sla_breaches'>): Promise<AnswerContent> {
  const { deps, parsed, user } = ctx;
  const request = ticketRequest(parsed.entities, command);
  const { statuses, priorities, escalated, slaBreached, createdSince, noun } = request;
  const scope = scopeOf(user);
  const result = await selectPortfolioTickets(deps.db, { csmId: csmIdOf(user), statuses, priorities, escalated, slaBreached, createdSince }, TICKETS_SHOWN);
  const across = scope === 'mine' ? 'across your customers' : 'across all customers';
  const since = sinceWords(parsed.entities);
  let reply = result.total === 0 ? `There are no ${noun(0)}${since} ${across}.` : `There ${result.total === 1 ? 'is' : 'are'} ${result.total.toLocaleString('en')} ${noun(result.total)}${since} ${across}.`;
  if (result.total > result.tickets.length) reply += ` Here are the ${result.tickets.length} most urgent.`;
  const first = result.tickets[0];
  return {
    reply,
    data: { kind: 'tickets', customer: null, scope, filter: request.shown, total: result.total, tickets: result.tickets.map((t) => viewPortfolioTicket(deps, t)) },
    suggestions: first ? customerSuggestions(ctx.index, first.customerId, null).slice(0, 2).map((s) => ({ ...s, label: `${s.label} (${first.customerName})` })).concat(GENERAL_SUGGESTIONS.slice(1, 3)) : GENERAL_SUGGESTIONS,
  };
}
