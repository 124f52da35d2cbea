import { describe, expect, it } from 'vitest';
import { byDistinctTickets } from './webhook-intake.ts';

describe('webhook deliveries cut into show_many calls', () => {
  it('keeps arrival order, names at most N distinct tickets per call, and keeps repeats of a ticket in its call', () => {
    const rows = [
      { id: 1, zendesk_ticket_id: 10 },
      { id: 2, zendesk_ticket_id: 11 },
      { id: 3, zendesk_ticket_id: 10 },
      { id: 4, zendesk_ticket_id: 12 },
      { id: 5, zendesk_ticket_id: 11 },
      { id: 6, zendesk_ticket_id: 13 },
    ];
    expect(byDistinctTickets(rows, 2)).toEqual([
      { ticketIds: [10, 11], deliveryIds: [1, 2, 3] },
      { ticketIds: [12, 11], deliveryIds: [4, 5] },
      { ticketIds: [13], deliveryIds: [6] },
    ]);
    expect(byDistinctTickets([], 100)).toEqual([]);
  });

  it('serves every delivery exactly once', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, zendesk_ticket_id: (i * 7919) % 257 }));
    const chunks = byDistinctTickets(rows, 100);
    expect(chunks.every((chunk) => chunk.ticketIds.length <= 100)).toBe(true);
    expect(chunks.flatMap((chunk) => chunk.deliveryIds)).toEqual(rows.map((row) => row.id));
  });
});
