/** The health score on hand-built tickets: the stored explanation, the open-ticket baseline from history. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { DAY, insertConnection, insertCustomer, insertTicket } from '../metrics/metrics-test-data.ts';
import { utcDay } from '../metrics/metrics.service.ts';
import { getCustomerHealth, recomputeHealth } from './health.service.ts';

const AS_OF = new Date('2026-03-15T12:00:00Z');
const ago = (days: number) => new Date(AS_OF.getTime() - days * DAY);

describe('health score', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let conn: string;
  let acme: string;
  let empty: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    conn = await insertConnection(deps.db, 'acme');
    acme = await insertCustomer(deps.db, 'Acme');
    empty = await insertCustomer(deps.db, 'Empty');
    await deps.db.query(`UPDATE customers SET base_health_score = 60 WHERE id = $1`, [acme]);
    const t = (id: number, spec: Omit<Parameters<typeof insertTicket>[1], 'connectionId' | 'zendeskTicketId' | 'customerId'>) =>
      insertTicket(deps.db, { connectionId: conn, zendeskTicketId: id, customerId: acme, ...spec });
    await t(1, { status: 'open', created: ago(5), events: [['created', 'open', ago(5)], ['escalated', 'high', ago(3)]] });
    await t(2, { status: 'open', created: ago(10), events: [['created', 'open', ago(10)]] });
    await t(3, { status: 'solved', created: ago(20), resolvedAt: ago(19), rating: 'good', events: [['created', 'open', ago(20)], ['solved', 'solved', ago(19)], ['rated', 'good', ago(18)]] });
    await t(4, { status: 'solved', created: ago(40), resolvedAt: ago(39), rating: 'bad', events: [['created', 'open', ago(40)], ['solved', 'solved', ago(39)], ['rated', 'bad', ago(38)]] });
    // Ten recorded days with one open ticket: the baseline is 1.
    for (let d = 1; d <= 10; d++) {
      await deps.db.query(`INSERT INTO zendesk_metrics (customer_id, metric_date, open_tickets) VALUES ($1, $2, 1)`, [acme, utcDay(ago(d))]);
    }
  });
  afterAll(async () => destroy?.());

  const row = async (customerId: string, day: string) =>
    (
      await deps.db.query<{ support_score: number | null; overall_score: number | null; explanation: { signals: unknown[] } }>(
        `SELECT support_score::float8 AS support_score, overall_score::float8 AS overall_score, explanation FROM customer_health_daily WHERE customer_id = $1 AND day = $2`,
        [customerId, day],
      )
    ).rows[0];

  it("stores the day's scores with each signal's value, baseline, subscore, weight and points", async () => {
    expect(await recomputeHealth(deps.db, [acme, empty, acme], AS_OF)).toBe(2);
    const stored = await row(acme, '2026-03-15');
    // open 2 vs baseline 1 → 50; 1 escalation / 3 created in 30 days > 25 % → 0; CSAT 1/2 → 50; no SLA: its weight is redistributed.
    expect(stored?.explanation.signals).toEqual([
      { name: 'openTickets', value: 2, baseline: 1, baselineSource: 'median90d', subscore: 50, weight: 0.3529, configuredWeight: 0.3, points: 17.65 },
      { name: 'escalations', value: 1, baseline: 3, baselineSource: 'tickets30d', subscore: 0, weight: 0.3529, configuredWeight: 0.3, points: 0 },
      { name: 'csat', value: 0.5, subscore: 50, weight: 0.2941, configuredWeight: 0.25, points: 14.71 },
      { name: 'sla', value: null, subscore: null, weight: 0, configuredWeight: 0.15, points: 0 },
    ]);
    expect(stored?.support_score).toBe(32.36);
    expect(stored?.overall_score).toBe(48.94); // 0.6 × 60 + 0.4 × 32.36
    // No tickets, no base score: the support score alone.
    expect(await row(empty, '2026-03-15')).toMatchObject({ support_score: 100, overall_score: 100 });
  });

  it('answers the current explanation and the kept days', async () => {
    await recomputeHealth(deps.db, [acme], ago(1));
    const answer = await getCustomerHealth(deps, acme, 30, AS_OF);
    expect(answer.current).toMatchObject({ date: '2026-03-15', overall: 48.94, support: 32.36, base: 60, supportWeight: 0.4 });
    expect(answer.current.signals).toHaveLength(4);
    expect(answer.daily.map((d) => d.date)).toEqual(['2026-03-14', '2026-03-15']);
    await expect(getCustomerHealth(deps, '00000000-0000-4000-8000-000000000000', 30, AS_OF)).rejects.toMatchObject({ code: 'not_found' });
  });

});
