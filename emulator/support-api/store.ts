/**
 * The accounts and every change made to them through the API. Each mutation moves the ticket's
 * `updated_at` / `generated_timestamp`, keeps the export index and the metrics timeline current,
 * and emits a 'ticket-change' event on `ctx.events` (seed data never emits).
 */
import type { EventEmitter } from 'node:events';
import type {
  EmulatorClock,
  TicketChangeEvent,
  TicketChangeKind,
  ZComment,
  ZSatisfactionRating,
  ZTicket,
  ZUser,
} from '../contract.ts';
import { ZendeskHttpError, recordInvalid } from '../faults/errors.ts';
import { API_VIA, AUDITED_FIELDS, type Audit, type AuditEvent, changeEvent, commentEvent, createEvent, numberEvents } from './audits.ts';
import { userRecord } from './records.ts';
import { type AccountState, newTimeline, recordStatusChange } from './state.ts';
import { advanceSla, recordSlaChange, slaSnapshot } from './sla-policies.ts';
import type { NewRequester, TicketChanges } from './ticket-input.ts';
import { isoSeconds, unixSeconds } from './time.ts';

export interface TicketMutation {
  ticket: ZTicket;
  audit: Audit;
  comment: ZComment | null;
}

export class EmulatorStore {
  constructor(
    readonly accounts: Map<string, AccountState>,
    private readonly events: EventEmitter,
    private readonly clock: EmulatorClock,
  ) {}

  state(subdomain: string): AccountState | undefined {
    return this.accounts.get(subdomain);
  }

  /** The user for an inline `requester: {name, email}`: found by email or created as an end user. */
  findOrCreateEndUser(state: AccountState, requester: NewRequester): ZUser {
    const existing = state.usersByEmail.get(requester.email.toLowerCase());
    if (existing) return existing;
    const now = isoSeconds(this.clock.nowMs());
    const domain = requester.email.split('@')[1]?.toLowerCase() ?? '';
    // New users join the organization that lists their email domain in `domain_names`
    // (Zendesk's automatic user-to-organization mapping by domain).
    const organization = [...state.account.organizations.values()].find((org) => org.domain_names.includes(domain));
    const user = userRecord({
      id: state.ids.user(state.next.user++),
      name: requester.name ?? requester.email.split('@')[0] ?? requester.email,
      email: requester.email.toLowerCase(),
      role: 'end-user',
      organization_id: organization?.id ?? null,
      verified: false,
      created_at: now,
    });
    state.account.users.set(user.id, user);
    state.usersByEmail.set(user.email as string, user);
    state.userIndex = null;
    return user;
  }

  createTicket(subdomain: string, changes: TicketChanges, actor: ZUser): TicketMutation {
    const state = this.mustState(subdomain);
    const nowMs = this.clock.nowMs();
    const now = isoSeconds(nowMs);
    const requester = changes.newRequester
      ? this.findOrCreateEndUser(state, changes.newRequester)
      : (state.account.users.get(changes.requesterId ?? actor.id) as ZUser);
    const ticketId = state.next.ticket++;
    const assigneeId = changes.assigneeId ?? null;
    // A ticket created with an assignee starts open (Zendesk only keeps "new" for untouched tickets; UNCONFIRMED).
    const status = changes.status ?? (assigneeId !== null ? 'open' : 'new');
    const comment = changes.comment as NonNullable<TicketChanges['comment']>;
    const subject = changes.subject ?? null;
    const ticket: ZTicket = {
      id: ticketId,
      external_id: changes.externalId ?? null,
      type: changes.type ?? null,
      subject,
      raw_subject: subject,
      description: comment.body,
      priority: changes.priority ?? null,
      status: 'new',
      recipient: null,
      requester_id: requester.id,
      submitter_id: changes.submitterId ?? actor.id,
      assignee_id: assigneeId,
      organization_id: changes.organizationId !== undefined ? changes.organizationId : requester.organization_id,
      group_id: changes.groupId ?? null,
      collaborator_ids: changes.collaboratorIds ?? [],
      follower_ids: [],
      email_cc_ids: [],
      problem_id: null,
      has_incidents: false,
      is_public: comment.public ?? true,
      due_at: changes.dueAt ?? null,
      tags: changes.tags ?? [],
      custom_fields: state.ticketFields.map((field) => ({
        id: field.id,
        value: changes.customFields?.find((given) => given.id === field.id)?.value ?? null,
      })),
      satisfaction_rating_id: null,
      satisfaction_state: 'unoffered',
      ticket_form_id: null,
      brand_id: state.brandId,
      via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
      from_messaging_channel: false,
      support_type: 'agent',
      sla_policy_metrics: [],
      created_at: now,
      updated_at: now,
      generated_timestamp: unixSeconds(nowMs),
      deleted: false,
    };
    const timeline = newTimeline(state.ids.metricForTicket(ticketId), nowMs, 'new');
    timeline.requesterUpdatedMs = nowMs;
    if (ticket.group_id !== null) timeline.groupStations = 1;
    if (assigneeId !== null) {
      timeline.initiallyAssignedMs = nowMs;
      timeline.assignedMs = nowMs;
      timeline.assigneeStations = 1;
    }
    recordStatusChange(timeline, status, nowMs);
    ticket.status = status;
    state.account.tickets.set(ticketId, ticket);
    state.timelines.set(ticketId, timeline);

    const added = this.appendComment(state, ticket, {
      body: comment.body,
      public: comment.public ?? true,
      authorId: comment.authorId ?? ticket.submitter_id,
    }, nowMs, true);
    state.ticketIndex.move(ticketId, undefined, ticket.generated_timestamp);
    advanceSla(state.sla, nowMs);
    recordSlaChange(state.sla, ticketId, { atMs: nowMs, priority: ticket.priority, status: { from: 'new', to: status } });
    ticket.sla_policy_metrics = slaSnapshot(state.sla, ticketId);

    const events: AuditEvent[] = [commentEvent(added)];
    for (const field of AUDITED_FIELDS) {
      if (ticket[field] !== null && !(Array.isArray(ticket[field]) && ticket[field].length === 0)) {
        events.push(createEvent(field, ticket[field]));
      }
    }
    const audit = this.audit(state, ticket, actor, added.id, events, now);
    this.emit(subdomain, 'created', ticket, null, added, actor, now);
    return { ticket, audit, comment: added };
  }

