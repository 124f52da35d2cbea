/** Outbound alert webhooks: queued with the alert, retried with backoff, never losing the alert. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { WrittenTicket } from '../ingest/ticket-writer.ts';
import { deliverAlertWebhooks, httpSender } from './alert-webhooks.ts';
import { raiseAlertsForChange } from './alerts.service.ts';

const HOUR = 3_600_000;

describe('alert webhooks', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let conn: string;
  let customer: string;
  let csm: { id: string; key: string };

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    await app.ready();
    const user = await createUser(deps.db, { email: 'csm@example.com', name: 'csm', role: 'csm', password: null });
    csm = { id: user.id, key: (await createApiKey(deps.db, user.id, 'test')).key };
    conn = (await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('acme', 'api_token', 'active') RETURNING id`)).rows[0]!.id;
    customer = (await deps.db.query<{ id: string }>(`INSERT INTO customers (name, csm_id) VALUES ('Acme', $1) RETURNING id`, [csm.id])).rows[0]!.id;
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  async function escalate(id: number): Promise<string> {
    const at = new Date(Date.now() - HOUR);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, escalated, zendesk_created_at, zendesk_updated_at)
       VALUES ($1, $2, $3, 'open', true, $4, $4)`,
      [conn, id, customer, at],
    );
    const version = { status: 'open', priority: null, escalated: true, satisfactionRating: null, createdAt: at, updatedAt: at, resolvedAt: null };
    const ticket: WrittenTicket = { zendeskTicketId: id, customerId: customer, previousCustomerId: null, inserted: false, now: version, before: { ...version, escalated: false } };
    const [alert] = await raiseAlertsForChange(deps, { connectionId: conn, source: 'webhook', tickets: [ticket] });
    return alert!.id;
  }

  it('sets, shows (host only) and removes the caller’s webhook', async () => {
    const auth = { authorization: `Bearer ${csm.key}` };
    expect((await app.inject({ method: 'GET', url: '/api/alerts/webhook', headers: auth })).json().webhook).toEqual({ configured: false, enabled: false, host: null });
    const bad = await app.inject({ method: 'PUT', url: '/api/alerts/webhook', headers: auth, payload: { url: 'ftp://x' } });
    expect(bad.statusCode).toBe(400);
    const set = await app.inject({ method: 'PUT', url: '/api/alerts/webhook', headers: auth, payload: { url: 'https://hooks.slack.test/services/T/B/secret' } });
    expect(set.json().webhook).toEqual({ configured: true, enabled: true, host: 'hooks.slack.test' });
    const { rows } = await deps.db.query<{ url_sealed: string }>('SELECT url_sealed FROM alert_webhooks');
    expect(rows[0]!.url_sealed).not.toContain('secret');
  });

  it('delivers, retries a failure with backoff, and gives up without touching the alert', async () => {
    const sent: Array<{ url: string; body: { text: string; alert: { id: string } } }> = [];
    let failing = true;
    const send = async (url: string, body: unknown) => {
      if (failing) throw new Error('HTTP 500');
      sent.push({ url, body: body as (typeof sent)[number]['body'] });
    };
    const alertId = await escalate(1);
    const t0 = Date.now();
    expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0) })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    // Not due yet (30 s backoff); then due, still failing (60 s next).
    expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 10_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 31_000) })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    const { rows: pending } = await deps.db.query<{ attempts: number; next_attempt_at: Date; last_error: string }>('SELECT attempts, next_attempt_at, last_error FROM alert_deliveries');
    expect(pending[0]).toMatchObject({ attempts: 2, last_error: 'HTTP 500' });
    expect(pending[0]!.next_attempt_at.getTime()).toBe(t0 + 31_000 + 60_000);
    failing = false;
    expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 92_000) })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('https://hooks.slack.test/services/T/B/secret');
    expect(sent[0]!.body.alert.id).toBe(alertId);
    expect(sent[0]!.body.text).toBe('A ticket was escalated for Acme (ticket #1 on acme)');
    expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 10 * HOUR) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });

    // A second alert whose webhook keeps failing: failed after maxAttempts; the alert stays open.
    failing = true;
    const second = await escalate(2);
    let at = Date.now();
    for (let i = 0; i < 3; i += 1) {
      await deliverAlertWebhooks(deps, { send, now: () => new Date(at), maxAttempts: 3 });
      at += HOUR;
    }
    const { rows } = await deps.db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM alert_deliveries WHERE alert_id = $1', [second]);
    expect(rows).toEqual([{ status: 'failed', attempts: 3 }]);
    const list = (await app.inject({ method: 'GET', url: '/api/alerts', headers: { authorization: `Bearer ${csm.key}` } })).json();
    expect(list.alerts.map((a: { id: string; status: string }) => [a.id, a.status])).toEqual([
      [second, 'open'],
      [alertId, 'open'],
    ]);
  });

  it('queues nothing for users without a webhook', async () => {
    await app.inject({ method: 'PUT', url: '/api/alerts/webhook', headers: { authorization: `Bearer ${csm.key}` }, payload: { url: null } });
    await escalate(3);
    const { rows } = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.zendesk_ticket_id = 3`);
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a URL that points to a local or private address, and stores nothing', async () => {
    const auth = { authorization: `Bearer ${csm.key}` };
    const before = (await app.inject({ method: 'GET', url: '/api/alerts/webhook', headers: auth })).json().webhook;
    for (const url of ['http://127.0.0.1:5432/', 'http://localhost:3000/api', 'http://[::1]/x', 'https://169.254.169.254/latest/meta-data', 'http://10.0.0.8/hook']) {
      const response = await app.inject({ method: 'PUT', url: '/api/alerts/webhook', headers: auth, payload: { url } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.message, url).toMatch(/private or local address/);
    }
    expect((await app.inject({ method: 'GET', url: '/api/alerts/webhook', headers: auth })).json().webhook).toEqual(before);
  });

  describe('the HTTP sender', () => {
    let server: Server;
    let base: string;
    const received: Array<{ path: string; body: string }> = [];
    beforeAll(async () => {
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          received.push({ path: request.url ?? '', body });
          if (request.url === '/fail') response.writeHead(500).end();
          else if (request.url === '/moved') response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
          else response.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('posts the JSON body; a 5xx or a redirect is a failure', async () => {
      const send = httpSender({ allowPrivateNetworks: true });
      await send(`${base}/ok`, { text: 'hello' });
      expect(received.at(-1)).toEqual({ path: '/ok', body: '{"text":"hello"}' });
      await expect(send(`${base}/fail`, {})).rejects.toThrow('HTTP 500');
      await expect(send(`${base}/moved`, {})).rejects.toThrow('HTTP 302');
    });

    it('posts a Slack Block Kit message with the links, whose Acknowledge button acknowledges the alert', async () => {
      // The webhook is stored directly: the API refuses loopback addresses, as it should.
      await deps.db.query(
        `INSERT INTO alert_webhooks (user_id, url_sealed, enabled) VALUES ($1, $2, true)
         ON CONFLICT (user_id) DO UPDATE SET url_sealed = EXCLUDED.url_sealed, enabled = true`,
        [csm.id, deps.secrets.seal(`${base}/slack`, `alert_webhook:${csm.id}`)],
      );
      await deps.db.query(`UPDATE alert_deliveries SET status = 'failed' WHERE status = 'pending'`);
      const alertId = await escalate(4);
      expect(await deliverAlertWebhooks(deps, { send: httpSender({ allowPrivateNetworks: true }) })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      const message = JSON.parse(received.filter((r) => r.path === '/slack').at(-1)!.body) as {
        text: string;
        blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: { text: string }; url: string }> }>;
      };
      expect(message.text).toBe('A ticket was escalated for Acme (ticket #4 on acme)');
      expect(message.blocks[0]!.text!.text).toContain(`<${deps.config.PUBLIC_URL ?? 'http://127.0.0.1:3000'}/customers/${customer}|Acme>`);
      const buttons = message.blocks[1]!.elements!;
      expect(buttons.map((b) => b.text.text)).toEqual(['Acknowledge', 'Open customer', 'View #4 on acme in Zendesk']);
      expect(buttons[2]!.url).toBe('https://acme.zendesk.com/agent/tickets/4');
      // Following the Acknowledge button: the page's token, posted as its button does.
      const token = new URL(buttons[0]!.url).searchParams.get('token')!;
      const acknowledged = await app.inject({ method: 'POST', url: '/api/alerts/acknowledge-by-link', payload: { token } });
      expect(acknowledged.statusCode, acknowledged.body).toBe(200);
      const { rows } = await deps.db.query<{ status: string; acknowledged_by: string }>('SELECT status, acknowledged_by FROM alerts WHERE id = $1', [alertId]);
      expect(rows[0]).toEqual({ status: 'acknowledged', acknowledged_by: csm.id });
    });

    it('never reaches a private address unless allowed', async () => {
      const count = received.length;
      await expect(httpSender()(`${base}/ok`, {})).rejects.toThrow(/private or local address/);
      await expect(httpSender()(`http://localhost:${new URL(base).port}/ok`, {})).rejects.toThrow(/private or local address/);
      expect(received).toHaveLength(count);
    });
  });
});
