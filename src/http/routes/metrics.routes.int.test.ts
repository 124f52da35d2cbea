/** GET /api/integrations/zendesk/metrics/:customerId: shape, daily series, errors. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { DAY, insertConnection, insertCustomer, insertTicket } from '../../modules/metrics/metrics-test-data.ts';
import { utcDay } from '../../modules/metrics/metrics.service.ts';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import { createTestDeps } from '../../test-deps.ts';
import { buildApp } from '../app.ts';

const BASE = '/api/integrations/zendesk/metrics';

describe('metrics API', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let key: string;
  let customerId: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const leader = await createUser(deps.db, { email: 'lead@cscx.test', name: 'Lee Leader', role: 'leader', password: null });
    key = (await createApiKey(deps.db, leader.id, 't')).key;
    customerId = await insertCustomer(deps.db, 'Acme');
    const conn = await insertConnection(deps.db, 'acme');
    const now = Date.now();
    await insertTicket(deps.db, {
      connectionId: conn, zendeskTicketId: 1, customerId, status: 'open', priority: 'high', created: new Date(now - 3 * DAY),
      events: [['created', 'open', new Date(now - 3 * DAY)]],
    });
    await insertTicket(deps.db, {
      connectionId: conn, zendeskTicketId: 2, customerId, status: 'solved', created: new Date(now - 10 * DAY), resolvedAt: new Date(now - 8 * DAY),
      fullResolutionMinutes: 2880, rating: 'good',
      events: [['created', 'open', new Date(now - 10 * DAY)], ['solved', 'solved', new Date(now - 8 * DAY)], ['rated', 'good', new Date(now - 7 * DAY)]],
    });
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const get = (url: string, auth = true) => app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${key}` } : {} });

  it('answers current values and one daily row per day of the range, oldest first, ending today', async () => {
    const response = await get(`${BASE}/${customerId}?days=90`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { current: Record<string, unknown>; daily: Array<Record<string, unknown> & { date: string }> };
    expect(body.current).toMatchObject({
      openTickets: 1, openByPriority: { urgent: 0, high: 1, normal: 0, low: 0, none: 0 },
      avgResolutionHours: 48, medianResolutionHours: 48, escalations30d: 0, csat: 1, csatRatings: 1, slaCompliance: null,
    });
    expect(body.daily).toHaveLength(90);
    expect(body.daily.at(-1)?.date).toBe(utcDay(new Date()));
    // The answer says its window and when it was computed.
    const { asOf, window } = response.json() as { asOf: string; window: { from: string; to: string; days: number } };
    expect(window).toEqual({ from: body.daily[0]!.date, to: utcDay(new Date()), days: 90 });
    expect(Math.abs(Date.parse(asOf) - Date.now())).toBeLessThan(60_000);
    expect(body.daily.map((d) => d.date)).toEqual([...body.daily.map((d) => d.date)].sort());
    expect(body.daily.at(-1)).toMatchObject({ openTickets: 1, csat: 1, avgResolutionHours: 48 });
    expect(body.daily[0]).toMatchObject({ openTickets: 0, csat: null, csatRatings: 0, avgResolutionHours: null });
    expect((await get(`${BASE}/${customerId}`)).json().daily).toHaveLength(30);
  });

  it('refuses a bad id or range (400), an unknown customer (404), no credentials (401)', async () => {
    expect((await get(`${BASE}/not-a-uuid`)).statusCode).toBe(400);
    expect((await get(`${BASE}/${customerId}?days=7`)).statusCode).toBe(400);
    expect((await get(`${BASE}/${customerId}?days=abc`)).statusCode).toBe(400);
    expect((await get(`${BASE}/00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
    expect((await get(`${BASE}/${customerId}`, false)).statusCode).toBe(401);
  });
});
