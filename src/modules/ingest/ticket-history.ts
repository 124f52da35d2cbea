/**
 * Ticket history, found by comparing the stored version with the new one in the batch that
 * writes it (sync.repo.ts upsertTickets answers both). A ticket first seen already solved, rated
 * or escalated gets those events too, dated from the ticket itself where Zendesk says when.
 */
import { OPEN_STATUSES, SOLVED_STATUSES } from '../../contracts/vocabulary.ts';
import type { TicketWrite } from './sync.repo.ts';

export type TicketEventKind = 'created' | 'status_changed' | 'priority_changed' | 'escalated' | 'deescalated' | 'rated' | 'solved' | 'reopened' | 'deleted' | 'merged';

export interface TicketEvent {
  zendesk_ticket_id: number;
  kind: TicketEventKind;
  from_value: string | null;
  to_value: string | null;
  occurred_at: string;
}

const SOLVED = new Set<string>(SOLVED_STATUSES);
const UNSOLVED = new Set<string>(OPEN_STATUSES);

export function eventsOf(write: TicketWrite): TicketEvent[] {
  const { now, before } = write;
  const at = now.updatedAt.toISOString();
  const event = (kind: TicketEventKind, from: string | null, to: string | null, occurredAt = at): TicketEvent => ({
    zendesk_ticket_id: write.zendeskTicketId,
    kind,
    from_value: from,
    to_value: to,
    occurred_at: occurredAt,
  });
  const events: TicketEvent[] = [];
  if (!before) {
    events.push(event('created', null, now.status, now.createdAt.toISOString()));
    if (SOLVED.has(now.status)) events.push(event('solved', null, now.status, (now.resolvedAt ?? now.updatedAt).toISOString()));
    if (now.status === 'deleted') events.push(event('deleted', null, null));
    if (now.escalated) events.push(event('escalated', null, now.priority));
    if (now.satisfactionRating === 'good' || now.satisfactionRating === 'bad') events.push(event('rated', null, now.satisfactionRating));
    return events;
  }
  if (before.status !== now.status) {
    events.push(event('status_changed', before.status, now.status));
    if (SOLVED.has(now.status) && !SOLVED.has(before.status)) events.push(event('solved', before.status, now.status));
    if (SOLVED.has(before.status) && UNSOLVED.has(now.status)) events.push(event('reopened', before.status, now.status));
    if (now.status === 'deleted') events.push(event('deleted', before.status, null));
  }
  if (before.priority !== now.priority) events.push(event('priority_changed', before.priority, now.priority));
  if (!before.escalated && now.escalated) events.push(event('escalated', before.priority, now.priority));
  if (before.escalated && !now.escalated) events.push(event('deescalated', before.priority, now.priority));
  if (before.satisfactionRating !== now.satisfactionRating && (now.satisfactionRating === 'good' || now.satisfactionRating === 'bad')) {
    events.push(event('rated', before.satisfactionRating, now.satisfactionRating));
  }
  return events;
}
