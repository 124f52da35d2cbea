/**
 * SLA compliance from hand-built ticket metric events: met when fulfilled before a breach not
 * deleted, breached otherwise (also when fulfilled late or by the passage of time), in progress
 * left out, dated by outcome in a trailing 30-day window; tickets without an applied SLA in their
 * events keep the snapshot; merge sources are left out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { DAY, HOUR, insertConnection, insertCustomer, insertMetricEvents, insertTicket } from './metrics-test-data.ts';
import { backfillDailyMetrics, computeCustomerMetrics } from './metrics.service.ts';

const AS_OF = new Date('2026-03-15T12:00:00Z');
const ago = (days: number, ms = 0) => new Date(AS_OF.getTime() - days * DAY - ms);

describe('SLA compliance from ticket metric events', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let conn: string;
  let cust: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    conn = await insertConnection(deps.db, 'sla');
    cust = await insertCustomer(deps.db, 'Measured');
    const ticket = async (id: number, events: Parameters<typeof insertMetricEvents>[3], spec: Partial<Parameters<typeof insertTicket>[1]> = {}) => {
      await insertTicket(deps.db, { connectionId: conn, zendeskTicketId: id, customerId: cust, status: 'open', priority: 'high', created: ago(40), ...spec });
      await insertMetricEvents(deps.db, conn, id, events);
    };
    // 1: first reply in time (met 10 days ago); its resolution breached by the passage of time 5 days ago.
    await ticket(1, [
      ['activate', 'reply_time', 1, ago(11)], ['apply_sla', 'reply_time', 1, ago(11)], ['fulfill', 'reply_time', 1, ago(10)],
      ['activate', 'requester_wait_time', 1, ago(11)], ['apply_sla', 'requester_wait_time', 1, ago(11)], ['breach', 'requester_wait_time', 1, ago(5)],
    ]);
    // 2: first reply late: breached 8 days ago, fulfilled after (breached, not met).
    await ticket(2, [
      ['activate', 'reply_time', 1, ago(9)], ['apply_sla', 'reply_time', 1, ago(9)], ['breach', 'reply_time', 1, ago(8)], ['fulfill', 'reply_time', 1, ago(7)],
    ]);
    // 3: a breach voided (deleted), then fulfilled: met. Next reply instance 2 still running: in progress.
    await ticket(3, [
      ['activate', 'reply_time', 1, ago(6)], ['apply_sla', 'reply_time', 1, ago(6)], ['breach', 'reply_time', 1, ago(5), true], ['fulfill', 'reply_time', 1, ago(4)],
      ['activate', 'reply_time', 2, ago(3)], ['apply_sla', 'reply_time', 2, ago(3)],
    ]);
    // 4: met 31 days ago: outside the 30-day window.
    await ticket(4, [['activate', 'reply_time', 1, ago(32)], ['apply_sla', 'reply_time', 1, ago(32)], ['fulfill', 'reply_time', 1, ago(31)]]);
    // 5: events but no applied SLA: its snapshot counts (breached 2 days ago), its events do not.
    await ticket(5, [['activate', 'reply_time', 1, ago(3)], ['fulfill', 'reply_time', 1, ago(1)]], {
      sla: [{ metric: 'first_reply_time', stage: 'active', breach_at: ago(2).toISOString() }],
    });
    // 6: a merge source: nothing counts.
    await ticket(6, [['activate', 'reply_time', 1, ago(3)], ['apply_sla', 'reply_time', 1, ago(3)], ['breach', 'reply_time', 1, ago(2)]], {
      status: 'closed', tags: ['closed_by_merge'],
    });
    // 7: a breach recorded ahead of its time (in the future): in progress.
    await ticket(7, [['activate', 'reply_time', 1, ago(1)], ['apply_sla', 'reply_time', 1, ago(1)], ['breach', 'reply_time', 1, new Date(AS_OF.getTime() + HOUR)]]);
  });
  afterAll(() => destroy());

  it('counts met and breached targets by outcome time in the trailing 30 days', async () => {
    const m = await computeCustomerMetrics(deps.db, cust, AS_OF);
    // met: t1 reply, t3 reply 1; breached: t1 wait, t2 reply, t5 snapshot. Out: t3 reply 2, t4, t6, t7.
    expect(m.slaMeasured).toBe(5);
    expect(m.slaCompliance).toBeCloseTo(2 / 5, 9);
  });

  it('takes each past day over the outcomes of its own 30-day window', async () => {
    await backfillDailyMetrics(deps.db, [cust], '2026-03-04', '2026-03-14', { now: AS_OF });
    const { rows } = await deps.db.query<{ d: string; sla: number | null; n: number }>(
      `SELECT metric_date::text AS d, sla_compliance::float8 AS sla, sla_measured AS n FROM zendesk_metrics WHERE customer_id = $1 ORDER BY metric_date`,
      [cust],
    );
    const day = (d: string) => rows.find((r) => r.d === d);
    // 03-05: t1 reply met (03-05) only; t4 (met 02-12) is still within 30 days.
    expect(day('2026-03-05')).toMatchObject({ n: 2, sla: 1 });
    // 03-07: + t2 breached (03-07).
    expect(day('2026-03-07')).toMatchObject({ n: 3 });
    // 03-14: t4 has left the window; all of the live figure's five are in.
    expect(day('2026-03-14')).toMatchObject({ n: 5, sla: 0.4 });
  });
});
