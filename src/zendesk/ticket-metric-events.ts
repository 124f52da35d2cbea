/**
 * Zendesk's ticket metric events export (docs/zendesk.md, Ticket metric events): time-based,
 * GET /api/v2/incremental/ticket_metric_events.json?start_time=<unix seconds>, admins only, events
 * in time order, up to 100 a page; the next request starts at the page's end_time. It counts
 * against the incremental export rate limit like the other exports (the client paces it by path).
 */
import type { ZendeskClient } from './client.ts';
import { type TicketMetricEventsPage, ticketMetricEventsPageSchema } from './schemas.ts';

/** Zendesk's page size for this export: a page this full may have more behind it. */
export const METRIC_EVENTS_PAGE_SIZE = 100;

export function fetchTicketMetricEventsPage(client: ZendeskClient, startTime: number): Promise<TicketMetricEventsPage> {
  return client.request('GET', '/api/v2/incremental/ticket_metric_events.json', {
    query: { start_time: startTime },
    schema: ticketMetricEventsPageSchema,
  });
}
