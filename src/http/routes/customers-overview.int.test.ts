/** GET /api/customers/overview and /api/customers/:id/overview: what the UI's customer list and header show. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { insertConnection, insertCustomer } from '../../modules/tickets/tickets-test-data.ts';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import { createTestDeps } from '../../test-deps.ts';
import { buildApp } from '../app.ts';

describe('customer overview API', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let csmKey: string;
  let busy: string;
  let quiet: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const csm = await createUser(deps.db, { email: 'csm@overview.test', name: 'Casey', role: 'csm', password: null });
    csmKey = (await createApiKey(deps.db, csm.id, 't')).key;
    busy = await insertCustomer(deps.db, 'Busy Co');
    quiet = await insertCustomer(deps.db, 'Quiet Co');
    await deps.db.query('UPDATE customers SET csm_id = $1, domains = $2 WHERE id = $3', [csm.id, ['busy.example'], busy]);
    const connection = await insertConnection(deps.db, 'acme');
    await deps.db.query(`INSERT INTO zendesk_sync_state (connection_id, phase, last_synced_at) VALUES ($1, 'live', '2025-06-01T10:00:00Z')`, [connection.id]);
    const ticket = (id: number, status: string, priority: string | null, escalated: boolean, updated: string) =>
      deps.db.query(
        `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, priority, escalated, zendesk_created_at, zendesk_updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, '2025-05-01T00:00:00Z', $7)`,
        [connection.id, id, busy, status, priority, escalated, updated],
      );
    await ticket(1, 'open', 'high', false, '2025-05-20T00:00:00Z');
    await ticket(2, 'pending', 'urgent', true, '2025-05-21T00:00:00Z');
    await ticket(3, 'solved', 'urgent', false, '2025-05-25T00:00:00Z');
    await ticket(4, 'new', null, false, '2025-05-22T00:00:00Z');
    const health = (day: string, overall: number) =>
      deps.db.query(`INSERT INTO customer_health_daily (customer_id, day, support_score, overall_score, base_score, support_weight, explanation) VALUES ($1, $2, 50, $3, 70, 0.4, '{}')`, [busy, day, overall]);
    await health('2025-05-20', 66);
    await health('2025-05-27', 58.5);
    await deps.db.query(`INSERT INTO zendesk_metrics (customer_id, metric_date, escalations, csat_score, csat_ratings, sla_compliance) VALUES ($1, '2025-05-27', 3, 0.75, 8, 0.9)`, [busy]);
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  it('lists every customer with open tickets by worst priority, escalations, health with its 7-day change, CSAT and last activity', async () => {
    const response = await app.inject({ url: '/api/customers/overview', headers: { authorization: `Bearer ${csmKey}` } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.asOf).toBe('2025-06-01T10:00:00.000Z');
    expect(body.connections).toEqual([{ subdomain: 'acme', status: 'active', state: 'live', lastSyncedAt: '2025-06-01T10:00:00.000Z' }]);
    expect(body.customers.map((c: { name: string }) => c.name)).toEqual(['Busy Co', 'Quiet Co']);
    expect(body.customers[0]).toMatchObject({
      id: busy,
      domains: ['busy.example'],
      csm: { name: 'Casey', email: 'csm@overview.test' },
      openTickets: 3,
      worstOpenPriority: 'urgent',
      escalatedOpen: 1,
      escalations30d: 3,
      health: { overall: 58.5, support: 50, base: 70, change7d: -7.5, date: '2025-05-27' },
      csat: 0.75,
      csatRatings: 8,
      slaCompliance: 0.9,
      lastActivityAt: '2025-05-25T00:00:00.000Z',
    });
    expect(body.customers[1]).toMatchObject({ id: quiet, openTickets: 0, worstOpenPriority: null, health: null, csat: null, lastActivityAt: null, csm: null });
  });

  it('narrows to my customers, and answers one customer with when its tickets were last received', async () => {
    const mine = await app.inject({ url: '/api/customers/overview?mine=true', headers: { authorization: `Bearer ${csmKey}` } });
    expect(mine.json().customers.map((c: { id: string }) => c.id)).toEqual([busy]);
    const one = await app.inject({ url: `/api/customers/${busy}/overview`, headers: { authorization: `Bearer ${csmKey}` } });
    expect(one.statusCode).toBe(200);
    expect(one.json().customer.openTickets).toBe(3);
    expect(typeof one.json().lastTicketSyncAt).toBe('string');
    const missing = await app.inject({ url: '/api/customers/00000000-0000-4000-8000-000000000000/overview', headers: { authorization: `Bearer ${csmKey}` } });
    expect(missing.statusCode).toBe(404);
  });
});
