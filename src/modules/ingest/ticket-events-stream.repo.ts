/**
 * Storage of the ticket events stream: its position and lease per connection
 * (zendesk_ticket_events_stream, migration 0020) and the history rows it brings. A page's rows,
 * the removal of the history they supersede and the next position are written in one
 * transaction, so a crash leaves either the whole page or none of it.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import { recordset } from '../../db/recordset.ts';
import type { TicketEvent, TicketEventKind } from './ticket-history.ts';

/** The kinds the stream dates from Zendesk's audits for every ticket it has audits of; deletes stay derived from ticket versions. */
export const STREAMED_KINDS = ['created', 'status_changed', 'solved', 'reopened', 'priority_changed', 'rated'] as const satisfies readonly TicketEventKind[];

/** The kinds the stream dates only for the tickets whose audits it replays (escalation-replay.ts). */
export const REPLAYED_KINDS = ['escalated', 'deescalated'] as const satisfies readonly TicketEventKind[];

/** History derived by comparing ticket versions, which the stream's rows replace for a ticket. */
const DERIVED_SOURCES = ['import', 'catch-up', 'webhook'];

export interface StreamedEvent extends TicketEvent {
  zendesk_event_id: number;
}

/** What the escalation rule reads of a ticket after the last audit the stream applied (migration 0031). */
export interface ReplayState {
  zendesk_ticket_id: number;
  priority: string | null;
  tags: string[];
  group_zendesk_id: number | null;
  /** ISO time and id of the last audit applied. */
  last_audit_at: string;
  last_audit_id: number;
}

const REPLAY_STATES = recordset<ReplayState>([
  ['zendesk_ticket_id', 'bigint'],
  ['priority', 'text'],
  ['tags', 'jsonb'],
  ['group_zendesk_id', 'bigint'],
  ['last_audit_at', 'timestamptz'],
  ['last_audit_id', 'bigint'],
]);

const replayStateRow = z.object({
  zendesk_ticket_id: z.union([z.string(), z.number()]).transform(Number),
  priority: z.string().nullable(),
  tags: z.array(z.string()),
  group_zendesk_id: z.union([z.string(), z.number()]).nullable().transform((v) => (v === null ? null : Number(v))),
  last_audit_at: z.union([z.date(), z.string()]).transform((d) => new Date(d).toISOString()),
  last_audit_id: z.union([z.string(), z.number()]).transform(Number),
});

/** The replay states kept for these tickets (read in the page's transaction, under the lease). */
export async function replayStatesOf(db: Queryable, connectionId: string, ticketIds: readonly number[]): Promise<Map<number, ReplayState>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await queryRows(
    db,
    replayStateRow,
    `SELECT zendesk_ticket_id, priority, tags, group_zendesk_id, last_audit_at, last_audit_id
       FROM zendesk_ticket_escalation_replay WHERE connection_id = $1 AND zendesk_ticket_id = ANY($2::bigint[])`,
    [connectionId, ticketIds],
  );
  return new Map(rows.map((row) => [row.zendesk_ticket_id, row]));
}

const ROWS = recordset<StreamedEvent>([
  ['zendesk_ticket_id', 'bigint'],
  ['zendesk_event_id', 'bigint'],
  ['kind', 'text'],
  ['from_value', 'text'],
  ['to_value', 'text'],
  ['occurred_at', 'timestamptz'],
]);

/** The stream's next start_time, or null when it has not started; null also when another run holds the lease. */
export async function claimStreamLease(db: Queryable, connectionId: string, owner: string, seconds: number): Promise<{ startTime: number | null } | null> {
  await db.query('INSERT INTO zendesk_ticket_events_stream (connection_id) VALUES ($1) ON CONFLICT (connection_id) DO NOTHING', [connectionId]);
  const row = await queryFirst(
    db,
    z.object({ start_time: z.union([z.string(), z.number()]).nullable() }),
    `UPDATE zendesk_ticket_events_stream SET lease_owner = $2, lease_until = now() + make_interval(secs => $3), updated_at = now()
      WHERE connection_id = $1 AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2)
      RETURNING start_time`,
    [connectionId, owner, seconds],
  );
  if (!row) return null;
  return { startTime: row.start_time === null ? null : Number(row.start_time) };
}

/** Keeps the lease while a run waits for Zendesk or for a rate slot between pages. */
export async function renewStreamLease(db: Queryable, connectionId: string, owner: string, seconds: number): Promise<void> {
  await db.query('UPDATE zendesk_ticket_events_stream SET lease_until = now() + make_interval(secs => $3) WHERE connection_id = $1 AND lease_owner = $2', [
    connectionId,
    owner,
    seconds,
  ]);
}

export async function releaseStreamLease(db: Queryable, connectionId: string, owner: string): Promise<void> {
  await db.query('UPDATE zendesk_ticket_events_stream SET lease_owner = NULL, lease_until = NULL WHERE connection_id = $1 AND lease_owner = $2', [
    connectionId,
    owner,
  ]);
}

export interface StreamPage {
  connectionId: string;
  owner: string;
  events: StreamedEvent[];
  /** Tickets the page has audits of: their derived history of the streamed kinds is replaced. */
  ticketIds: number[];
  /** Tickets whose audits the page replayed, with their state after it: their derived escalations are replaced too. */
  replayStates: ReplayState[];
  /** Whether the stream dates the connection's escalations (not under a rule with a custom field). */
  replaysEscalations: boolean;
  /** The page starts the stream from its beginning: the replay states kept from an earlier pass are dropped. */
  fromStart: boolean;
  nextStartTime: number;
  endOfStream: boolean;
  leaseSeconds: number;
}

