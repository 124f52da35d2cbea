/**
 * Storage of Zendesk's ticket metric events per connection, and where the follow of their export
 * stands. A page's events and the position after it are written in one transaction; an event id
 * already stored is skipped, so a page read twice (the time-based export re-serves the second it
 * resumes from) changes nothing.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst } from '../../db/rows.ts';
import type { TicketMetricEvent } from '../../zendesk/schemas.ts';

/** The start_time to ask for next; null before the first page. */
export async function metricEventsCursor(db: Queryable, connectionId: string): Promise<number | null> {
  const row = await queryFirst(
    db,
    z.object({ start_time: z.union([z.string(), z.number()]) }),
    'SELECT start_time FROM zendesk_metric_event_cursors WHERE connection_id = $1',
    [connectionId],
  );
  return row ? Number(row.start_time) : null;
}

/** Writes a page's events and the start_time that follows them (call inside one transaction). */
export async function writeMetricEventsPage(db: Queryable, connectionId: string, events: readonly TicketMetricEvent[], nextStartTime: number): Promise<void> {
  if (events.length > 0) {
    await db.query(
      `INSERT INTO zendesk_ticket_metric_events (connection_id, zendesk_event_id, zendesk_ticket_id, metric, instance_id, type, occurred_at, deleted, sla)
       SELECT $1::uuid, e.id, e.ticket_id, e.metric, e.instance_id, e.type, e.time, COALESCE(e.deleted, false), e.sla
         FROM jsonb_to_recordset($2::jsonb) AS e(id bigint, ticket_id bigint, metric text, instance_id int, type text, time timestamptz, deleted boolean, sla jsonb)
       ON CONFLICT (connection_id, zendesk_event_id) DO UPDATE SET deleted = EXCLUDED.deleted`,
      [connectionId, JSON.stringify(events)],
    );
  }
  await db.query(
    `INSERT INTO zendesk_metric_event_cursors (connection_id, start_time) VALUES ($1, $2)
     ON CONFLICT (connection_id) DO UPDATE SET start_time = EXCLUDED.start_time, updated_at = now()`,
    [connectionId, nextStartTime],
  );
}
