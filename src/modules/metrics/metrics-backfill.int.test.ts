/** A year's backfill for a customer with a few thousand tickets stays one quick statement. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { insertConnection, insertCustomer } from './metrics-test-data.ts';
import { backfillDailyMetrics, utcDay } from './metrics.service.ts';

const TICKETS = 3000;

describe('metrics backfill at volume', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let customerId: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    const conn = await insertConnection(deps.db, 'acme');
    customerId = await insertCustomer(deps.db, 'Big');
    const other = await insertCustomer(deps.db, 'Other');
    // Tickets over the last 400 days; two thirds solved after 0-20 days, some rated, some escalated, some with SLAs.
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, priority, zendesk_created_at, zendesk_updated_at,
                                    resolved_at, full_resolution_minutes, satisfaction_rating, sla_policy_metrics)
       SELECT $1, n, CASE WHEN n % 10 = 0 THEN $3::uuid ELSE $2::uuid END,
              CASE WHEN n % 3 = 0 THEN 'open' ELSE 'solved' END, (ARRAY['urgent','high','normal','low'])[n % 4 + 1],
              now() - (n % 400) * interval '1 day', now(),
              CASE WHEN n % 3 <> 0 THEN now() - (n % 400) * interval '1 day' + (n % 20) * interval '1 day' END,
              CASE WHEN n % 3 <> 0 THEN (n % 20) * 1440 END,
              CASE WHEN n % 5 = 1 THEN 'good' WHEN n % 5 = 2 THEN 'bad' END,
              CASE WHEN n % 2 = 0 THEN jsonb_build_array(jsonb_build_object('metric', 'first_reply_time', 'stage', CASE WHEN n % 4 = 0 THEN 'achieved' ELSE 'active' END,
                                                                            'breach_at', to_char(now() - (n % 400) * interval '1 day' + interval '8 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))) END
         FROM generate_series(1, ${TICKETS}) n`,
      [conn, customerId, other],
    );
    await deps.db.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, from_value, to_value, occurred_at, source)
       SELECT connection_id, zendesk_ticket_id, 'created', NULL, 'new', zendesk_created_at, 'import' FROM zendesk_tickets
       UNION ALL
       SELECT connection_id, zendesk_ticket_id, 'status_changed', 'new', status, resolved_at, 'import' FROM zendesk_tickets WHERE resolved_at IS NOT NULL
       UNION ALL
       SELECT connection_id, zendesk_ticket_id, 'solved', 'new', status, resolved_at, 'import' FROM zendesk_tickets WHERE resolved_at IS NOT NULL
       UNION ALL
       SELECT connection_id, zendesk_ticket_id, 'rated', NULL, satisfaction_rating, resolved_at + interval '1 day', 'import' FROM zendesk_tickets
        WHERE satisfaction_rating IS NOT NULL AND resolved_at IS NOT NULL
       UNION ALL
       SELECT connection_id, zendesk_ticket_id, 'escalated', NULL, priority, zendesk_created_at, 'import' FROM zendesk_tickets WHERE priority = 'urgent'`,
    );
    await deps.db.exec('ANALYZE zendesk_tickets; ANALYZE zendesk_ticket_events');
  });
  afterAll(async () => {
    await destroy?.();
  });

  it('backfills 365 days', async () => {
    const now = new Date();
    const from = utcDay(new Date(now.getTime() - 364 * 86_400_000));
    const started = performance.now();
    await backfillDailyMetrics(deps.db, [customerId], from, utcDay(now), { now });
    const ms = performance.now() - started;
    console.log(`365-day backfill of ${TICKETS * 0.9} tickets on ${deps.db.engine}: ${Math.round(ms)} ms`);
    const { rows } = await deps.db.query<{ n: number; open: number }>(
      `SELECT count(*)::int AS n, max(open_tickets)::int AS open FROM zendesk_metrics WHERE customer_id = $1`,
      [customerId],
    );
    expect(rows[0]).toMatchObject({ n: 365 });
    expect(rows[0]!.open).toBeGreaterThan(0);

  });
});
