import { describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION_RULE, type EscalationRule } from './escalation-rule.ts';
import { replayEscalations, replaysEscalations } from './escalation-replay.ts';
import type { ReplayState } from './ticket-events-stream.repo.ts';
import type { TicketAuditEvent } from '../../zendesk/ticket-events.ts';

const audit = (id: number, day: number, childEvents: Array<Record<string, unknown>>, ticketId = 7): TicketAuditEvent => ({
  id,
  ticket_id: ticketId,
  created_at: `2026-01-${String(day).padStart(2, '0')}T10:00:00Z`,
  child_events: childEvents as TicketAuditEvent['child_events'],
});
const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T10:00:00.000Z`;
const created = (id: number, day: number, fields: { priority?: string; tags?: string[]; group_id?: number }, ticketId = 7) =>
  audit(
    id,
    day,
    [
      { id: id * 10 + 1, event_type: 'Create', status: 'new' },
      ...(fields.priority ? [{ id: id * 10 + 2, event_type: 'Create', priority: fields.priority }] : []),
      ...(fields.tags ? [{ id: id * 10 + 3, event_type: 'Create', tags: fields.tags, added_tags: fields.tags, removed_tags: [] }] : []),
      ...(fields.group_id ? [{ id: id * 10 + 4, event_type: 'Create', group_id: fields.group_id }] : []),
    ],
    ticketId,
  );
const kinds = (events: ReturnType<typeof replayEscalations>['events']) => events.map((e) => [e.kind, e.zendesk_event_id, e.from_value, e.to_value, e.occurred_at]);

describe('replayEscalations', () => {
  it('a ticket created with an escalation tag is escalated at its creation; removing the tag de-escalates it', () => {
    const { events, states } = replayEscalations(
      DEFAULT_ESCALATION_RULE,
      [
        created(1, 2, { priority: 'normal', tags: ['billing', 'Escalated'] }),
        audit(2, 5, [{ id: 21, event_type: 'Change', tags: ['billing'], added_tags: [], removed_tags: ['Escalated'], previous_value: ['billing', 'Escalated'] }]),
      ],
      new Map(),
    );
    expect(kinds(events)).toEqual([
      ['escalated', 13, null, 'normal', at(2)],
      ['deescalated', 21, 'normal', 'normal', at(5)],
    ]);
    expect(states.get(7)).toMatchObject({ priority: 'normal', tags: ['billing'], last_audit_id: 2, last_audit_at: at(5) });
  });

  it('adding a tag escalates; a priority change to urgent while tagged changes nothing; dropping both de-escalates', () => {
    const { events } = replayEscalations(
      DEFAULT_ESCALATION_RULE,
      [
        created(1, 1, { priority: 'low', tags: ['billing'] }),
        audit(2, 3, [{ id: 21, event_type: 'Change', tags: ['billing', 'escalation'], added_tags: ['escalation'], removed_tags: [] }]),
        audit(3, 4, [{ id: 31, event_type: 'Change', priority: 'urgent', previous_value: 'low' }]),
        audit(4, 6, [{ id: 41, event_type: 'Change', added_tags: [], removed_tags: ['escalation'] }]),
        audit(5, 8, [{ id: 51, event_type: 'Comment', comment_present: true }, { id: 52, event_type: 'Change', priority: 'high', previous_value: 'urgent' }]),
      ],
      new Map(),
    );
    expect(kinds(events)).toEqual([
      ['escalated', 21, 'low', 'low', at(3)],
      ['deescalated', 52, 'urgent', 'high', at(8)],
    ]);
  });

  it('a priority change escalates under the default rule; a group in the rule escalates too', () => {
    const priority = replayEscalations(
      DEFAULT_ESCALATION_RULE,
      [created(1, 1, { priority: 'normal' }), audit(2, 2, [{ id: 21, event_type: 'Change', priority: 'urgent', previous_value: 'normal' }])],
      new Map(),
    );
    expect(kinds(priority.events)).toEqual([['escalated', 21, 'normal', 'urgent', at(2)]]);
    const rule: EscalationRule = { priorities: [], tags: [], groupIds: [900], customField: null };
    const group = replayEscalations(
      rule,
      [created(1, 1, { group_id: 100 }), audit(2, 2, [{ id: 21, event_type: 'Change', group_id: 900, previous_value: 100 }]), audit(3, 3, [{ id: 31, event_type: 'Change', group_id: null, previous_value: 900 }])],
      new Map(),
    );
    expect(group.events.map((e) => e.kind)).toEqual(['escalated', 'deescalated']);
  });

  it('continues from the state kept after an earlier page, and skips the audits it already applied', () => {
    const first = replayEscalations(DEFAULT_ESCALATION_RULE, [created(1, 1, { priority: 'normal', tags: ['a'] }), audit(2, 2, [{ id: 21, event_type: 'Change', added_tags: ['escalated'], removed_tags: [] }])], new Map());
    expect(first.events.map((e) => e.kind)).toEqual(['escalated']);
    // The next page starts with the last second again (audit 2), then a removal.
    const second = replayEscalations(
      DEFAULT_ESCALATION_RULE,
      [audit(2, 2, [{ id: 21, event_type: 'Change', added_tags: ['escalated'], removed_tags: [] }]), audit(3, 4, [{ id: 31, event_type: 'Change', added_tags: [], removed_tags: ['escalated'] }])],
      first.states,
    );
    expect(kinds(second.events)).toEqual([['deescalated', 31, 'normal', 'normal', at(4)]]);
    // A page read again entirely adds nothing and keeps nothing new.
    const again = replayEscalations(DEFAULT_ESCALATION_RULE, [audit(3, 4, [{ id: 31, event_type: 'Change', added_tags: [], removed_tags: ['escalated'] }])], second.states);
    expect(again.events).toEqual([]);
    expect(again.states.size).toBe(0);
  });

  it('a ticket whose creation it has not seen is not replayed; a rule with a custom field is not replayed', () => {
    const { events, states } = replayEscalations(DEFAULT_ESCALATION_RULE, [audit(2, 2, [{ id: 21, event_type: 'Change', priority: 'urgent', previous_value: 'low' }])], new Map<number, ReplayState>());
    expect(events).toEqual([]);
    expect(states.size).toBe(0);
    expect(replaysEscalations(DEFAULT_ESCALATION_RULE)).toBe(true);
    expect(replaysEscalations({ ...DEFAULT_ESCALATION_RULE, customField: { id: 5, values: ['true'] } })).toBe(false);
  });

  it('keeps tickets apart', () => {
    const { events } = replayEscalations(
      DEFAULT_ESCALATION_RULE,
      [created(1, 1, { priority: 'urgent' }, 7), created(2, 1, { priority: 'low' }, 8), audit(3, 2, [{ id: 31, event_type: 'Change', priority: 'low', previous_value: 'urgent' }], 7)],
      new Map(),
    );
    expect(events.map((e) => [e.zendesk_ticket_id, e.kind])).toEqual([
      [7, 'escalated'],
      [7, 'deescalated'],
    ]);
  });
});
