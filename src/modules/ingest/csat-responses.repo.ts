/**
 * Storage of Zendesk's updated-CSAT survey responses per connection (zendesk_csat_responses,
 * migration 0029), and where the follow of their list stands. A page's responses and the position
 * after it are written in one transaction; a response read again replaces its row only when it
 * changed (the responder may edit it until it expires), so a page read twice changes nothing.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import type { CsatResponse } from '../../zendesk/survey-responses.ts';

export interface CsatResponsesPosition {
  /** The `filter[created_at_start]` of the current pass (Unix seconds). */
  createdAfter: number;
  /** The cursor of the pass's next page; null at the start of a pass. */
  pageAfter: string | null;
  /** The latest response time seen in the pass (Unix seconds): the next pass starts there. */
  highWater: number;
}

const positionRow = z.object({
  created_after: z.union([z.string(), z.number()]),
  page_after: z.string().nullable(),
  pass_high_water: z.union([z.string(), z.number()]),
});

export async function csatResponsesPosition(db: Queryable, connectionId: string): Promise<CsatResponsesPosition | null> {
  const row = await queryFirst(db, positionRow, 'SELECT created_after, page_after, pass_high_water FROM zendesk_csat_response_cursors WHERE connection_id = $1', [
    connectionId,
  ]);
  return row ? { createdAfter: Number(row.created_after), pageAfter: row.page_after, highWater: Number(row.pass_high_water) } : null;
}

export interface WrittenCsatResponse {
  id: string;
  ticketId: number;
  customerId: string | null;
  respondedAt: string;
}

/**
 * Writes a page's responses and the position after it (call inside one transaction); answers the
 * responses that are new or changed, with the customer their ticket is matched to.
 */
export async function writeCsatResponsesPage(
  db: Queryable,
  connectionId: string,
  responses: readonly CsatResponse[],
  position: CsatResponsesPosition,
): Promise<WrittenCsatResponse[]> {
  let written: WrittenCsatResponse[] = [];
  if (responses.length > 0) {
    const rows = await queryRows(
      db,
      z.object({ id: z.string(), ticket_id: z.union([z.string(), z.number()]), customer_id: z.string().nullable(), responded_at: z.union([z.string(), z.date()]) }),
      `WITH page AS (
         SELECT DISTINCT ON (r."id") r.*
           FROM jsonb_to_recordset($2::jsonb) AS r("id" text, "ticketId" bigint, "responderId" bigint, score int, scale int, comment text,
                                                  "respondedAt" timestamptz, "updatedAt" timestamptz)
          ORDER BY r."id", r."updatedAt" DESC),
       up AS (
         INSERT INTO zendesk_csat_responses (connection_id, zendesk_response_id, zendesk_ticket_id, responder_id, score, scale, comment, responded_at, updated_at)
         SELECT $1::uuid, p."id", p."ticketId", p."responderId", p.score, p.scale, p.comment, p."respondedAt", p."updatedAt" FROM page p
         ON CONFLICT (connection_id, zendesk_response_id) DO UPDATE
           SET zendesk_ticket_id = EXCLUDED.zendesk_ticket_id, responder_id = EXCLUDED.responder_id, score = EXCLUDED.score, scale = EXCLUDED.scale,
               comment = EXCLUDED.comment, responded_at = EXCLUDED.responded_at, updated_at = EXCLUDED.updated_at
           WHERE (zendesk_csat_responses.score, zendesk_csat_responses.scale, zendesk_csat_responses.comment, zendesk_csat_responses.zendesk_ticket_id)
                 IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.scale, EXCLUDED.comment, EXCLUDED.zendesk_ticket_id)
         RETURNING zendesk_response_id, zendesk_ticket_id, responded_at)
       SELECT up.zendesk_response_id AS id, up.zendesk_ticket_id AS ticket_id, t.customer_id, up.responded_at
         FROM up LEFT JOIN zendesk_tickets t ON t.connection_id = $1::uuid AND t.zendesk_ticket_id = up.zendesk_ticket_id`,
      [connectionId, JSON.stringify(responses)],
    );
    written = rows.map((r) => ({
      id: r.id,
      ticketId: Number(r.ticket_id),
      customerId: r.customer_id,
      respondedAt: r.responded_at instanceof Date ? r.responded_at.toISOString() : new Date(r.responded_at).toISOString(),
    }));
  }
  await db.query(
    `INSERT INTO zendesk_csat_response_cursors (connection_id, created_after, page_after, pass_high_water) VALUES ($1, $2, $3, $4)
     ON CONFLICT (connection_id) DO UPDATE SET created_after = EXCLUDED.created_after, page_after = EXCLUDED.page_after,
                                               pass_high_water = EXCLUDED.pass_high_water, updated_at = now()`,
    [connectionId, position.createdAfter, position.pageAfter, position.highWater],
  );
  return written;
}
