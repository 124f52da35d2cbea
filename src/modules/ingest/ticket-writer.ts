/**
 * The one data path for every ticket version, whatever brought it (import page, catch-up page,
 * webhook refresh): upsert the page's organizations, users and tickets (guarded by Zendesk's
 * version stamps, each ticket matched to its customer as it is written), record the
 * transitions as history and the batch's consequences-to-be in the ticket outbox (alerts, customer
 * refreshes: ticket-outbox.ts drains them), all in the caller's transaction.
 */
import type { Queryable } from '../../db/db.ts';
import type { SyncSource } from './sync-source.ts';
import { escalationRuleOf, withEscalation, type EscalationRule } from './escalation-rule.ts';
import { eventsOf } from './ticket-history.ts';
import { insertTicketEvents } from './ticket-events.repo.ts';
import type { PageRows } from './ticket-rows.ts';
import { recordTicketChange } from './ticket-outbox.repo.ts';
import { encodeTickets, upsertOrganizations, upsertTickets, upsertUsers, type EncodedTickets, type TicketWrite } from './sync.repo.ts';

/** A written ticket: customerId is its customer after this write, previousCustomerId before it. */
export type WrittenTicket = TicketWrite;

/**
 * A batch made ready before its transaction: its tickets flagged "escalated" by the rule given
 * and encoded for the upsert. The import prepares a page as soon as it arrives, so that this work
 * overlaps the write of the page before instead of lengthening its own transaction.
 */
export interface PreparedBatch {
  readonly rows: PageRows;
  /** The escalation rule the encoding used, as JSON. */
  readonly rule: string;
  readonly tickets: EncodedTickets;
}

export function prepareTicketBatch(rows: PageRows, rule: EscalationRule): PreparedBatch {
  return { rows, rule: JSON.stringify(rule), tickets: encodeTickets(withEscalation(rule, rows.tickets)) };
}

export async function writeTicketBatch(
  tx: Queryable,
  connectionId: string,
  batch: PreparedBatch,
  source: SyncSource,
  freeMailDomains: readonly string[],
): Promise<WrittenTicket[]> {
  await upsertOrganizations(tx, connectionId, batch.rows.organizations);
  await upsertUsers(tx, connectionId, batch.rows.users);
  // "Escalated" is the connection's own rule as this transaction reads it (one small lookup); a
  // batch prepared under another rule (changed since) is flagged and encoded again.
  const rule = await escalationRuleOf(tx, connectionId);
  const tickets = JSON.stringify(rule) === batch.rule ? batch.tickets : encodeTickets(withEscalation(rule, batch.rows.tickets));
  const writes = await upsertTickets(tx, connectionId, tickets, freeMailDomains);
  await insertTicketEvents(tx, connectionId, source, writes.flatMap(eventsOf));
  await recordTicketChange(tx, { connectionId, source, tickets: writes });
  return writes;
}
