/**
 * The coalesced recompute of customers' aggregates: a written batch marks its customers (before
 * and after a re-match), a burst for one customer leaves one mark, the drain recomputes metrics
 * and health of the marked customers only, and a mark renewed during its recompute or left by a
 * failed recompute survives. The recompute, not a read, completes the daily history, and the daily
 * roll-over marks the customers whose rows of the new day do not exist yet.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/db.ts';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { HOUR, insertConnection, insertCustomer, insertTicket } from '../metrics/metrics-test-data.ts';
import type { TicketChange } from '../ingest/ticket-outbox.repo.ts';
import { HISTORY_DAYS } from '../metrics/metrics.service.ts';
import { customerRefreshEffect, pendingCustomerRefreshes, refreshPendingCustomers, requestCustomerRefresh, requestRollOverRefresh } from './customer-refresh.ts';

describe('customer aggregates refresh', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let conn: string;
  let from: string;
  let to: string;
  let bystander: string;
  let created: Date;

  const todayMetrics = async (customerId: string) =>
    (await deps.db.query<{ open_tickets: number }>(
      `SELECT open_tickets FROM zendesk_metrics WHERE customer_id = $1 AND metric_date = (now() AT TIME ZONE 'UTC')::date`,
      [customerId],
    )).rows[0]?.open_tickets;
  const todayHealth = async (customerId: string) =>
    (await deps.db.query(`SELECT 1 FROM customer_health_daily WHERE customer_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date`, [customerId])).rows.length;
  const change = (tickets: Array<{ previousCustomerId: string | null; customerId: string | null }>) =>
    ({ connectionId: conn, source: 'webhook', tickets: tickets.map((t, i) => ({ zendeskTicketId: i + 1, ...t })) }) as unknown as TicketChange;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    conn = await insertConnection(deps.db, 'acme');
    from = await insertCustomer(deps.db, 'From');
    to = await insertCustomer(deps.db, 'To');
    bystander = await insertCustomer(deps.db, 'Bystander');
    created = new Date(Date.now() - HOUR);
    await insertTicket(deps.db, { connectionId: conn, zendeskTicketId: 1, customerId: to, status: 'open', created, events: [['created', 'open', created]] });
    await insertTicket(deps.db, { connectionId: conn, zendeskTicketId: 2, customerId: bystander, status: 'open', created, events: [['created', 'open', created]] });
  });
  afterAll(async () => destroy?.());
  beforeEach(async () => {
    await deps.db.query('DELETE FROM customer_refresh_requests');
    await deps.db.query('DELETE FROM zendesk_metrics');
    await deps.db.query('DELETE FROM customer_health_daily');
  });

  it('keeps the earliest day a history rebuild is asked from, whatever marks follow', async () => {
    const historyFrom = async () =>
      (await deps.db.query<{ d: string | null }>(`SELECT to_char(history_from, 'YYYY-MM-DD') AS d FROM customer_refresh_requests WHERE customer_id = $1`, [to])).rows[0]?.d;
    await requestCustomerRefresh(deps.db, [to]);
    expect(await historyFrom()).toBeNull();
    await requestCustomerRefresh(deps.db, [to], '2026-10-05');
    await requestCustomerRefresh(deps.db, [to], '2026-11-01');
    await requestCustomerRefresh(deps.db, [to]);
    expect(await historyFrom()).toBe('2026-10-05');
    await requestCustomerRefresh(deps.db, [to], '2026-09-30');
    expect(await historyFrom()).toBe('2026-09-30');
    expect(await refreshPendingCustomers(deps.db)).toBe(1);
    expect(await pendingCustomerRefreshes(deps.db)).toBe(0);
  });

  it('marks both customers of a re-matched ticket, and recomputes only them', async () => {
    await customerRefreshEffect(deps.db, change([{ previousCustomerId: from, customerId: to }, { previousCustomerId: null, customerId: null }]));
    expect(await pendingCustomerRefreshes(deps.db)).toBe(2);

    expect(await refreshPendingCustomers(deps.db)).toBe(2);
    expect(await todayMetrics(from)).toBe(0);
    expect(await todayMetrics(to)).toBe(1);
    expect(await todayHealth(from)).toBe(1);
    expect(await todayHealth(to)).toBe(1);
    expect(await todayMetrics(bystander)).toBeUndefined();
    expect(await pendingCustomerRefreshes(deps.db)).toBe(0);
  });

  it('coalesces a burst for one customer into one recompute', async () => {
    for (let i = 0; i < 50; i++) await customerRefreshEffect(deps.db, change([{ previousCustomerId: null, customerId: to }]));
    expect(await pendingCustomerRefreshes(deps.db)).toBe(1);
    expect(await refreshPendingCustomers(deps.db)).toBe(1);
  });

  it('ignores customers that no longer exist', async () => {
    await requestCustomerRefresh(deps.db, ['00000000-0000-4000-8000-000000000000', to]);
    expect(await pendingCustomerRefreshes(deps.db)).toBe(1);
  });

  it('keeps a mark renewed while its recompute ran, and recomputes it again', async () => {
    await requestCustomerRefresh(deps.db, [to]);
    // A change arrives between the recompute and the removal of its mark.
    let renewed = false;
    const racing: Db = {
      ...deps.db,
      query: async (text, params) => {
        if (!renewed && text.startsWith('DELETE FROM customer_refresh_requests')) {
          renewed = true;
          await requestCustomerRefresh(deps.db, [to]);
        }
        return deps.db.query(text, params);
      },
    } as Db;
    expect(await refreshPendingCustomers(racing, { maxBatches: 1 })).toBe(1);
    expect(await pendingCustomerRefreshes(deps.db)).toBe(1);
    expect(await refreshPendingCustomers(deps.db)).toBe(1);
    expect(await pendingCustomerRefreshes(deps.db)).toBe(0);
  });

  it('keeps the marks when the recompute fails', async () => {
    await requestCustomerRefresh(deps.db, [from, to]);
    const failing: Db = {
      ...deps.db,
      query: async (text, params) => {
        if (text.includes('customer_health_daily')) throw new Error('health write failed');
        return deps.db.query(text, params);
      },
    } as Db;
    await expect(refreshPendingCustomers(failing)).rejects.toThrow('health write failed');
    expect(await pendingCustomerRefreshes(deps.db)).toBe(2);
  });

  it('completes the daily history when data arrives: a year of rows on the first recompute, then only what a quiet day left out', async () => {
    const storedDays = async (customerId: string) =>
      (await deps.db.query<{ n: number; first: string }>(`SELECT count(*)::int AS n, min(metric_date)::text AS first FROM zendesk_metrics WHERE customer_id = $1`, [customerId])).rows[0]!;
    const now = new Date();
    await requestCustomerRefresh(deps.db, [to]);
    await refreshPendingCustomers(deps.db, { now: () => now });
    // HISTORY_DAYS days before today, and today.
    expect(await storedDays(to)).toMatchObject({ n: HISTORY_DAYS + 1 });
    // The ticket was created about an hour ago: at the end of yesterday it was open only if that hour was still yesterday.
    const yesterday = new Date(now.getTime() - 24 * HOUR).toISOString().slice(0, 10);
    const { rows } = await deps.db.query<{ open_tickets: number }>(`SELECT open_tickets FROM zendesk_metrics WHERE customer_id = $1 AND metric_date = $2::date`, [to, yesterday]);
    expect(rows[0]?.open_tickets).toBe(new Date(created.getTime()).toISOString().slice(0, 10) === yesterday ? 1 : 0);
    expect(await todayMetrics(to)).toBe(1);

    // Two days later without any change: the roll-over marks the customer, and the recompute fills the two missing days.
    const later = new Date(now.getTime() + 48 * HOUR);
    expect(await requestRollOverRefresh(deps.db, later)).toBe(3);
    await refreshPendingCustomers(deps.db, { now: () => later });
    const after = await storedDays(to);
    expect(after.n).toBe(HISTORY_DAYS + 1 + 2);
    // Nothing left to roll over for that day.
    expect(await requestRollOverRefresh(deps.db, later)).toBe(0);
  });
});