  updateTicket(subdomain: string, ticket: ZTicket, changes: TicketChanges, actor: ZUser): TicketMutation {
    const state = this.mustState(subdomain);
    if (changes.updatedStamp !== undefined && changes.updatedStamp !== ticket.updated_at) {
      // "the request returns a 409 Conflict error" (Protecting against ticket update collisions);
      // body UNCONFIRMED.
      throw new ZendeskHttpError(409, {
        error: 'UpdateConflict',
        description: 'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
      });
    }
    const nowMs = this.clock.nowMs();
    const now = isoSeconds(nowMs);
    const previous = structuredClone(ticket);
    const timeline = state.timelines.get(ticket.id) ?? newTimeline(state.ids.metricForTicket(ticket.id), nowMs, ticket.status);
    state.timelines.set(ticket.id, timeline);

    if (changes.newRequester) changes.requesterId = this.findOrCreateEndUser(state, changes.newRequester).id;
    if (changes.subject !== undefined) {
      ticket.subject = changes.subject;
      ticket.raw_subject = changes.subject;
    }
    if (changes.requesterId !== undefined && changes.requesterId !== ticket.requester_id) {
      ticket.requester_id = changes.requesterId;
      if (changes.organizationId === undefined) ticket.organization_id = state.account.users.get(changes.requesterId)?.organization_id ?? null;
    }
    if (changes.organizationId !== undefined) ticket.organization_id = changes.organizationId;
    if (changes.submitterId !== undefined) ticket.submitter_id = changes.submitterId;
    if (changes.assigneeId !== undefined && changes.assigneeId !== ticket.assignee_id) {
      ticket.assignee_id = changes.assigneeId;
      if (changes.assigneeId !== null) {
        timeline.initiallyAssignedMs ??= nowMs;
        timeline.assignedMs = nowMs;
        timeline.assigneeStations += 1;
      }
    }
    if (changes.groupId !== undefined && changes.groupId !== ticket.group_id) {
      ticket.group_id = changes.groupId;
      if (changes.groupId !== null) timeline.groupStations += 1;
    }
    if (changes.priority !== undefined) ticket.priority = changes.priority;
    if (changes.type !== undefined) ticket.type = changes.type;
    if (changes.tags !== undefined) ticket.tags = changes.tags;
    if (changes.externalId !== undefined) ticket.external_id = changes.externalId;
    if (changes.dueAt !== undefined) ticket.due_at = changes.dueAt;
    if (changes.collaboratorIds !== undefined) ticket.collaborator_ids = changes.collaboratorIds;
    if (changes.customFields) {
      for (const given of changes.customFields) {
        const field = ticket.custom_fields.find((existing) => existing.id === given.id);
        if (field) field.value = given.value;
      }
    }

    let added: ZComment | null = null;
    if (changes.comment) {
      // "The initial value set on ticket creation persists for any additional comment unless
      // you change it" (OAS TicketCommentObject.public).
      const firstPublic = state.account.comments.get(ticket.id)?.[0]?.public ?? true;
      added = this.appendComment(state, ticket, {
        body: changes.comment.body,
        public: changes.comment.public ?? firstPublic,
        authorId: changes.comment.authorId ?? actor.id,
      }, nowMs, false);
      if (added.public) ticket.is_public = true;
    }

    let status = changes.status;
    if (status === undefined && added) status = this.impliedStatus(state, ticket, added);
    if (status !== undefined && status !== ticket.status) {
      ticket.status = status;
      recordStatusChange(timeline, status, nowMs);
    }

    const changedEvents: AuditEvent[] = [];
    if (added) changedEvents.push(commentEvent(added));
    for (const field of AUDITED_FIELDS) {
      if (JSON.stringify(previous[field]) !== JSON.stringify(ticket[field])) {
        changedEvents.push(changeEvent(field, ticket[field], previous[field]));
      }
    }
    advanceSla(state.sla, nowMs);
    recordSlaChange(state.sla, ticket.id, {
      atMs: nowMs,
      priority: ticket.priority,
      comment: added ? this.slaCommentKind(state, ticket, added) : undefined,
      status: { from: previous.status, to: ticket.status },
    });
    ticket.sla_policy_metrics = slaSnapshot(state.sla, ticket.id);
    this.touch(state, ticket, nowMs);
    timeline.metricUpdatedMs = nowMs;
    const audit = this.audit(state, ticket, actor, added?.id ?? this.burnCommentIndex(state), changedEvents, now);
    this.emit(subdomain, 'updated', ticket, previous, added, actor, now);
    return { ticket, audit, comment: added };
  }

