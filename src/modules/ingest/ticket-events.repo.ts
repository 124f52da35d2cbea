/** Storage of ticket history: the events ticket-history.ts finds, written in the ticket write's transaction. */
import type { Queryable } from '../../db/db.ts';
import { recordset } from '../../db/recordset.ts';
import type { TicketEvent } from './ticket-history.ts';
import type { SyncSource } from './sync-source.ts';

const EVENTS = recordset<TicketEvent>([
  ['zendesk_ticket_id', 'bigint'],
  ['kind', 'text'],
  ['from_value', 'text'],
  ['to_value', 'text'],
  ['occurred_at', 'timestamptz'],
]);

export async function insertTicketEvents(db: Queryable, connectionId: string, source: SyncSource, events: TicketEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, from_value, to_value, occurred_at, source)
     SELECT $1, e.zendesk_ticket_id, e.kind, e.from_value, e.to_value, e.occurred_at, $3
       FROM ${EVENTS.from('$2')} AS e`,
    [connectionId, EVENTS.json(events), source],
  );
}
