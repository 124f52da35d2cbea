import { describe, expect, it } from 'vitest';
import { eventsOfAudit } from './ticket-events-stream.ts';

const audit = (childEvents: Array<Record<string, unknown>>) => ({
  id: 1,
  ticket_id: 7,
  created_at: '2026-01-02T03:04:05Z',
  child_events: childEvents as Array<{ id: number; event_type: string }>,
});
const at = '2026-01-02T03:04:05.000Z';

describe('eventsOfAudit', () => {
  it('maps a creation, and a status change to solved, at the audit time', () => {
    expect(eventsOfAudit(audit([{ id: 11, event_type: 'Create', status: 'new' }, { id: 12, event_type: 'Create', priority: 'high' }]))).toEqual([
      { zendesk_event_id: 11, zendesk_ticket_id: 7, kind: 'created', from_value: null, to_value: 'new', occurred_at: at },
    ]);
    expect(eventsOfAudit(audit([{ id: 13, event_type: 'Change', status: 'solved', previous_value: 'open' }])).map((e) => [e.kind, e.from_value, e.to_value])).toEqual([
      ['status_changed', 'open', 'solved'],
      ['solved', 'open', 'solved'],
    ]);
  });

  it('a close after a solve is no new solve; leaving solved for an unsolved status is a reopen', () => {
    expect(eventsOfAudit(audit([{ id: 1, event_type: 'Change', status: 'closed', previous_value: 'solved' }])).map((e) => e.kind)).toEqual(['status_changed']);
    expect(eventsOfAudit(audit([{ id: 2, event_type: 'Change', status: 'open', previous_value: 'solved' }])).map((e) => e.kind)).toEqual(['status_changed', 'reopened']);
  });

  it('maps priority changes and good/bad ratings, and ignores comments and other fields', () => {
    const events = eventsOfAudit(
      audit([
        { id: 3, event_type: 'Change', priority: 'urgent', previous_value: 'normal' },
        { id: 4, event_type: 'Change', satisfaction_score: 'bad', previous_value: 'offered' },
        { id: 5, event_type: 'Change', satisfaction_score: 'offered', previous_value: 'unoffered' },
        { id: 6, event_type: 'Comment', comment_present: true, comment_public: false },
        { id: 8, event_type: 'Change', group_id: 5, previous_value: 4 },
      ]),
    );
    expect(events.map((e) => [e.zendesk_event_id, e.kind, e.from_value, e.to_value])).toEqual([
      [3, 'priority_changed', 'normal', 'urgent'],
      [4, 'rated', 'offered', 'bad'],
    ]);
  });

  it("maps the target's merge audit to a 'merged' event on the target and on each source, under the audit's id", () => {
    const merge = { ...audit([{ id: 20, event_type: 'Comment', comment_present: true, comment_public: false }]), id: 19, merged_ticket_ids: [3, 5, 3] };
    expect(eventsOfAudit(merge)).toEqual([
      { zendesk_event_id: 19, zendesk_ticket_id: 7, kind: 'merged', from_value: '3,5', to_value: '7', occurred_at: at },
      { zendesk_event_id: 19, zendesk_ticket_id: 3, kind: 'merged', from_value: '3', to_value: '7', occurred_at: at },
      { zendesk_event_id: 19, zendesk_ticket_id: 5, kind: 'merged', from_value: '5', to_value: '7', occurred_at: at },
    ]);
  });

  it('an audit with no merged tickets (an empty list, null, or only itself) gives no merged event', () => {
    for (const ids of [[], null, [7]]) expect(eventsOfAudit({ ...audit([]), merged_ticket_ids: ids })).toEqual([]);
  });
});