  /** Soft delete: the ticket leaves the Tickets API but stays in the export as "deleted". */
  deleteTicket(subdomain: string, ticket: ZTicket, actor: ZUser): void {
    const state = this.mustState(subdomain);
    const nowMs = this.clock.nowMs();
    const previous = structuredClone(ticket);
    ticket.deleted = true;
    this.touch(state, ticket, nowMs);
    this.emit(subdomain, 'deleted', ticket, previous, null, actor, isoSeconds(nowMs));
  }

  /**
   * Creates or replaces the requester's CSAT rating. Allowed for "a solved ticket, or for a
   * ticket that was previously solved and then reopened" (OAS CreateTicketSatisfactionRating).
   */
  rateTicket(subdomain: string, ticket: ZTicket, input: { score: 'good' | 'bad'; comment: string | null }, actor: ZUser): ZSatisfactionRating {
    const state = this.mustState(subdomain);
    const timeline = state.timelines.get(ticket.id);
    const everSolved = ticket.status === 'solved' || ticket.status === 'closed' || (timeline?.firstSolvedMs ?? null) !== null;
    if (!everSolved) {
      // Which error Zendesk gives for a never-solved ticket is UNCONFIRMED.
      throw recordInvalid({ base: [{ description: 'Satisfaction rating: ticket has not been solved', error: 'InvalidValue' }] });
    }
    const nowMs = this.clock.nowMs();
    const now = isoSeconds(nowMs);
    const previous = structuredClone(ticket);
    const existing = ticket.satisfaction_rating_id !== null ? state.account.satisfaction_ratings.get(ticket.satisfaction_rating_id) : undefined;
    const rating: ZSatisfactionRating = existing ?? {
      id: state.ids.rating(state.next.rating++),
      ticket_id: ticket.id,
      requester_id: ticket.requester_id,
      assignee_id: ticket.assignee_id,
      group_id: ticket.group_id,
      score: input.score,
      comment: null,
      reason: null,
      reason_id: null,
      created_at: now,
      updated_at: now,
    };
    const previousScore = existing?.score ?? 'offered';
    const previousComment = existing?.comment ?? null;
    rating.score = input.score;
    rating.comment = input.comment;
    rating.updated_at = now;
    if (input.score === 'good') {
      rating.reason = null;
      rating.reason_id = null;
    }
    state.account.satisfaction_ratings.set(rating.id, rating);
    ticket.satisfaction_rating_id = rating.id;
    ticket.satisfaction_state = 'offered';
    const ratingEvents = [changeEvent('satisfaction_score', input.score, previousScore)];
    if (input.comment !== null) ratingEvents.push(changeEvent('satisfaction_comment', input.comment, previousComment));
    this.audit(state, ticket, actor, this.burnCommentIndex(state), ratingEvents, now);
    this.touch(state, ticket, nowMs);
    this.emit(subdomain, 'updated', ticket, previous, null, actor, now);
    return rating;
  }

