import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeHistoryCursor, encodeCursor, encodeHistoryCursor, parseIsoDate, parsePriorities, parseStatuses, slaOf } from './ticket-list.ts';

describe('ticket list parameters', () => {
  it('reads statuses, with open as the group of unsolved statuses', () => {
    expect(parseStatuses('open')).toEqual({ statuses: ['new', 'open', 'pending', 'hold'] });
    expect(parseStatuses('Solved, closed,solved')).toEqual({ statuses: ['solved', 'closed'] });
    expect(parseStatuses('deleted,new')).toEqual({ statuses: ['new', 'deleted'] });
    expect(parseStatuses('opn')).toEqual({ error: expect.stringMatching(/^"opn" is not a ticket status; use new, open, pending, hold, solved, closed, deleted or open/) });
    expect(parseStatuses(' , ')).toEqual({ error: expect.stringMatching(/^is empty/) });
  });

  it('reads priorities', () => {
    expect(parsePriorities('low,URGENT')).toEqual({ priorities: ['urgent', 'low'] });
    expect(parsePriorities('critical')).toEqual({ error: expect.stringMatching(/^"critical" is not a ticket priority/) });
  });

  it('reads ISO dates and times, and refuses what is not a calendar time', () => {
    expect(parseIsoDate('2024-05-01')?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(parseIsoDate('2024-05-01T12:30:00+02:00')?.toISOString()).toBe('2024-05-01T10:30:00.000Z');
    expect(parseIsoDate('2024-05-01T12:30Z')?.toISOString()).toBe('2024-05-01T12:30:00.000Z');
    expect(parseIsoDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    for (const bad of ['2023-02-29', '2024-13-01', '2024-05-01T24:00:00Z', '2024-05-01T12:00:00', 'yesterday', '1714557600', '']) {
      expect(parseIsoDate(bad), bad).toBeNull();
    }
  });

  it('round-trips cursors, and refuses one of another sort, order, or made up', () => {
    const cursor = { sort: 'priority' as const, order: 'asc' as const, keys: [3, '2024-05-01T10:00:00.123456Z'], id: '6f1c1e4e-5a8b-4c1d-9a55-3d1f1e2a7b90' };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, 'priority', 'asc')).toEqual(cursor);
    expect(decodeCursor(text, 'priority', 'desc')).toEqual({ error: expect.stringMatching(/^was made for sort=priority&order=asc/) });
    expect(decodeCursor(text, 'updated', 'asc')).toEqual({ error: expect.stringMatching(/^was made for sort=priority/) });
    expect(decodeCursor('%%%', 'updated', 'desc')).toEqual({ error: expect.stringMatching(/is not a cursor/) });
    const forged = encodeCursor({ ...cursor, keys: [9, 'x'] });
    expect(decodeCursor(forged, 'priority', 'asc')).toEqual({ error: expect.stringMatching(/is not a cursor/) });
    const history = encodeHistoryCursor({ occurredAt: '2024-05-01T10:00:00.000000Z', id: 42 });
    expect(decodeHistoryCursor(history)).toEqual({ occurredAt: '2024-05-01T10:00:00.000000Z', id: 42 });
    expect(decodeHistoryCursor('abc')).toEqual({ error: expect.stringMatching(/is not a cursor/) });
  });

  it('derives the SLA state from the earliest active breach time', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    expect(slaOf(false, null, now)).toEqual({ state: null, nextBreachAt: null });
    expect(slaOf(true, null, now)).toEqual({ state: 'ok', nextBreachAt: null });
    expect(slaOf(true, at(-1), now).state).toBe('breached');
    expect(slaOf(true, at(0), now).state).toBe('breached');
    expect(slaOf(true, at(59), now).state).toBe('due_soon');
    expect(slaOf(true, at(60), now).state).toBe('due_soon');
    expect(slaOf(true, at(61), now)).toEqual({ state: 'ok', nextBreachAt: at(61) });
  });
});
