/**
 * The ticket-spike rule as a setting: admins change it through the API (others may read it), bad
 * values are refused with a reason, and the next written ticket is judged by the new rule.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import type { TicketChange } from '../ingest/ticket-outbox.repo.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { raiseAlertsForChange } from './alerts.service.ts';

const HOUR = 3_600_000;

describe('alert rules as settings', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps({ ALERT_SPIKE_THRESHOLD: '5', ALERT_SPIKE_WINDOW_HOURS: '24' }));
    app = await buildApp(deps);
    for (const [name, role] of [['admin', 'admin'], ['csm', 'csm']] as const) {
      const user = await createUser(deps.db, { email: `${name}@example.com`, name, role, password: null });
      keys[name] = (await createApiKey(deps.db, user.id, 'test')).key;
    }
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const request = (who: string, method: 'GET' | 'PUT', payload?: Record<string, unknown>) =>
    app.inject({ method, url: '/api/alerts/rules', headers: { authorization: `Bearer ${keys[who]}` }, ...(payload === undefined ? {} : { payload }) });

  it('answers the server defaults until an admin sets the rule; others may read but not change it', async () => {
    expect((await request('csm', 'GET')).json().ticketSpike).toEqual({ threshold: 5, windowHours: 24 });
    expect((await request('csm', 'PUT', { ticketSpike: { threshold: 2, windowHours: 1 } })).statusCode).toBe(403);
    const refused = await request('admin', 'PUT', { ticketSpike: { threshold: 1, windowHours: 0.5 } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/threshold.*below 2/);
    expect((await request('csm', 'GET')).json().ticketSpike).toEqual({ threshold: 5, windowHours: 24 });
    const saved = await request('admin', 'PUT', { ticketSpike: { threshold: 2, windowHours: 1.5 } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().ticketSpike).toEqual({ threshold: 2, windowHours: 1.5 });
    expect((await request('csm', 'GET')).json().ticketSpike).toEqual({ threshold: 2, windowHours: 1.5 });
  });

  it('judges the next written tickets by the rule as set', async () => {
    const conn = (await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status, created_at) VALUES ('acme', 'api_token', 'active', now() - interval '2 days') RETURNING id`)).rows[0]!.id;
    const customer = (await deps.db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Spiky') RETURNING id`)).rows[0]!.id;
    const write = async (id: number, hoursAgo: number) => {
      const at = new Date(Date.now() - hoursAgo * HOUR);
      await deps.db.query(
        `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, zendesk_created_at, zendesk_updated_at) VALUES ($1, $2, $3, 'new', $4, $4)`,
        [conn, id, customer, at],
      );
      const version = { status: 'new', priority: null, escalated: false, satisfactionRating: null, createdAt: at, updatedAt: at, resolvedAt: null };
      const change = { connectionId: conn, source: 'webhook', tickets: [{ zendeskTicketId: id, customerId: customer, previousCustomerId: null, inserted: true, now: version, before: null }] };
      return raiseAlertsForChange(deps, change as unknown as TicketChange, { spikeThreshold: 5, spikeWindowMs: 24 * HOUR });
    };
    // Two tickets 2 hours apart: outside the 1.5-hour window, no spike (the server default, 5 in 24 h, would not fire either).
    expect(await write(1, 5)).toEqual([]);
    expect(await write(2, 3)).toEqual([]);
    // A third within 1.5 hours of the second: 2 in the window, a spike by the stored rule.
    expect((await write(3, 2)).map((a) => a.type)).toEqual(['ticket_spike']);
  });
});
