/**
 * CSAT from legacy good/bad ratings and updated-CSAT survey responses together (docs/metrics.md,
 * CSAT): a response counts as good at the top of its scale (5-point: 4 and 5; 3-point: 3;
 * 2-point: 2), a ticket with a response counts its response and not its legacy rating, and the
 * daily history counts responses on the day they were given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { DAY, insertConnection, insertCustomer, insertTicket } from './metrics-test-data.ts';
import { backfillDailyMetrics, computeCustomerMetrics } from './metrics.service.ts';

const NOW = new Date('2026-03-20T12:00:00Z');
const at = (iso: string) => new Date(`${iso}Z`);

describe('CSAT with updated survey responses', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let conn: string;
  let customer: string;

  const respond = (ticket: number, id: string, score: number, scale: number, when: Date) =>
    deps.db.query(
      `INSERT INTO zendesk_csat_responses (connection_id, zendesk_response_id, zendesk_ticket_id, score, scale, comment, responded_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, NULL, $6, $6)`,
      [conn, id, ticket, score, scale, when],
    );

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    conn = await insertConnection(deps.db, 'csat');
    customer = await insertCustomer(deps.db, 'Rated');
    const solved = (id: number, events: Array<[string, string | null, Date]> = []) =>
      insertTicket(deps.db, { connectionId: conn, zendeskTicketId: id, customerId: customer, status: 'solved', created: at('2026-03-01T00:00:00'), events });
    // 1: legacy good only.
    await solved(1, [['rated', 'good', at('2026-03-05T10:00:00')]]);
    // 2: legacy bad (Zendesk's mirror of the response), response 5 of 5: the response wins, good.
    await solved(2, [['rated', 'bad', at('2026-03-06T10:00:00')]]);
    await respond(2, '01RESPONSE0000000000000002', 5, 5, at('2026-03-06T10:00:00'));
    // 3: 3 of 5, bad (only 4 and 5 are good).
    await solved(3);
    await respond(3, '01RESPONSE0000000000000003', 3, 5, at('2026-03-10T09:00:00'));
    // 4: 2 of 3, bad; 5: 3 of 3, good; 6: 2 of 2, good; 7: 4 of 5, good.
    await solved(4);
    await respond(4, '01RESPONSE0000000000000004', 2, 3, at('2026-03-11T09:00:00'));
    await solved(5);
    await respond(5, '01RESPONSE0000000000000005', 3, 3, at('2026-03-12T09:00:00'));
    await solved(6);
    await respond(6, '01RESPONSE0000000000000006', 2, 2, at('2026-03-12T10:00:00'));
    await solved(7);
    await respond(7, '01RESPONSE0000000000000007', 4, 5, at('2026-03-13T10:00:00'));
    // 8: a response older than 90 days is out of the figure.
    await solved(8);
    await respond(8, '01RESPONSE0000000000000008', 1, 5, new Date(NOW.getTime() - 91 * DAY));
  });
  afterAll(async () => {
    await destroy?.();
  });

  it('combines legacy ratings and responses, one answer per ticket, the response winning', async () => {
    const m = await computeCustomerMetrics(deps.db, customer, NOW);
    // good: 1 (legacy), 2 (5/5, not its legacy bad), 5 (3/3), 6 (2/2), 7 (4/5); bad: 3 (3/5), 4 (2/3).
    expect(m.csatRatings).toBe(7);
    expect(m.csat).toBeCloseTo(5 / 7, 9);
  });

  it('rebuilds the daily history with the responses on the day they were given', async () => {
    await backfillDailyMetrics(deps.db, [customer], '2026-03-05', '2026-03-13', { now: NOW });
    const { rows } = await deps.db.query<{ metric_date: string; csat: number | null; csat_ratings: number }>(
      `SELECT metric_date::text AS metric_date, csat_score::float8 AS csat, csat_ratings FROM zendesk_metrics WHERE customer_id = $1 ORDER BY metric_date`,
      [customer],
    );
    const day = (d: string) => rows.find((r) => r.metric_date === d);
    // Ticket 8's 1 of 5 (given 91 days before NOW) is still inside these days' 90-day windows.
    expect(day('2026-03-05')).toMatchObject({ csat: 0.5, csat_ratings: 2 });
    // Ticket 2's legacy bad is not counted: its response (good) is.
    expect(day('2026-03-06')?.csat_ratings).toBe(3);
    expect(day('2026-03-06')?.csat).toBeCloseTo(2 / 3, 9);
    expect(day('2026-03-10')).toMatchObject({ csat: 0.5, csat_ratings: 4 });
    expect(day('2026-03-13')?.csat_ratings).toBe(8);
    expect(day('2026-03-13')?.csat).toBeCloseTo(5 / 8, 9);
  });
});
