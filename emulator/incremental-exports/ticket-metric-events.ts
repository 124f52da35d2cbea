/**
 * `GET /api/v2/incremental/ticket_metric_events?start_time=` (OAS ListTicketMetricEvents, Admins):
 * time-based, `{ ticket_metric_events, next_page, count, end_time }`, events in time order, up to
 * 100 a page. Breaches the clock has passed are recorded before the page is read, and events of
 * the last minute are held back as in the other exports. Cursor pagination is not emulated.
 */
import type { FastifyInstance } from 'fastify';
import { EXCLUDED_RECENT_SECONDS, readStartTime, scanExport } from './export-pages.ts';
import { type Query, queryValue } from '../support-api/pagination.ts';
import { resourceUrl } from '../support-api/render.ts';
import { advanceSla, metricEventIndex } from '../support-api/sla-policies.ts';
import { unixSeconds } from '../support-api/time.ts';
import { API, type Services, guard, queryOf, renderContextOf } from '../support-api/routes/support.ts';

/** "max 100 per page" (OAS); a larger `per_page` is capped. */
const MAX_METRIC_EVENTS_PAGE = 100;

function perPageOf(query: Query): number {
  const perPage = Number(queryValue(query, 'per_page'));
  return Number.isInteger(perPage) && perPage > 0 ? Math.min(perPage, MAX_METRIC_EVENTS_PAGE) : MAX_METRIC_EVENTS_PAGE;
}

export function registerTicketMetricEventsRoute(app: FastifyInstance, services: Services): void {
  app.get(`${API}/incremental/ticket_metric_events`, { preHandler: guard(services, 'admin', 'tickets') }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const sla = ctx.state.sla;
    advanceSla(sla, ctx.nowMs);
    const cutoff = unixSeconds(ctx.nowMs) - EXCLUDED_RECENT_SECONDS;
    const startTime = readStartTime(queryValue(query, 'start_time'), cutoff);
    const index = metricEventIndex(sla);
    const page = scanExport({
      index,
      lookup: (id) => sla.events.get(id),
      keep: () => true,
      from: index.firstAtOrAfter(startTime),
      cutoffSeconds: cutoff,
      perPage: perPageOf(query),
      // Resuming from end_time re-serves that second: a page never splits one.
      extendToWholeSecond: true,
    });
    const endTime = page.last?.ts ?? cutoff;
    const perPage = queryValue(query, 'per_page');
    const next = `${resourceUrl(ctx.baseUrl, 'incremental/ticket_metric_events')}?${perPage ? `per_page=${encodeURIComponent(perPage)}&` : ''}start_time=${endTime}`;
    return { ticket_metric_events: page.items, next_page: next, count: page.items.length, end_time: endTime };
  });
}
