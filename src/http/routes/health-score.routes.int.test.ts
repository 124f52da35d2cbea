/** /api/health/weights (roles, validation, recompute on PUT) and GET /api/customers/:id/health. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { DAY, insertConnection, insertCustomer, insertTicket } from '../../modules/metrics/metrics-test-data.ts';
import { utcDay } from '../../modules/metrics/metrics.service.ts';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import type { Role } from '../../modules/users/users.repo.ts';
import { createTestDeps } from '../../test-deps.ts';
import { buildApp } from '../app.ts';

describe('health score API', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys = {} as Record<Role, string>;
  let acme: string;
  let other: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    for (const role of ['admin', 'leader', 'csm'] as const) {
      const user = await createUser(deps.db, { email: `${role}@cscx.test`, name: role, role, password: null });
      keys[role] = (await createApiKey(deps.db, user.id, 't')).key;
    }
    acme = await insertCustomer(deps.db, 'Acme');
    other = await insertCustomer(deps.db, 'Other');
    await deps.db.query(`UPDATE customers SET base_health_score = 50 WHERE id = $1`, [acme]);
    const conn = await insertConnection(deps.db, 'acme');
    const now = Date.now();
    await insertTicket(deps.db, {
      connectionId: conn, zendeskTicketId: 1, customerId: acme, status: 'solved', created: new Date(now - 10 * DAY), resolvedAt: new Date(now - 8 * DAY), rating: 'bad',
      events: [['created', 'open', new Date(now - 10 * DAY)], ['solved', 'solved', new Date(now - 8 * DAY)], ['rated', 'bad', new Date(now - 7 * DAY)]],
    });
    // A day kept from before.
    await deps.db.query(
      `INSERT INTO customer_health_daily (customer_id, day, support_score, overall_score, base_score, support_weight, explanation)
       VALUES ($1, $2, 70, 60, 50, 0.4, '{"signals": []}')`,
      [acme, utcDay(new Date(now - 2 * DAY))],
    );
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const get = (url: string, role: Role = 'csm') => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${keys[role]}` } });
  const put = (payload: unknown, role: Role = 'admin') =>
    app.inject({ method: 'PUT', url: '/api/health/weights', payload: payload as object, headers: { authorization: `Bearer ${keys[role]}` } });
  const valid = { openTickets: 0.25, escalations: 0.25, csat: 0.5, sla: 0, supportComponent: 0.5 };

  it('answers the default weights to admins and leaders, not to CSMs', async () => {
    const response = await get('/api/health/weights', 'leader');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ openTickets: 0.3, escalations: 0.3, csat: 0.25, sla: 0.15, supportComponent: 0.4 });
    expect((await get('/api/health/weights', 'csm')).statusCode).toBe(403);
  });

  it('answers the current explanation and the kept days; 404 and 400', async () => {
    const response = await get(`/api/customers/${acme}/health?days=90`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    // Open 0 → 100, no escalations → 100, CSAT 0 → 0, no SLA: each 0.3 / 0.85 × 100 = 35.29 points; the score is their sum.
    expect(body.current).toMatchObject({ date: utcDay(new Date()), support: 70.58, base: 50, supportWeight: 0.4, overall: 58.23 });
    expect(body.current.signals.map((s: { name: string; points: number }) => [s.name, s.points])).toEqual([
      ['openTickets', 35.29], ['escalations', 35.29], ['csat', 0], ['sla', 0],
    ]);
    expect(body.daily).toEqual([
      { date: utcDay(new Date(Date.now() - 2 * DAY)), overall: 60, support: 70 },
      { date: utcDay(new Date()), overall: 58.23, support: 70.58 },
    ]);
    expect((await get(`/api/customers/${acme}/health`)).statusCode).toBe(200);
    expect((await get(`/api/customers/${acme}/health?days=7`)).statusCode).toBe(400);
    expect((await get('/api/customers/not-a-uuid/health')).statusCode).toBe(400);
    expect((await get('/api/customers/00000000-0000-4000-8000-000000000000/health')).statusCode).toBe(404);
  });

  it('validates new weights, naming the field', async () => {
    const sum = await put({ ...valid, csat: 0.4 });
    expect(sum.statusCode).toBe(400);
    expect(sum.json().error.message).toMatch(/must sum to 1 \(they sum to 0\.9\)/);
    const range = await put({ ...valid, supportComponent: 1.5 });
    expect(range.statusCode).toBe(400);
    expect(range.json().error.message).toBe('body.supportComponent: must be from 0 to 1');
    const missing = await put({ openTickets: 1, escalations: 0, csat: 0 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/^body\.sla: /);
    expect((await put({ ...valid, extra: 1 })).statusCode).toBe(400);
    expect((await put({ ...valid, openTickets: 0.2505, escalations: 0.2499 })).statusCode).toBe(200); // within 0.001
    expect((await put(valid, 'csm')).statusCode).toBe(403);
    expect((await put(valid, 'leader')).statusCode).toBe(403);
  });

  it("stores new weights and recomputes today's scores of every customer", async () => {
    const response = await put(valid);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ weights: valid, recomputed: 2 });
    expect((await get('/api/health/weights', 'admin')).json()).toEqual(valid);
    const { rows } = await deps.db.query<{ customer_id: string; support_score: number; overall_score: number }>(
      `SELECT customer_id, support_score::float8 AS support_score, overall_score::float8 AS overall_score FROM customer_health_daily WHERE day = $1`,
      [utcDay(new Date())],
    );
    // Acme: (0.25·100 + 0.25·100 + 0.5·0) / 1 = 50; overall 0.5·50 + 0.5·50 = 50.
    expect(rows.find((r) => r.customer_id === acme)).toMatchObject({ support_score: 50, overall_score: 50 });
    expect(rows.find((r) => r.customer_id === other)).toMatchObject({ support_score: 100, overall_score: 100 });
  });
});
