/**
 * Ticket audits: the record of every change to a ticket, one audit per change with its child
 * events ("Create", "Change", "Comment"), as the Ticket Audits API and the ticket events export
 * show them (developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/). Each account
 * keeps its audits in one log ordered by (created_at, id): the order the ticket events export
 * walks (incremental-exports/ticket-events.ts).
 */
import type { ZComment, ZTicket } from '../contract.ts';
import { ChangeIndex } from '../incremental-exports/change-index.ts';
import { msOf, unixSeconds } from './time.ts';

export interface AuditEvent {
  id: number;
  type: 'Create' | 'Change' | 'Comment';
  [key: string]: unknown;
}

export interface Audit {
  id: number;
  ticket_id: number;
  created_at: string;
  author_id: number;
  metadata: { system: Record<string, unknown>; custom: Record<string, unknown> };
  via: ZTicket['via'];
  events: AuditEvent[];
  /** Set on a merge target's audit: the tickets merged into it (ticket events export). */
  merged_ticket_ids?: number[];
}

/** The fields whose changes an audit records. */
export const AUDITED_FIELDS = [
  'subject',
  'status',
  'priority',
  'type',
  'requester_id',
  'assignee_id',
  'group_id',
  'organization_id',
  'tags',
  'external_id',
  'due_at',
] as const satisfies ReadonlyArray<keyof ZTicket>;

export const API_VIA: ZTicket['via'] = { channel: 'api', source: { from: {}, to: {}, rel: null } };

export function changeEvent(field: string, value: unknown, previous: unknown): AuditEvent {
  return { id: 0, type: 'Change', field_name: field, value, previous_value: previous };
}

export function createEvent(field: string, value: unknown): AuditEvent {
  return { id: 0, type: 'Create', field_name: field, value };
}

export function commentEvent(comment: ZComment): AuditEvent {
  return {
    id: comment.id,
    type: 'Comment',
    author_id: comment.author_id,
    body: comment.body,
    html_body: `<div class="zd-comment" dir="auto"><p dir="auto">${comment.body}</p></div>`,
    plain_body: comment.body,
    public: comment.public,
    attachments: [],
    audit_id: 0,
  };
}

/**
 * Numbers the child events: comments keep their comment id and point at the audit; the others
 * get `auditId * 100 + position`, unique and clear of other audits' ids.
 */
export function numberEvents(auditId: number, events: AuditEvent[]): void {
  events.forEach((event, index) => {
    if (event.type === 'Comment') event.audit_id = auditId;
    else event.id = auditId * 100 + index + 1;
  });
}

export class AuditLog {
  private readonly byId = new Map<number, Audit>();
  readonly index: ChangeIndex;

  constructor(audits: Audit[] = []) {
    for (const audit of audits) this.byId.set(audit.id, audit);
    this.index = new ChangeIndex(audits.map((audit) => ({ ts: unixSeconds(msOf(audit.created_at)), id: audit.id })));
  }

  get(id: number): Audit | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  append(audit: Audit): void {
    this.byId.set(audit.id, audit);
    this.index.move(audit.id, undefined, unixSeconds(msOf(audit.created_at)));
  }

  /** A ticket's audits, oldest first (a scan: for tests and the per-ticket view only). */
  forTicket(ticketId: number): Audit[] {
    return [...this.byId.values()].filter((audit) => audit.ticket_id === ticketId).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  }
}
