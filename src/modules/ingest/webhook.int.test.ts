/**
 * Real-time webhooks end to end: the emulator's trigger delivers signed requests to our listening
 * server, which stores them, acknowledges, and has the worker refresh the tickets named. Forged,
 * stale, malformed, oversized and unknown deliveries are refused with nothing stored. With
 * deliveries dropped, duplicated and reordered, one catch-up still makes the data equal Zendesk's.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/process-helpers.ts';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createJobQueue, type JobQueue } from '../../jobs/queue.ts';
import { queueSyncRequests, registerSyncWorkers } from '../../jobs/sync.jobs.ts';
import { queueCustomerRefresh, registerCustomerRefreshWorker } from '../../jobs/aggregates.jobs.ts';
import { createTestDeps } from '../../test-deps.ts';
import { ticketOutboxDrainer } from '../../ticket-outbox-effects.ts';
import { signWebhook } from '../../zendesk/webhook-signature.ts';
import { connectWithApiToken, webhookSecretFor } from '../connections/connections.service.ts';
import { createUser } from '../users/auth.service.ts';
import { differencesFromZendesk, emulatorApi } from './sync-test-helpers.ts';
import { runSync } from './sync.service.ts';

const API_TOKEN = 'webhook-test-token';

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('real-time webhooks (emulator -> our server)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let queue: JobQueue;
  let refreshWorker: { stop(): void } | undefined;
  let connectionId: string;
  let ourUrl: string;

  const zendeskApi = async (method: string, path: string, body?: unknown) => {
    const answer = await emulatorApi(zendesk, API_TOKEN)(method, path, body);
    expect(answer.status, `${method} ${path}`).toBeLessThan(300);
    return answer.body as Record<string, unknown> | null;
  };
  const ticketRow = async (id: number) =>
    (await deps.db.query<{ status: string; priority: string | null; tags: string[]; customer_id: string | null }>(`SELECT status, priority, tags, customer_id FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = $2`, [connectionId, id])).rows[0];
  const deliveryCount = async () => (await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM zendesk_webhook_deliveries')).rows[0]!.n;
  const openTickets = () => [...zendesk.store.state('acme')!.account.tickets.values()].filter((t) => !t.deleted && ['new', 'open', 'pending'].includes(t.status));

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, tickets: 300, users: 60, organizations: 6, apiToken: API_TOKEN, clock, seed: 7 });
    const port = await freePort();
    ourUrl = `http://127.0.0.1:${port}`;
    const created = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: ourUrl });
    deps = created.deps;
    destroy = created.destroy;
    queue = createJobQueue(deps.db, { schema: `pgboss_${created.testDb.schema}`, logger: deps.logger });
    await queue.start();
    deps.syncRequests = queueSyncRequests(queue);
    deps.ticketOutbox = ticketOutboxDrainer(deps, queueCustomerRefresh(queue)); // as main.ts wires it: alerts, then the coalesced aggregates
    await registerSyncWorkers(deps, queue);
    refreshWorker = await registerCustomerRefreshWorker(deps, queue);
    app = await buildApp(deps);
    await app.listen({ port, host: '127.0.0.1' });
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
  });
  afterAll(async () => {
    refreshWorker?.stop();
    await app?.close();
    await queue?.stop({ timeoutMs: 5000 });
    await zendesk?.close();
    await destroy?.();
  });

  it('starts the historical import on connect, through the queue', async () => {
    await eventually('the import to finish', async () => (await deps.db.query(`SELECT 1 FROM zendesk_sync_state WHERE connection_id = $1 AND phase = 'live'`, [connectionId])).rows.length > 0);
    expect(await differencesFromZendesk(deps.db, zendesk, 'acme', connectionId)).toEqual([]);
  });

  it('brings a change made in Zendesk into our database within seconds, through the signed trigger webhook', async () => {
    // A ticket of an organization whose domain a customer claims: it is matched when refreshed.
    const ticket = openTickets().find((t) => t.organization_id !== null && !t.tags.includes('escalated') && t.priority !== 'urgent')!;
    const organization = zendesk.store.state('acme')!.account.organizations.get(ticket.organization_id!)!;
    await deps.db.query('INSERT INTO customers (name, domains) VALUES ($1, $2)', [organization.name, organization.domain_names]);
    await zendeskApi('PUT', `/tickets/${ticket.id}`, { ticket: { priority: 'urgent', tags: ['escalated'], comment: { body: 'Escalating', public: false } } });
    const row = await eventually('the change to arrive', async () => {
      const current = await ticketRow(ticket.id);
      return current?.priority === 'urgent' ? current : undefined;
    });
    expect(row.tags).toEqual(['escalated']);
    // A delivery is marked processed once the refresh and what follows it (alerts, the mark for
    // the customer's aggregates) are done: a moment after the ticket row itself changes.
    await eventually('the deliveries to be marked processed', async () => {
      const { rows } = await deps.db.query<{ processed_at: Date | null }>('SELECT processed_at FROM zendesk_webhook_deliveries WHERE zendesk_ticket_id = $1', [ticket.id]);
      return rows.length > 0 && rows.every((r) => r.processed_at !== null);
    });
    // With the product's listeners wired, the escalation also became an alert, once.
    const alerts = await deps.db.query(`SELECT 1 FROM alerts WHERE type = 'escalation' AND zendesk_ticket_id = $1`, [ticket.id]);
    expect(alerts.rows).toHaveLength(1);
    // The customer's metrics and health are recomputed by the coalesced job: today's row counts
    // the escalation, and no mark is left behind.
    const customerId = row.customer_id;
    expect(customerId).not.toBeNull();
    await eventually('the customer metrics to count the escalation', async () => {
      const { rows } = await deps.db.query<{ escalations: number }>(
        `SELECT escalations FROM zendesk_metrics WHERE customer_id = $1 AND metric_date = (now() AT TIME ZONE 'UTC')::date`,
        [customerId],
      );
      return (rows[0]?.escalations ?? 0) >= 1;
    });
    await eventually('the refresh marks to be drained', async () => (await deps.db.query('SELECT 1 FROM customer_refresh_requests')).rows.length === 0);
    const health = await deps.db.query(`SELECT 1 FROM customer_health_daily WHERE customer_id = $1`, [customerId]);
    expect(health.rows).toHaveLength(1);
  });

  describe('refusals: nothing stored', () => {
    const body = JSON.stringify({ source: 'cscx-zendesk-trigger', ticket_id: '1', updated_at: 'x', status: 'Open' });
    const post = (headers: Record<string, string>, payload: string | Buffer, query = `?connection=${connectionId}`) =>
      fetch(`${ourUrl}/api/integrations/zendesk/webhook${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    const signed = async (payload: string, timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')) => ({
      'x-zendesk-webhook-signature': signWebhook((await webhookSecretFor(deps, connectionId))!, timestamp, payload),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    });

    it('refuses a forged, a missing and a stale signature with 401', async () => {
      const before = await deliveryCount();
      const forged = await post({ 'x-zendesk-webhook-signature': 'AAAA', 'x-zendesk-webhook-signature-timestamp': new Date().toISOString() }, body);
      expect(forged.status).toBe(401);
      expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/signature does not match/);
      expect((await post({}, body)).status).toBe(401);
      const stale = await post(await signed(body, new Date(Date.now() - 10 * 60_000).toISOString()), body);
      expect(stale.status).toBe(401);
      expect(await deliveryCount()).toBe(before);
    });

    it('refuses malformed JSON (400), an unknown body (400), an oversized body (413) and an unknown connection (404)', async () => {
      const before = await deliveryCount();
      const malformed = '{"ticket_id":';
      const bad = await post(await signed(malformed), malformed);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
      const other = JSON.stringify({ hello: 'world' });
      expect((await post(await signed(other), other)).status).toBe(400);
      const huge = JSON.stringify({ source: 'cscx-zendesk-trigger', ticket_id: '1', padding: 'x'.repeat(1024 * 1024) });
      expect((await post(await signed(huge), huge)).status).toBe(413);
      const unknown = await post(await signed(body), body, '?connection=00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect((await post(await signed(body), body, '')).status).toBe(404);
      expect(await deliveryCount()).toBe(before);
    });

    it('takes a ticket event envelope (ids as strings, any letter case) once, however often it is delivered', async () => {
      const ticket = openTickets()[1]!;
      const event = JSON.stringify({
        type: 'zen:event-type:ticket.status_changed',
        account_id: 1,
        id: 'evt-123',
        time: new Date().toISOString(),
        zendesk_event_version: '2022-11-06',
        subject: `zen:ticket:${ticket.id}`,
        detail: { id: String(ticket.id), status: 'OPEN' },
        event: { current: 'OPEN', previous: 'NEW' },
      });
      const first = await post(await signed(event), event);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ received: true, duplicate: false });
      const again = await post(await signed(event), event);
      expect(await again.json()).toEqual({ received: true, duplicate: true });
      const { rows } = await deps.db.query(`SELECT 1 FROM zendesk_webhook_deliveries WHERE dedupe_key = 'event:evt-123'`);
      expect(rows).toHaveLength(1);
    });
  });

  it('converges to Zendesk after one catch-up, with deliveries dropped, duplicated and reordered', async () => {
    await fetch(`${zendesk.url}/_emulator/webhook-faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ drop: 0.1, duplicate: 0.05, reorder: 0.5 }) });
    const targets = openTickets().slice(2, 32);
    for (const [i, ticket] of targets.entries()) {
      await zendeskApi('PUT', `/tickets/${ticket.id}`, { ticket: { priority: i % 2 ? 'high' : 'low', tags: [`batch-${i}`] } });
    }
    await zendesk.webhooksIdle();
    await eventually('stored deliveries to be processed', async () => (await deps.db.query('SELECT 1 FROM zendesk_webhook_deliveries WHERE processed_at IS NULL')).rows.length === 0);
    clock.advance(61_000);
    await eventually('a catch-up run', async () => (await runSync(deps, connectionId)).outcome === 'synced');
    expect(await differencesFromZendesk(deps.db, zendesk, 'acme', connectionId)).toEqual([]);
    // The faults did happen: some deliveries were dropped, so only the catch-up can have brought those changes.
    const log = (await (await fetch(`${zendesk.url}/_emulator/webhook-deliveries`)).json()) as { deliveries: Array<{ status: string; duplicate: boolean }> };
    expect(log.deliveries.filter((d) => d.status === 'dropped').length).toBeGreaterThan(0);
  });
});

describe('webhook intake when the database is down', () => {
  it('answers 503 with a short Retry-After, so that Zendesk retries instead of losing the event', async () => {
    const { deps, destroy } = await createTestDeps();
    const app = await buildApp(deps);
    await destroy(); // the database goes away
    const response = await app.inject({
      method: 'POST',
      url: '/api/integrations/zendesk/webhook?connection=00000000-0000-4000-8000-000000000000',
      headers: { 'content-type': 'application/json', 'x-zendesk-webhook-signature': 'x', 'x-zendesk-webhook-signature-timestamp': new Date().toISOString() },
      payload: '{"source":"cscx-zendesk-trigger","ticket_id":"1"}',
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('10');
    expect(response.json().error.code).toBe('unavailable');
    await app.close();
  });
});
