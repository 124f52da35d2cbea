import { describe, expect, it } from 'vitest';
import type { TicketVersion } from './sync.repo.ts';
import { eventsOf } from './ticket-history.ts';

const base: TicketVersion = {
  status: 'open',
  priority: 'normal',
  escalated: false,
  satisfactionRating: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T00:00:00Z'),
  resolvedAt: null,
};
const write = (now: Partial<TicketVersion>, before: Partial<TicketVersion> | null) => ({
  zendeskTicketId: 7,
  customerId: null,
  previousCustomerId: null,
  inserted: before === null,
  now: { ...base, ...now },
  before: before === null ? null : { ...base, ...before },
});
const kinds = (w: ReturnType<typeof write>) => eventsOf(w).map((e) => [e.kind, e.from_value, e.to_value]);

describe('ticket history from versions', () => {
  it('records a first sight, with what it already shows, dated from the ticket', () => {
    const events = eventsOf(write({ status: 'solved', resolvedAt: new Date('2026-01-03T00:00:00Z'), satisfactionRating: 'bad', priority: 'urgent', escalated: true }, null));
    expect(events.map((e) => [e.kind, e.occurred_at])).toEqual([
      ['created', '2026-01-01T00:00:00.000Z'],
      ['solved', '2026-01-03T00:00:00.000Z'],
      ['escalated', '2026-01-02T00:00:00.000Z'],
      ['rated', '2026-01-02T00:00:00.000Z'],
    ]);
  });

  it('records transitions between two versions, and nothing when nothing we track changed', () => {
    expect(kinds(write({ status: 'solved' }, { status: 'open' }))).toEqual([
      ['status_changed', 'open', 'solved'],
      ['solved', 'open', 'solved'],
    ]);
    expect(kinds(write({ status: 'open' }, { status: 'closed' }))).toEqual([
      ['status_changed', 'closed', 'open'],
      ['reopened', 'closed', 'open'],
    ]);
    expect(kinds(write({ priority: 'urgent', escalated: true }, {}))).toEqual([
      ['priority_changed', 'normal', 'urgent'],
      ['escalated', 'normal', 'urgent'],
    ]);
    expect(kinds(write({ escalated: false }, { escalated: true }))).toEqual([['deescalated', 'normal', 'normal']]);
    expect(kinds(write({ satisfactionRating: 'good' }, { satisfactionRating: 'offered' }))).toEqual([['rated', 'offered', 'good']]);
    expect(kinds(write({ status: 'deleted' }, { status: 'pending' }))).toEqual([
      ['status_changed', 'pending', 'deleted'],
      ['deleted', 'pending', null],
    ]);
    expect(kinds(write({ updatedAt: new Date('2026-02-01T00:00:00Z') }, {}))).toEqual([]);
  });
});
