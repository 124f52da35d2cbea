/**
 * The audits of a generated ticket, replayed from its life: the creation (first comment, initial
 * status, priority and tags), each later comment, each status change at the time the timeline
 * has it (assignment, replies, first solve, reopen, latest solve, close), a priority change for
 * some tickets and the CSAT answer after the solve. Audits without a comment get their ids later
 * (`id: null`), so that generating them does not move the comment ids of the seed data.
 */
import type { TicketPriority, TicketStatus, ZComment, ZSatisfactionRating, ZTicket } from '../contract.ts';
import { API_VIA, AUDITED_FIELDS, type Audit, type AuditEvent, changeEvent, commentEvent, createEvent } from '../support-api/audits.ts';
import { isoSeconds } from '../support-api/time.ts';
import type { Random } from './random.ts';

/** Zendesk shows automations and other system changes with updater id -1 (UNCONFIRMED for audits). */
export const SYSTEM_UPDATER_ID = -1;

export interface StatusStep {
  status: TicketStatus;
  previous: TicketStatus;
  atMs: number;
}

export interface TicketLife {
  ticket: ZTicket;
  comments: ZComment[];
  statusSteps: StatusStep[];
  assignment: { assigneeId: number; atMs: number } | null;
  rating: ZSatisfactionRating | null;
  /** The end of the ticket's active life (its solve, or the end of the history). */
  endMs: number;
}

export interface PendingAudit extends Omit<Audit, 'id'> {
  id: number | null;
}

const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

interface Moment {
  atMs: number;
  authorId: number;
  comment: ZComment | null;
  events: AuditEvent[];
}

export function generatedAudits(life: TicketLife, random: Random, auditForComment: (commentId: number) => number): PendingAudit[] {
  const { ticket, comments } = life;
  const createdMs = Date.parse(ticket.created_at);
  const moments = new Map<number, Moment>();
  const at = (atMs: number, authorId: number): Moment => {
    let moment = moments.get(atMs);
    if (!moment) {
      moment = { atMs, authorId, comment: null, events: [] };
      moments.set(atMs, moment);
    }
    return moment;
  };
  for (const comment of comments) {
    const moment = at(Date.parse(comment.created_at), comment.author_id);
    moment.comment = comment;
    moment.authorId = comment.author_id;
  }

  // A priority set differently at creation and changed later, for some tickets.
  let initialPriority = ticket.priority;
  if (ticket.priority !== null && ticket.support_type === 'agent' && random.chance(0.15)) {
    initialPriority = random.pick(PRIORITIES.filter((priority) => priority !== ticket.priority));
    const changeMs = Math.floor(createdMs + random.next() * (life.endMs - createdMs));
    at(changeMs, life.assignment?.assigneeId ?? ticket.submitter_id).events.push(changeEvent('priority', ticket.priority, initialPriority));
  }

  const creation = at(createdMs, ticket.submitter_id);
  for (const field of AUDITED_FIELDS) {
    const value = field === 'status' ? 'new' : field === 'priority' ? initialPriority : field === 'assignee_id' ? null : ticket[field];
    if (value !== null && !(Array.isArray(value) && value.length === 0)) creation.events.push(createEvent(field, value));
  }
  if (life.assignment) {
    at(life.assignment.atMs, life.assignment.assigneeId).events.push(changeEvent('assignee_id', life.assignment.assigneeId, null));
  }
  for (const step of life.statusSteps) {
    const closing = step.status === 'closed' && step.previous === 'solved';
    at(step.atMs, closing ? SYSTEM_UPDATER_ID : (life.assignment?.assigneeId ?? ticket.submitter_id)).events.push(
      changeEvent('status', step.status, step.previous),
    );
  }
  if (life.rating && (life.rating.score === 'good' || life.rating.score === 'bad')) {
    const moment = at(Date.parse(life.rating.updated_at), life.rating.requester_id);
    moment.events.push(changeEvent('satisfaction_score', life.rating.score, 'offered'));
    if (life.rating.comment !== null) moment.events.push(changeEvent('satisfaction_comment', life.rating.comment, null));
  }

  return [...moments.values()]
    .sort((a, b) => a.atMs - b.atMs)
    .map((moment) => ({
      id: moment.comment ? auditForComment(moment.comment.id) : null,
      ticket_id: ticket.id,
      created_at: isoSeconds(moment.atMs),
      author_id: moment.authorId,
      metadata: { system: {}, custom: {} },
      via: moment.atMs === createdMs ? ticket.via : API_VIA,
      events: moment.comment ? [commentEvent(moment.comment), ...moment.events] : moment.events,
    }));
}
