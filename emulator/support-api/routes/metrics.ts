/**
 * Ticket Metrics API (OAS): list ("ordered chronologically by created date, from newest to
 * oldest"; deleted tickets have no metrics), show by metric id or ticket id ("Returns a specific
 * metric, or the metrics of a specific ticket"), and tickets/{id}/metrics.
 */
import type { FastifyInstance } from 'fastify';
import type { ZTicket } from '../../contract.ts';
import { recordNotFound } from '../../faults/errors.ts';
import { paginate } from '../pagination.ts';
import { type RenderContext, renderTicketMetric, resourceUrl } from '../render.ts';
import { API, type Services, type TicketParams, guard, idParam, liveTicket, queryOf, renderContextOf, singleRecord } from './support.ts';

type MetricParams = { subdomain: string; ticket_metric_id: string };

function metricOf(ctx: RenderContext, ticket: ZTicket) {
  const timeline = ctx.state.timelines.get(ticket.id);
  if (!timeline) throw recordNotFound();
  return renderTicketMetric(ctx, ticket, timeline);
}

export function registerMetricRoutes(app: FastifyInstance, services: Services): void {
  const agents = guard(services, 'agent', 'tickets');

  app.get(`${API}/ticket_metrics`, { preHandler: agents }, async (request) => {
    const ctx = renderContextOf(services, request);
    // Ticket ids grow with creation time, so newest first is descending id.
    const tickets = [...ctx.state.account.tickets.values()].filter((ticket) => !ticket.deleted).reverse();
    const page = paginate(tickets, queryOf(request), {
      url: resourceUrl(ctx.baseUrl, 'ticket_metrics'),
      defaultSort: '-id',
      presorted: true,
      cursorSorts: { id: (t) => t.id },
      offsetSorts: { id: (t) => t.id },
    });
    return { ticket_metrics: page.items.map((ticket) => metricOf(ctx, ticket)), ...page.envelope };
  });

  app.get<{ Params: MetricParams }>(`${API}/ticket_metrics/:ticket_metric_id`, { preHandler: agents }, async (request) => {
    const ctx = renderContextOf(services, request);
    const id = idParam(request.params.ticket_metric_id);
    const ticketId = ctx.state.ids.ticketForMetric(id) ?? id;
    const ticket = ctx.state.account.tickets.get(ticketId);
    if (!ticket || ticket.deleted) throw recordNotFound();
    return { ticket_metric: singleRecord(services, metricOf(ctx, ticket)) };
  });

  app.get<{ Params: TicketParams }>(`${API}/tickets/:ticket_id/metrics`, { preHandler: agents }, async (request) => {
    const ctx = renderContextOf(services, request);
    const ticket = liveTicket(ctx.state, request.params.ticket_id);
    return { ticket_metric: singleRecord(services, metricOf(ctx, ticket)) };
  });
}