  private mustState(subdomain: string): AccountState {
    const state = this.accounts.get(subdomain);
    if (!state) throw new Error(`unknown subdomain ${subdomain}`);
    return state;
  }

  /**
   * The status change a comment implies when the request sets none: a requester comment reopens
   * a pending or solved ticket ("Pending ... resets to Open automatically when the requester adds
   * a comment", docs/zendesk.md); an agent's public reply takes a new ticket out of "new"
   * (UNCONFIRMED: that is what Zendesk's agent workspace does).
   */
  private impliedStatus(state: AccountState, ticket: ZTicket, comment: ZComment): ZTicket['status'] | undefined {
    const author = state.account.users.get(comment.author_id);
    if (comment.author_id === ticket.requester_id && (ticket.status === 'pending' || ticket.status === 'solved')) return 'open';
    if (author && author.role !== 'end-user' && ticket.status === 'new') return 'open';
    return undefined;
  }

  private slaCommentKind(state: AccountState, ticket: ZTicket, comment: ZComment): 'agent-public-reply' | 'requester' | 'other' {
    if (comment.author_id === ticket.requester_id) return 'requester';
    const author = state.account.users.get(comment.author_id);
    return author && author.role !== 'end-user' && comment.public ? 'agent-public-reply' : 'other';
  }

  private appendComment(
    state: AccountState,
    ticket: ZTicket,
    input: { body: string; public: boolean; authorId: number },
    nowMs: number,
    isFirst: boolean,
  ): ZComment {
    const comment: ZComment = {
      id: state.ids.comment(state.next.comment++),
      ticket_id: ticket.id,
      author_id: input.authorId,
      body: input.body,
      public: input.public,
      created_at: isoSeconds(nowMs),
    };
    const list = state.account.comments.get(ticket.id) ?? [];
    list.push(comment);
    state.account.comments.set(ticket.id, list);
    const timeline = state.timelines.get(ticket.id);
    if (timeline) {
      timeline.latestCommentMs = nowMs;
      const author = state.account.users.get(input.authorId);
      const byAgent = author !== undefined && author.role !== 'end-user';
      if (input.authorId === ticket.requester_id) timeline.requesterUpdatedMs = nowMs;
      if (byAgent) timeline.assigneeUpdatedMs = nowMs;
      // First reply time ends at the first public agent comment that is not the ticket's first
      // comment (docs/zendesk.md, Ticket metrics).
      if (byAgent && input.public && !isFirst) {
        timeline.firstReplyMs ??= nowMs;
        timeline.replies += 1;
      }
      timeline.metricUpdatedMs = nowMs;
    }
    return comment;
  }

  private burnCommentIndex(state: AccountState): number {
    return state.ids.comment(state.next.comment++);
  }

  private audit(state: AccountState, ticket: ZTicket, actor: ZUser, commentId: number, events: AuditEvent[], now: string): Audit {
    const auditId = state.ids.auditForComment(commentId);
    numberEvents(auditId, events);
    const audit: Audit = {
      id: auditId,
      ticket_id: ticket.id,
      created_at: now,
      author_id: actor.id,
      metadata: { system: { client: 'zendesk-emulator', ip_address: '127.0.0.1' }, custom: {} },
      via: API_VIA,
      events,
    };
    state.audits.append(audit);
    return audit;
  }

  /** Moves the ticket's change time to now and its export position to the end. */
  private touch(state: AccountState, ticket: ZTicket, nowMs: number): void {
    const previousTs = ticket.generated_timestamp;
    ticket.updated_at = isoSeconds(nowMs);
    ticket.generated_timestamp = unixSeconds(nowMs);
    state.ticketIndex.move(ticket.id, previousTs, ticket.generated_timestamp);
  }

  private emit(
    subdomain: string,
    kind: TicketChangeKind,
    ticket: ZTicket,
    previous: ZTicket | null,
    comment: ZComment | null,
    actor: ZUser,
    at: string,
  ): void {
    const event: TicketChangeEvent = { subdomain, kind, ticket, previous, comment, actor_id: actor.id, at };
    this.events.emit('ticket-change', event);
  }
}
