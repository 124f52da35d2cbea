/**
 * The live feed's reads (live-feed.ts): index range scans past a watermark (and the holes below it)
 * on ticket events and alerts, and every connection's sync state.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryOne, queryRows } from '../../db/rows.ts';

/** The highest ticket event id and alert seq now: where a fresh feed starts. */
export async function selectLatestFeedIds(db: Queryable): Promise<{ events: number; alerts: number }> {
  return queryOne(
    db,
    z.object({ events: z.number(), alerts: z.number() }),
    `SELECT (SELECT coalesce(max(id), 0) FROM zendesk_ticket_events)::bigint AS events, (SELECT coalesce(max(seq), 0) FROM alerts)::bigint AS alerts`,
  );
}

const syncRow = z.object({
  id: z.string(),
  subdomain: z.string(),
  status: z.string(),
  updated_at: z.date(),
  phase: z.string().nullable(),
  imported: z.number().nullable(),
  sync_updated_at: z.date().nullable(),
});

export async function selectConnectionSyncStates(db: Queryable): Promise<Array<z.infer<typeof syncRow>>> {
  return queryRows(
    db,
    syncRow,
    `SELECT c.id, c.subdomain, c.status, c.updated_at, s.phase, s.imported, s.updated_at AS sync_updated_at
         FROM zendesk_connections c LEFT JOIN zendesk_sync_state s ON s.connection_id = c.id`,
  );
}

const eventRow = z.object({ id: z.number(), kind: z.string(), connection_id: z.string(), zendesk_ticket_id: z.number(), customer_id: z.string().nullable() });

/** Ticket events after `watermark` or among `holeIds`, in id order, with each ticket's customer now. */
export async function selectEventsSince(db: Queryable, watermark: number, holeIds: readonly number[], limit: number): Promise<Array<z.infer<typeof eventRow>>> {
  return queryRows(
    db,
    eventRow,
    `SELECT e.id, e.kind, e.connection_id, e.zendesk_ticket_id, t.customer_id
         FROM zendesk_ticket_events e
         LEFT JOIN zendesk_tickets t ON t.connection_id = e.connection_id AND t.zendesk_ticket_id = e.zendesk_ticket_id
        WHERE e.id > $1 OR e.id = ANY($2::bigint[])
        ORDER BY e.id LIMIT $3`,
    [watermark, holeIds, limit],
  );
}

const alertRow = z.object({
  seq: z.number(),
  id: z.string(),
  type: z.string(),
  customer_id: z.string(),
  customer_name: z.string(),
  zendesk_ticket_id: z.number().nullable(),
  recipient_ids: z.array(z.string()).nullable(),
});

/** Alerts after `watermark` or among `holeIds`, in seq order, with their recipients. */
export async function selectAlertsSince(db: Queryable, watermark: number, holeIds: readonly number[], limit: number): Promise<Array<z.infer<typeof alertRow>>> {
  return queryRows(
    db,
    alertRow,
    `SELECT a.seq, a.id, a.type, a.customer_id, c.name AS customer_name, a.zendesk_ticket_id,
              (SELECT array_agg(r.user_id::text) FROM alert_recipients r WHERE r.alert_id = a.id) AS recipient_ids
         FROM alerts a JOIN customers c ON c.id = a.customer_id
        WHERE a.seq > $1 OR a.seq = ANY($2::bigint[])
        ORDER BY a.seq LIMIT $3`,
    [watermark, holeIds, limit],
  );
}
