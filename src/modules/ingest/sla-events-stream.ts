/**
 * Follows one connection's ticket metric events export from its own stored start_time: each page
 * is committed with the start_time after it, so an interruption resumes from the last committed
 * page. The export is time-based: a page ends at `end_time`, and the next starts there (re-serving
 * that second, which the repository skips by event id). A page shorter than Zendesk's page size,
 * or one that does not move end_time, is the end for now.
 *
 * Requests go through the connection's client, which paces them under the incremental export
 * limit (10 a minute) shared with the ticket export, several seconds a page under that limit; a
 * run reads at most `maxPages` pages and stops at its deadline, so that a long backfill never
 * holds up the sync of other connections (one sync job runs at a time), and the next run resumes it.
 */
import type { Db } from '../../db/db.ts';
import type { ZendeskClient } from '../../zendesk/client.ts';
import { METRIC_EVENTS_PAGE_SIZE, fetchTicketMetricEventsPage } from '../../zendesk/ticket-metric-events.ts';
import { metricEventsCursor, writeMetricEventsPage } from './sla-events.repo.ts';

export interface SlaEventsRun {
  pages: number;
  events: number;
  caughtUp: boolean;
}

/** Pages a run reads at most (at 10 export requests a minute, half a minute's worth). */
export const SLA_EVENT_PAGES_PER_RUN = 5;

export async function followSlaEvents(
  db: Db,
  client: ZendeskClient,
  connectionId: string,
  options: { maxPages?: number; deadline?: number } = {},
): Promise<SlaEventsRun> {
  const maxPages = options.maxPages ?? SLA_EVENT_PAGES_PER_RUN;
  // From the beginning: compliance needs each target's apply_sla, however old the ticket.
  let startTime = (await metricEventsCursor(db, connectionId)) ?? 0;
  let pages = 0;
  let events = 0;
  const deadline = options.deadline ?? Infinity;
  while (pages < maxPages && Date.now() <= deadline) {
    const page = await fetchTicketMetricEventsPage(client, startTime);
    const next = Math.max(startTime, page.end_time);
    await db.transaction((tx) => writeMetricEventsPage(tx, connectionId, page.ticket_metric_events, next));
    pages += 1;
    events += page.ticket_metric_events.length;
    if (page.count < METRIC_EVENTS_PAGE_SIZE || next === startTime) return { pages, events, caughtUp: true };
    startTime = next;
  }
  return { pages, events, caughtUp: false };
}
