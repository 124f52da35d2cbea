/**
 * The ticket events stream against the emulator: after the import, the stream re-dates each
 * ticket's history at the times Zendesk's audits give, replaces the history derived from ticket
 * versions, survives a crash between pages without doubles, and leaves a customer's stored
 * metrics equal to a recomputation from that history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { createManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { backfillDailyMetrics, getCustomerMetrics } from '../metrics/metrics.service.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { createUser } from '../users/auth.service.ts';
import { runSync } from './sync.service.ts';
import { refreshPendingCustomers } from '../aggregates/customer-refresh.ts';
import { runTicketEventsStream } from './ticket-events-stream.ts';

const API_TOKEN = 'events-test-token';
const DAY_MS = 86_400_000;

describe('ticket events stream (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let connectionId: string;
  let customerId: string;

  const history = async (ticketId: number) =>
    (
      await deps.db.query<{ kind: string; from_value: string | null; to_value: string | null; occurred_at: Date; source: string }>(
        `SELECT kind, from_value, to_value, occurred_at, source FROM zendesk_ticket_events
          WHERE connection_id = $1 AND zendesk_ticket_id = $2 ORDER BY occurred_at, id`,
        [connectionId, ticketId],
      )
    ).rows;
  const streamedRows = async () =>
    (await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_ticket_events WHERE connection_id = $1 AND source = 'events'`, [connectionId])).rows[0]!.n;

  beforeAll(async () => {
    const clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, tickets: 800, users: 200, organizations: 6, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    const state = zendesk.store.state('acme')!;
    const organization = [...state.account.organizations.values()].find((org) => org.domain_names.length > 0)!;
    customerId = (
      await deps.db.query<{ id: string }>(`INSERT INTO customers (name, domains) VALUES ($1, $2) RETURNING id`, [organization.name, organization.domain_names])
    ).rows[0]!.id;
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
  });
  afterAll(async () => {
    await zendesk?.close();
    await destroy?.();
  });

  it('waits for the ticket import, then dates a ticket solved 40 days ago at its solve, not at its last update', async () => {
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('waiting');
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');

    const state = zendesk.store.state('acme')!;
    const now = Date.now();
    const ticket = [...state.account.tickets.values()].find((t) => {
      const solvedMs = state.timelines.get(t.id)?.solvedMs ?? null;
      return !t.deleted && t.status === 'closed' && solvedMs !== null && Math.abs(now - solvedMs - 40 * DAY_MS) < 3 * DAY_MS && state.timelines.get(t.id)!.reopens === 0;
    })!;
    const solvedAt = new Date(Math.floor(state.timelines.get(ticket.id)!.solvedMs! / 1000) * 1000);
    expect(Date.parse(ticket.updated_at) - solvedAt.getTime()).toBeGreaterThan(DAY_MS);

    const result = await runTicketEventsStream(deps, connectionId);
    expect(result.outcome).toBe('streamed');
    expect(result.pages).toBeGreaterThan(1);

    const rows = await history(ticket.id);
    const solved = rows.filter((row) => row.kind === 'solved');
    expect(solved).toEqual([{ kind: 'solved', from_value: expect.any(String), to_value: 'solved', occurred_at: solvedAt, source: 'events' }]);
    expect(rows.filter((row) => row.kind === 'created')).toEqual([
      { kind: 'created', from_value: null, to_value: 'new', occurred_at: new Date(ticket.created_at), source: 'events' },
    ]);
    expect(rows.find((row) => row.kind === 'status_changed' && row.to_value === 'closed')?.occurred_at.getTime()).toBeGreaterThan(solvedAt.getTime());
    // Derived history of the streamed kinds is gone for this ticket; the stream's replaced it.
    expect(rows.filter((row) => ['created', 'status_changed', 'solved', 'reopened', 'priority_changed', 'rated'].includes(row.kind) && row.source !== 'events')).toEqual([]);

    // Escalations are replayed from the audits too: the account's escalated tickets have them from the stream only.
    const escalations = await deps.db.query<{ source: string; n: number }>(
      `SELECT source, count(*)::int AS n FROM zendesk_ticket_events WHERE connection_id = $1 AND kind IN ('escalated', 'deescalated') GROUP BY source`,
      [connectionId],
    );
    expect(escalations.rows).toEqual([{ source: 'events', n: expect.any(Number) }]);
    expect(escalations.rows[0]!.n).toBeGreaterThan(0);

    // Read again from its position: nothing new, nothing doubled.
    const before = await streamedRows();
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    expect(await streamedRows()).toBe(before);
  });

  it('resumes after a crash between pages without doubles', async () => {
    const complete = await streamedRows();
    // Start over from the beginning, and crash once the first page is committed.
    await deps.db.query(`UPDATE zendesk_ticket_events_stream SET start_time = 0 WHERE connection_id = $1`, [connectionId]);
    await deps.db.query(`DELETE FROM zendesk_ticket_events WHERE connection_id = $1 AND source = 'events'`, [connectionId]);
    const crash = runTicketEventsStream(deps, connectionId, {
      onPageCommitted: () => {
        throw new Error('crash after a page');
      },
    });
    await expect(crash).rejects.toThrow('crash after a page');
    const afterCrash = await streamedRows();
    expect(afterCrash).toBeGreaterThan(0);
    expect(afterCrash).toBeLessThan(complete);
    // The first page is read again (its last second at least): the stored event ids keep it once.
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    expect(await streamedRows()).toBe(complete);
    const doubles = await deps.db.query(
      `SELECT zendesk_ticket_id FROM zendesk_ticket_events WHERE connection_id = $1 AND kind = 'created' GROUP BY zendesk_ticket_id HAVING count(*) > 1`,
      [connectionId],
    );
    expect(doubles.rows).toEqual([]);
    const escalationDoubles = await deps.db.query(
      `SELECT zendesk_ticket_id FROM zendesk_ticket_events WHERE connection_id = $1 AND kind = 'escalated' GROUP BY zendesk_ticket_id, occurred_at HAVING count(*) > 1`,
      [connectionId],
    );
    expect(escalationDoubles.rows).toEqual([]);
  });

  it("marks the customer for a rebuild, after which its stored metrics equal a recomputation from the history", async () => {
    await deps.db.query(`UPDATE zendesk_ticket_events_stream SET start_time = 0 WHERE connection_id = $1`, [connectionId]);
    await deps.db.query(`DELETE FROM customer_refresh_requests`);
    // Stored days computed from a history that the stream re-dates (stale: the refresh must rebuild them, not keep them).
    const today = new Date().toISOString().slice(0, 10);
    await backfillDailyMetrics(deps.db, [customerId], new Date(Date.now() - 89 * DAY_MS).toISOString().slice(0, 10), today, { onConflict: 'update' });
    await deps.db.query(`UPDATE zendesk_metrics SET resolved_30d = resolved_30d + 1000 WHERE customer_id = $1 AND metric_date < $2::date`, [customerId, today]);
    const run = await runTicketEventsStream(deps, connectionId);
    expect(run.marked).toBeGreaterThan(0);
    const marks = await deps.db.query<{ customer_id: string; history_from: string | null }>(
      `SELECT customer_id, to_char(history_from, 'YYYY-MM-DD') AS history_from FROM customer_refresh_requests`,
    );
    expect(marks.rows.map((row) => row.customer_id)).toEqual([customerId]);
    // The earliest day re-dated: the account's oldest events, long before today.
    expect(marks.rows[0]!.history_from! < new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)).toBe(true);
    await refreshPendingCustomers(deps.db);
    expect(await deps.db.query(`SELECT 1 FROM customer_refresh_requests`).then((r) => r.rows)).toEqual([]);
    const now = new Date();
    const answer = await getCustomerMetrics(deps, customerId, 90, now);
    expect(answer.daily.some((day) => day.resolved30d !== null && day.resolved30d > 0)).toBe(true);
    await backfillDailyMetrics(deps.db, [customerId], answer.window.from, today, { now, onConflict: 'update' });
    // Averages are summed in whatever order the database picks: equal to 1e-9.
    const rounded = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)));
    expect(rounded(await getCustomerMetrics(deps, customerId, 90, now))).toEqual(rounded(answer));
  });
});