/**
 * Writes one page (in the caller's transaction). Throws when the lease was lost, which rolls the
 * page back: another run owns the stream now.
 */
export async function writeStreamPage(tx: Queryable, page: StreamPage): Promise<void> {
  const { connectionId } = page;
  const advanced = await tx.query(
    `UPDATE zendesk_ticket_events_stream
        SET start_time = $3, lease_until = now() + make_interval(secs => $4), updated_at = now(),
            last_streamed_at = CASE WHEN $5 THEN now() ELSE last_streamed_at END
      WHERE connection_id = $1 AND lease_owner = $2`,
    [connectionId, page.owner, page.nextStartTime, page.leaseSeconds, page.endOfStream],
  );
  if (advanced.rowCount === 0) throw new Error('the ticket events stream lease was lost');
  if (page.ticketIds.length > 0) {
    await tx.query(
      `DELETE FROM zendesk_ticket_events
        WHERE connection_id = $1 AND zendesk_ticket_id = ANY($2::bigint[]) AND kind = ANY($3::text[]) AND source = ANY($4::text[])`,
      [connectionId, page.ticketIds, STREAMED_KINDS, DERIVED_SOURCES],
    );
  }
  if (page.fromStart) await tx.query('DELETE FROM zendesk_ticket_escalation_replay WHERE connection_id = $1', [connectionId]);
  if (page.replayStates.length > 0) {
    await tx.query(
      `DELETE FROM zendesk_ticket_events
        WHERE connection_id = $1 AND zendesk_ticket_id = ANY($2::bigint[]) AND kind = ANY($3::text[]) AND source = ANY($4::text[])`,
      [connectionId, page.replayStates.map((state) => state.zendesk_ticket_id), REPLAYED_KINDS, DERIVED_SOURCES],
    );
    await tx.query(
      `INSERT INTO zendesk_ticket_escalation_replay (connection_id, zendesk_ticket_id, priority, tags, group_zendesk_id, last_audit_at, last_audit_id)
       SELECT $1, r.zendesk_ticket_id, r.priority, r.tags, r.group_zendesk_id, r.last_audit_at, r.last_audit_id FROM ${REPLAY_STATES.from('$2')} AS r
       ON CONFLICT (connection_id, zendesk_ticket_id) DO UPDATE
         SET priority = EXCLUDED.priority, tags = EXCLUDED.tags, group_zendesk_id = EXCLUDED.group_zendesk_id,
             last_audit_at = EXCLUDED.last_audit_at, last_audit_id = EXCLUDED.last_audit_id`,
      [connectionId, REPLAY_STATES.json(page.replayStates)],
    );
  }
  if (page.events.length > 0) {
    await tx.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, zendesk_event_id, kind, from_value, to_value, occurred_at, source)
       SELECT $1, e.zendesk_ticket_id, e.zendesk_event_id, e.kind, e.from_value, e.to_value, e.occurred_at, 'events'
         FROM ${ROWS.from('$2')} AS e
       ON CONFLICT (connection_id, zendesk_event_id, zendesk_ticket_id, kind) WHERE zendesk_event_id IS NOT NULL DO NOTHING`,
      [connectionId, ROWS.json(page.events)],
    );
  }
  if (page.endOfStream) {
    // A ticket version written after the stream had already passed its change (a catch-up racing
    // the stream) left derived rows the stream will not come back to: up to the stream's position,
    // a ticket the stream covers needs none of them.
    await tx.query(
      `DELETE FROM zendesk_ticket_events d
        WHERE d.connection_id = $1 AND d.kind = ANY($2::text[]) AND d.source = ANY($3::text[]) AND d.occurred_at < to_timestamp($4)
          AND EXISTS (SELECT 1 FROM zendesk_ticket_events s
                       WHERE s.connection_id = d.connection_id AND s.zendesk_ticket_id = d.zendesk_ticket_id AND s.source = 'events')`,
      [connectionId, STREAMED_KINDS, DERIVED_SOURCES, page.nextStartTime],
    );
  }
  if (page.endOfStream && page.replaysEscalations) {
    await tx.query(
      `DELETE FROM zendesk_ticket_events d
        WHERE d.connection_id = $1 AND d.kind = ANY($2::text[]) AND d.source = ANY($3::text[]) AND d.occurred_at < to_timestamp($4)
          AND EXISTS (SELECT 1 FROM zendesk_ticket_escalation_replay r
                       WHERE r.connection_id = d.connection_id AND r.zendesk_ticket_id = d.zendesk_ticket_id)`,
      [connectionId, REPLAYED_KINDS, DERIVED_SOURCES, page.nextStartTime],
    );
  }
}

/** The customers these tickets belong to (tickets not matched to a customer have none). */
export async function customersOfTickets(db: Queryable, connectionId: string, ticketIds: readonly number[]): Promise<string[]> {
  if (ticketIds.length === 0) return [];
  const rows = await queryRows(
    db,
    z.object({ customer_id: z.string() }),
    // Looked up by ticket id, whatever the statistics say: with customer_id IS NOT NULL beside the
    // ids, statistics taken before the tickets were matched made the planner scan every matched
    // ticket for each page (0.5 s a page at 100,000 tickets).
    `WITH page_tickets AS MATERIALIZED (
       SELECT customer_id FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = ANY($2::bigint[])
     )
     SELECT DISTINCT customer_id FROM page_tickets WHERE customer_id IS NOT NULL`,
    [connectionId, ticketIds],
  );
  return rows.map((row) => row.customer_id);
}
