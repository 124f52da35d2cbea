/**
 * The one data path for every ticket version, whatever brought it (import page, catch-up page,
 * webhook refresh): upsert the page's organizations, users and tickets (guarded by Zendesk's
 * version stamps, each ticket matched to its customer as it is written) and record the
 * transitions as history, all in the caller's transaction.
 */
import type { Queryable } from '../../db/db.ts';
import type { SyncSource } from './sync.service.ts';
import { escalationRuleOf, withEscalation } from './escalation-rule.ts';
import { eventsOf, insertTicketEvents } from './ticket-history.ts';
import type { pageRows } from './ticket-rows.ts';
import { upsertOrganizations, upsertTickets, upsertUsers, type TicketWrite } from './sync.repo.ts';

/** A written ticket: customerId is its customer after this write, previousCustomerId before it. */
export type WrittenTicket = TicketWrite;

export async function writeTicketBatch(
  tx: Queryable,
  connectionId: string,
  rows: ReturnType<typeof pageRows>,
  source: SyncSource,
  freeMailDomains: readonly string[],
): Promise<WrittenTicket[]> {
  await upsertOrganizations(tx, connectionId, rows.organizations);
  await upsertUsers(tx, connectionId, rows.users);
  // "Escalated" is the connection's own rule (one small lookup per batch).
  const tickets = withEscalation(await escalationRuleOf(tx, connectionId), rows.tickets);
  const writes = await upsertTickets(tx, connectionId, tickets, freeMailDomains);
  await insertTicketEvents(tx, connectionId, source, writes.flatMap(eventsOf));
  return writes;
}
