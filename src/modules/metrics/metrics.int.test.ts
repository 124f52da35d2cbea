/**
 * Support metrics on hand-built tickets: each definition with its edge cases (deleted, reopened,
 * rating changes, SLA stages, window boundaries, re-matched tickets), the daily backfill on chosen
 * days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { DAY, HOUR, insertConnection, insertCustomer, insertTicket } from './metrics-test-data.ts';
import { backfillDailyMetrics, completeDailyMetrics, computeCustomerMetrics, getCustomerMetrics, HISTORY_DAYS, recomputeCustomerMetrics } from './metrics.service.ts';

const AS_OF = new Date('2026-03-15T12:00:00Z');
const ago = (days: number, ms = 0) => new Date(AS_OF.getTime() - days * DAY - ms);
const at = (iso: string) => new Date(`${iso}Z`);

describe('metrics', () => {
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
    const db = deps.db;
    const t = (id: number, spec: Omit<Parameters<typeof insertTicket>[1], 'connectionId' | 'zendeskTicketId' | 'customerId'>) =>
      insertTicket(db, { connectionId: conn, zendeskTicketId: id, customerId: acme, ...spec });
    // Open, each priority once (t11 below is the low one).
    await t(1, {
      status: 'open', priority: 'urgent', created: ago(10),
      events: [['created', 'open', ago(10)], ['escalated', 'urgent', ago(10)], ['escalated', 'urgent', ago(2)]],
      sla: [{ metric: 'first_reply_time', stage: 'achieved', breach_at: ago(9).toISOString() }, { metric: 'next_reply_time', stage: 'active', breach_at: ago(0, HOUR).toISOString() }],
    });
    await t(2, {
      status: 'pending', priority: 'high', created: ago(50),
      // Escalated long ago, de-escalated, escalated again in the window: first escalated before the window, so out (not re-counted).
      events: [['created', 'open', ago(50)], ['escalated', 'high', ago(40)], ['deescalated', 'high', ago(35)], ['escalated', 'high', ago(5)]],
      sla: [{ metric: 'next_reply_time', stage: 'active', breach_at: new Date(AS_OF.getTime() + 2 * HOUR).toISOString() }],
    });
    await t(3, {
      status: 'hold', priority: null, created: ago(40),
      events: [['created', 'new', ago(40)], ['escalated', null, ago(30)]], // exactly at the window's start: in
      sla: [{ metric: 'periodic_update_time', stage: 'paused', breach_at: ago(1).toISOString() }, 'not an object'],
    });
    await t(4, {
      status: 'new', priority: 'normal', created: ago(40),
      events: [['created', 'new', ago(40)], ['escalated', 'normal', ago(30, 1000)]], // a second before the window: out
      sla: [{ metric: 'requester_wait_time', stage: 'paused', breach_at: null }],
    });
    // Deleted: out of everything.
    await t(5, {
      status: 'deleted', priority: 'urgent', created: ago(6), resolvedAt: ago(5), fullResolutionMinutes: 60, rating: 'good',
      events: [['created', 'open', ago(6)], ['escalated', 'urgent', ago(5)], ['rated', 'good', ago(4)]],
      sla: [{ metric: 'first_reply_time', stage: 'active', breach_at: ago(3).toISOString() }],
    });
    // Solved in the 30-day window (Zendesk's minutes are used as they are).
    await t(6, {
      status: 'solved', created: ago(6), resolvedAt: ago(5), fullResolutionMinutes: 600, rating: 'good',
      events: [['created', 'open', ago(6)], ['solved', 'solved', ago(5)], ['rated', 'good', ago(4)]],
      sla: [{ metric: 'first_reply_time', stage: 'achieved', breach_at: ago(5).toISOString() }],
    });
    await t(7, {
      status: 'closed', created: ago(21), resolvedAt: ago(20), fullResolutionMinutes: 1200, rating: 'bad',
      // Rated good, then changed to bad: the latest counts.
      events: [['created', 'open', ago(21)], ['solved', 'solved', ago(20)], ['rated', 'good', ago(15)], ['rated', 'bad', ago(3)]],
    });
    await t(8, {
      status: 'solved', created: ago(62), resolvedAt: ago(60), fullResolutionMinutes: 3000, rating: 'good',
      events: [['created', 'open', ago(62)], ['solved', 'solved', ago(60)], ['rated', 'good', ago(89)]],
    });
    await t(9, { status: 'solved', created: ago(31), resolvedAt: ago(30), fullResolutionMinutes: 120, events: [['created', 'open', ago(31)], ['solved', 'solved', ago(30)]] });
    await t(10, {
      status: 'solved', created: ago(31), resolvedAt: ago(30, 1000), fullResolutionMinutes: 240, rating: 'bad',
      events: [['created', 'open', ago(31)], ['solved', 'solved', ago(30, 1000)], ['rated', 'bad', ago(91)]],
    });
    // Reopened and unsolved: open, out of resolution times.
    await t(11, {
      status: 'open', priority: 'low', created: ago(4), resolvedAt: ago(3), fullResolutionMinutes: 100,
      events: [['created', 'open', ago(4)], ['solved', 'solved', ago(3)], ['reopened', 'open', ago(2)]],
    });
    // Reopened and solved again: full resolution runs to the latest solve.
    await t(12, {
      status: 'solved', created: ago(5), resolvedAt: ago(2), fullResolutionMinutes: 4320, rating: 'good',
      events: [['created', 'open', ago(5)], ['solved', 'solved', ago(4)], ['reopened', 'open', ago(3)], ['solved', 'solved', ago(2)], ['rated', 'good', ago(1)]],
    });
    // No Zendesk number: creation to solve (6 h).
    await t(13, { status: 'solved', created: ago(1, 6 * HOUR), resolvedAt: ago(1), events: [['created', 'open', ago(1, 6 * HOUR)], ['solved', 'solved', ago(1)]] });
    // Merged into another ticket (closed by the merge, tag closed_by_merge): no resolution, no escalation, no SLA target.
    // Every figure below is what it would be without this ticket.
    await t(14, {
      status: 'closed', priority: 'urgent', created: ago(3), resolvedAt: ago(2), fullResolutionMinutes: 1440, tags: ['closed_by_merge'],
      events: [['created', 'open', ago(3)], ['escalated', 'urgent', ago(3)], ['status_changed', 'closed', ago(2), 'open'], ['solved', 'closed', ago(2), 'open']],
      sla: [{ metric: 'first_reply_time', stage: 'active', breach_at: ago(2, HOUR).toISOString() }],
    });
  });
  afterAll(async () => {
    await destroy?.();
  });

  it('counts open tickets (new, open, pending, hold) by priority, deleted and reopened-solved handled', async () => {
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    expect(m.openTickets).toBe(5);
    expect(m.openByPriority).toEqual({ urgent: 1, high: 1, normal: 1, low: 1, none: 1 });
  });

  it('averages resolution hours over the latest solves in the trailing 30 and 90 days', async () => {
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    // 30 days: 10, 20, 2 (exactly at the start), 72 (re-solved), 6 (fallback); 4 h a second too early.
    expect(m.resolved30d).toBe(5);
    expect(m.avgResolutionHours).toBeCloseTo(22, 9);
    expect(m.medianResolutionHours).toBeCloseTo(10, 9);
    // 90 days: + 50 and 4.
    expect(m.resolved90d).toBe(7);
    expect(m.avgResolutionHours90d).toBeCloseTo(164 / 7, 9);
    expect(m.medianResolutionHours90d).toBeCloseTo(10, 9);
  });

  it('counts escalated tickets once each, by their first escalation in the trailing 30 days', async () => {
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    expect(m.escalations30d).toBe(2); // t1 (twice, once), t3 (boundary); not t2 (first escalated 40 days ago), not t4, not deleted t5
  });

  it('takes CSAT from the latest rating of each ticket in the trailing 90 days', async () => {
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    // t6 good, t7 good -> bad, t8 good (89 days), t12 good; t10 (91 days) and deleted t5 out.
    expect(m.csatRatings).toBe(4);
    expect(m.csat).toBeCloseTo(0.75, 9);
  });

  it('takes SLA compliance over achieved and breached targets, in-progress excluded', async () => {
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    // achieved: t1, t6; breached: t1 (active, past due), t3 (paused, past due); t2 due later, t4 no deadline, t5 deleted.
    expect(m.slaMeasured).toBe(4);
    expect(m.slaCompliance).toBeCloseTo(0.5, 9);
  });

  it('answers null, not zero, for a customer without tickets', async () => {
    const m = await computeCustomerMetrics(deps.db, empty, AS_OF);
    expect(m).toMatchObject({
      openTickets: 0, avgResolutionHours: null, medianResolutionHours: null, resolved30d: 0, escalations30d: 0,
      csat: null, csatRatings: 0, slaCompliance: null, slaMeasured: 0,
    });
  });

  describe('daily backfill', () => {
    let hist: string;
    const NOW = at('2026-03-15T12:00:00');
    type Row = Record<string, unknown> & { metric_date: string };
    let rows: Map<string, Row>;

    beforeAll(async () => {
      hist = await insertCustomer(deps.db, 'History');
      const t = (id: number, spec: Omit<Parameters<typeof insertTicket>[1], 'connectionId' | 'zendeskTicketId' | 'customerId'>) =>
        insertTicket(deps.db, { connectionId: conn, zendeskTicketId: id, customerId: hist, ...spec });
      // Solved 03-05, reopened 03-08, solved again 03-10 (Zendesk: 194 h to the latest solve); rated good then bad; SLA breached 03-12.
      await t(20, {
        status: 'solved', created: at('2026-03-02T10:00:00'), resolvedAt: at('2026-03-10T12:00:00'), fullResolutionMinutes: 194 * 60, rating: 'bad',
        sla: [{ metric: 'next_reply_time', stage: 'active', breach_at: '2026-03-12T06:00:00Z' }],
        events: [
          ['created', 'new', at('2026-03-02T10:00:00')],
          ['escalated', 'high', at('2026-03-02T11:00:00')],
          ['status_changed', 'open', at('2026-03-03T09:00:00'), 'new'],
          ['status_changed', 'solved', at('2026-03-05T12:00:00'), 'open'],
          ['solved', 'solved', at('2026-03-05T12:00:00'), 'open'],
          ['rated', 'good', at('2026-03-06T08:00:00')],
          ['status_changed', 'open', at('2026-03-08T09:00:00'), 'solved'],
          ['reopened', 'open', at('2026-03-08T09:00:00'), 'solved'],
          ['status_changed', 'solved', at('2026-03-10T12:00:00'), 'open'],
          ['solved', 'solved', at('2026-03-10T12:00:00'), 'open'],
          ['rated', 'bad', at('2026-03-11T08:00:00'), 'good'],
        ],
      });
      // First seen already solved (import): open from creation to its solve; no Zendesk number (288 h).
      await t(21, {
        status: 'solved', created: at('2026-02-20T00:00:00'), resolvedAt: at('2026-03-04T00:00:00'),
        sla: [{ metric: 'first_reply_time', stage: 'achieved', breach_at: '2026-02-21T00:00:00Z' }],
        events: [['created', 'solved', at('2026-02-20T00:00:00')], ['solved', 'solved', at('2026-03-04T00:00:00')]],
      });
      // Escalated and closed on 02-01: in the 30-day windows of days up to 03-02.
      await t(22, {
        status: 'closed', created: at('2026-02-01T00:00:00'), resolvedAt: at('2026-02-01T01:00:00'), fullResolutionMinutes: 60,
        events: [
          ['created', 'new', at('2026-02-01T00:00:00')],
          ['escalated', 'urgent', at('2026-02-01T00:00:00')],
          ['status_changed', 'closed', at('2026-02-01T01:00:00'), 'new'],
          ['solved', 'closed', at('2026-02-01T01:00:00'), 'new'],
        ],
      });
      // Deleted: never counted, even on days before it was deleted.
      await t(23, { status: 'deleted', created: at('2026-03-01T00:00:00'), events: [['created', 'open', at('2026-03-01T00:00:00')], ['escalated', 'urgent', at('2026-03-01T00:00:00')]] });

      await backfillDailyMetrics(deps.db, [hist], '2026-03-01', '2026-03-15', { now: NOW });
      const { rows: list } = await deps.db.query<Row>(
        `SELECT metric_date::text AS metric_date, open_tickets, escalations, avg_resolution_hours::float8 AS avg, median_resolution_hours::float8 AS median,
                resolved_30d, avg_resolution_hours_90d::float8 AS avg90, resolved_90d, csat_score::float8 AS csat, csat_ratings, sla_compliance::float8 AS sla
           FROM zendesk_metrics WHERE customer_id = $1 ORDER BY metric_date`,
        [hist],
      );
      rows = new Map(list.map((row) => [row.metric_date, row]));
    });

    const day = (date: string) => {
      const row = rows.get(date);
      if (!row) throw new Error(`no row for ${date}`);
      return row;
    };

    it('writes one row per day, today included', () => {
      expect([...rows.keys()]).toHaveLength(15);
      expect(rows.has('2026-03-15')).toBe(true);
    });

    it('rebuilds open tickets at the end of each day from status events', () => {
      const open = (date: string) => day(date).open_tickets;
      expect(open('2026-03-01')).toBe(1); // t21 (first seen solved: open until its solve)
      expect(open('2026-03-02')).toBe(2);
      expect(open('2026-03-04')).toBe(1); // t21 solved at 03-04 00:00
      expect(open('2026-03-05')).toBe(0);
      expect(open('2026-03-08')).toBe(1); // reopened
      expect(open('2026-03-10')).toBe(0);
      expect(open('2026-03-14')).toBe(0);
    });

    it('rebuilds resolution times over the solves standing at the end of each day', () => {
      expect(day('2026-03-01')).toMatchObject({ resolved_30d: 1, avg: 1 }); // t22, 28 days back
      expect(day('2026-03-02')).toMatchObject({ resolved_30d: 1, avg: 1 }); // 29 days back: last day in
      expect(day('2026-03-03')).toMatchObject({ resolved_30d: 0, avg: null, median: null, resolved_90d: 1, avg90: 1 });
      expect(day('2026-03-04')).toMatchObject({ resolved_30d: 1, avg: 288 });
      expect(day('2026-03-06')).toMatchObject({ resolved_30d: 2, avg: (288 + 74) / 2, median: (288 + 74) / 2 }); // first solve: 74 h
      expect(day('2026-03-08')).toMatchObject({ resolved_30d: 1, avg: 288 }); // reopened: out
      expect(day('2026-03-10')).toMatchObject({ resolved_30d: 2, avg: (288 + 194) / 2 }); // Zendesk's number for the latest solve
    });

    it('counts escalations in each day’s trailing 30 days', () => {
      expect(day('2026-03-01').escalations).toBe(1); // t22 (deleted t23 not)
      expect(day('2026-03-02').escalations).toBe(2);
      expect(day('2026-03-03').escalations).toBe(1);
      expect(day('2026-03-14').escalations).toBe(1);
    });

    it('takes each day’s latest ratings: none is null, all bad is zero', () => {
      expect(day('2026-03-05')).toMatchObject({ csat: null, csat_ratings: 0 });
      expect(day('2026-03-06')).toMatchObject({ csat: 1, csat_ratings: 1 });
      expect(day('2026-03-11')).toMatchObject({ csat: 0, csat_ratings: 1 });
    });

    it('counts SLA targets by outcome time: met at the solve (no reply time known), breached at breach_at', () => {
      // t21's first reply target was met; its snapshot has no time, so it is dated at the solve (03-04).
      expect(day('2026-03-03').sla).toBeNull();
      expect(day('2026-03-04').sla).toBe(1);
      expect(day('2026-03-11').sla).toBe(1);
      expect(day('2026-03-12').sla).toBe(0.5);
    });

    it('agrees with the live computation at the end of a day', async () => {
      const live = await computeCustomerMetrics(deps.db, hist, at('2026-03-14T00:00:00'));
      const row = day('2026-03-13');
      expect(live).toMatchObject({
        openTickets: row.open_tickets, escalations30d: row.escalations, avgResolutionHours: row.avg, resolved30d: row.resolved_30d,
        csat: row.csat, csatRatings: row.csat_ratings,
      });
    });
  });

  it('answers the same daily figures before and after the history is stored, and storing is not the answer’s doing', async () => {
    const quiet = await insertCustomer(deps.db, 'Quiet');
    await insertTicket(deps.db, {
      connectionId: conn, zendeskTicketId: 40, customerId: quiet, status: 'solved', created: at('2026-03-03T10:00:00'), resolvedAt: at('2026-03-04T10:00:00'),
      rating: 'good', events: [['created', 'new', at('2026-03-03T10:00:00')], ['solved', 'solved', at('2026-03-04T10:00:00'), 'new'], ['rated', 'good', at('2026-03-05T10:00:00')]],
    });
    const stored = async () => (await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM zendesk_metrics WHERE customer_id = $1', [quiet])).rows[0]!.n;
    const now = at('2026-03-15T12:00:00');
    const before = await getCustomerMetrics(deps, quiet, 30, now);
    expect(await stored()).toBe(0);
    expect(before.daily).toHaveLength(30);
    expect(before.window).toEqual({ from: '2026-02-14', to: '2026-03-15', days: 30 });
    expect(before.asOf).toBe(now.toISOString());
    expect(before.daily.find((d) => d.date === '2026-03-05')).toMatchObject({ csat: 1, csatRatings: 1, resolved30d: 1 });

    await completeDailyMetrics(deps.db, [quiet], now);
    await recomputeCustomerMetrics(deps.db, [quiet], now);
    expect(await stored()).toBe(HISTORY_DAYS + 1);
    expect(await getCustomerMetrics(deps, quiet, 30, now)).toEqual(before);
  });
});
