/**
 * Escalations dated from Zendesk's audits. "Escalated" is a rule over a ticket's fields
 * (escalation-rule.ts), and Zendesk records no escalation as such: so the ticket events stream
 * replays each ticket's audits in order (the Create child events give its first values, the Change
 * child events of priority, tags and group_id the later ones), evaluates the connection's rule
 * after each audit, and records `escalated` / `deescalated` at the audit's created_at when the
 * answer flips. What the rule looks at after the last audit applied is kept per ticket
 * (zendesk_ticket_escalation_replay, migration 0031) because a ticket's audits span pages and
 * runs; the stream's other kinds need no such state (each audit says its own change), and the
 * events already streamed could not give it (they carry no tags or group).
 *
 * A ticket is replayed only from its creation: one whose first audit the stream has not seen
 * (nor a state kept from earlier pages) keeps its escalations derived from versions. A rule with
 * a custom field is not replayed at all: the export shows custom field changes in a form we have
 * not confirmed, so such connections keep escalations derived from versions (docs/metrics.md).
 */
import type { TicketAuditEvent, TicketChildEvent } from '../../zendesk/ticket-events.ts';
import { type EscalationRule, isEscalatedBy } from './escalation-rule.ts';
import type { ReplayState, StreamedEvent } from './ticket-events-stream.repo.ts';

/** Whether the stream can date this rule's escalations (see above). */
export function replaysEscalations(rule: EscalationRule): boolean {
  return rule.customField === null || rule.customField === undefined;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value.toLowerCase() : null);
const strings = (value: unknown): string[] | null => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null);

/** Applies one child event to the ticket's fields; answers whether it touched a field the rule reads. */
function apply(state: ReplayState, child: TicketChildEvent): boolean {
  if (child.event_type !== 'Create' && child.event_type !== 'Change') return false;
  let touched = false;
  if (child.priority !== undefined) {
    state.priority = text(child.priority);
    touched = true;
  }
  if (child.group_id !== undefined) {
    state.group_zendesk_id = typeof child.group_id === 'number' ? child.group_id : null;
    touched = true;
  }
  const added = strings(child.added_tags);
  const removed = strings(child.removed_tags);
  if (added !== null || removed !== null) {
    // The change itself: right whether `tags` is the full list after it or only what was added.
    const removing = new Set(removed ?? []);
    const kept = state.tags.filter((tag) => !removing.has(tag));
    state.tags = [...kept, ...(added ?? []).filter((tag) => !kept.includes(tag))];
    touched = true;
  } else if (child.tags !== undefined) {
    state.tags = strings(child.tags) ?? [];
    touched = true;
  }
  return touched;
}

const after = (audit: TicketAuditEvent, state: ReplayState): boolean => {
  const at = Date.parse(audit.created_at);
  const last = Date.parse(state.last_audit_at);
  return at > last || (at === last && audit.id > state.last_audit_id);
};

export interface EscalationReplay {
  events: StreamedEvent[];
  /** The state after the page of every ticket replayed in it (to store), keyed by ticket id. */
  states: Map<number, ReplayState>;
}

/**
 * Replays a page's audits (in the page's order: by time, then id) over the states known before it
 * (`known`, not changed). An audit at or before a ticket's last applied one is skipped: a page's
 * last second comes again at the start of the next page.
 */
export function replayEscalations(rule: EscalationRule, audits: readonly TicketAuditEvent[], known: ReadonlyMap<number, ReplayState>): EscalationReplay {
  const events: StreamedEvent[] = [];
  const states = new Map<number, ReplayState>();
  for (const audit of audits) {
    const previous = states.get(audit.ticket_id) ?? known.get(audit.ticket_id);
    if (previous && !after(audit, previous)) continue;
    const creates = audit.child_events.some((child) => child.event_type === 'Create');
    if (!previous && !creates) continue;
    const state: ReplayState = previous
      ? { ...previous, tags: [...previous.tags] }
      : { zendesk_ticket_id: audit.ticket_id, priority: null, tags: [], group_zendesk_id: null, last_audit_at: audit.created_at, last_audit_id: audit.id };
    const facts = (s: ReplayState) => ({ priority: s.priority, tags: s.tags, group_zendesk_id: s.group_zendesk_id, custom_fields: [] });
    const wasEscalated = previous ? isEscalatedBy(rule, facts(previous)) : false;
    const priorityBefore = previous?.priority ?? null;
    // The flip is keyed by the child event that made it (the last one to change the rule's answer).
    let cause: number | null = null;
    let current = wasEscalated;
    for (const child of audit.child_events) {
      if (!apply(state, child)) continue;
      const now = isEscalatedBy(rule, facts(state));
      if (now !== current) cause = child.id;
      current = now;
    }
    state.last_audit_at = new Date(audit.created_at).toISOString();
    state.last_audit_id = audit.id;
    states.set(audit.ticket_id, state);
    const escalated = isEscalatedBy(rule, facts(state));
    if (cause !== null && escalated !== wasEscalated) {
      events.push({
        zendesk_event_id: cause,
        zendesk_ticket_id: audit.ticket_id,
        kind: escalated ? 'escalated' : 'deescalated',
        from_value: priorityBefore,
        to_value: state.priority,
        occurred_at: new Date(audit.created_at).toISOString(),
      });
    }
  }
  return { events, states };
}
