/**
 * The one data path for every ticket version, whatever brought it (import page, catch-up page,
 * webhook refresh): upsert the page's organizations, users and tickets (guarded by Zendesk's
 * version stamps), record the transitions as history, and match the written tickets to customers,
 * all in the caller's transaction.
 */
import type { Queryable } from '../../db/db.ts';
import { matchTickets } from '../matching/matching.repo.ts';
import type { SyncSource } from './sync.service.ts';
import { escalationRuleOf, withEscalation } from './escalation-rule.ts';
import { eventsOf, insertTicketEvents } from './ticket-history.ts';
import type { pageRows } from './ticket-rows.ts';
import { upsertOrganizations, upsertTickets, upsertUsers, type TicketWrite } from './sync.repo.ts';

export interface WrittenTicket extends TicketWrite {
  /** The customer before this write (null: unmatched or new); customerId is the one after matching. */
  previousCustomerId: string | null;
}

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
  const writes = await upsertTickets(tx, connectionId, tickets);
  if (writes.length === 0) return [];
  await insertTicketEvents(tx, connectionId, source, writes.flatMap(eventsOf));
  const changes = await matchTickets(tx, { connectionId, zendeskTicketIds: writes.map((w) => w.zendeskTicketId) }, freeMailDomains);
  const matched = new Map(changes.map((change) => [change.zendeskTicketId, change.customerId]));
  return writes.map((write) => ({
    ...write,
    previousCustomerId: write.customerId,
    customerId: matched.has(write.zendeskTicketId) ? (matched.get(write.zendeskTicketId) ?? null) : write.customerId,
  }));
}
