/**
 * Every alert reaches a person, and the team: followers of a customer account receive its alerts
 * in addition to its routing (with their email and webhook deliveries), and the team's webhook
 * receives each alert once, retried after a failure, its URL never answered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { addKey, createSecretBox, type Keyring } from '../../lib/secret-box.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { WrittenTicket } from '../ingest/ticket-writer.ts';
import { deliverAlertWebhooks, getTeamWebhook, httpSender } from './alert-webhooks.ts';
import { resealSecrets } from '../connections/sealed-columns.ts';
import { raiseAlertsForChange } from './alerts.service.ts';

const HOUR = 3_600_000;

describe('following accounts and the team webhook', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let keyring: Keyring;
  let app: FastifyInstance;
  let conn: string;
  let ticketId = 100;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const customers: Record<string, string> = {};

  beforeAll(async () => {
    ({ deps, destroy, keyring } = await createTestDeps());
    app = await buildApp(deps);
    await app.ready();
    for (const [name, role] of [['admin', 'admin'], ['casey', 'csm'], ['robin', 'csm'], ['lee', 'leader']] as const) {
      const user = await createUser(deps.db, { email: `${name}@example.com`, name, role, password: null });
      ids[name] = user.id;
      keys[name] = (await createApiKey(deps.db, user.id, 'test')).key;
    }
    conn = (await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('acme', 'api_token', 'active') RETURNING id`)).rows[0]!.id;
    for (const [name, csm] of [['Acme', ids.casey], ['Beta', null]] as const) {
      customers[name] = (await deps.db.query<{ id: string }>(`INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id`, [name, csm])).rows[0]!.id;
    }
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const call = (who: string, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${keys[who]}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

  /** Escalates a new ticket of `customer`; answers the alert's id. */
  async function escalate(customer: string, email = false): Promise<string> {
    ticketId += 1;
    const at = new Date(Date.now() - HOUR);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, escalated, zendesk_created_at, zendesk_updated_at)
       VALUES ($1, $2, $3, 'open', true, $4, $4)`,
      [conn, ticketId, customer, at],
    );
    const version = { status: 'open', priority: null, escalated: true, satisfactionRating: null, createdAt: at, updatedAt: at, resolvedAt: null };
    const ticket: WrittenTicket = { zendeskTicketId: ticketId, customerId: customer, previousCustomerId: null, inserted: false, now: version, before: { ...version, escalated: false } };
    const [alert] = await raiseAlertsForChange(deps, { connectionId: conn, source: 'webhook', tickets: [ticket] }, { email });
    return alert!.id;
  }
  const names = (userIds: string[]) => userIds.map((id) => Object.keys(ids).find((name) => ids[name] === id)).sort();
  const recipients = async (alertId: string) =>
    names((await deps.db.query<{ user_id: string }>('SELECT user_id FROM alert_recipients WHERE alert_id = $1', [alertId])).rows.map((r) => r.user_id));
  const deliveries = async (alertId: string, channel: string) =>
    names((await deps.db.query<{ user_id: string }>('SELECT user_id FROM alert_deliveries WHERE alert_id = $1 AND channel = $2', [alertId, channel])).rows.map((r) => r.user_id));

  it('follows, lists, changes and unfollows an account; bad input answers 400 and 404 and writes nothing', async () => {
    expect((await call('robin', 'GET', '/api/alerts/follows')).json()).toEqual({ follows: [] });
    for (const [url, payload, status, pattern] of [
      [`/api/customers/${customers.Acme}/follow`, { types: ['escalations'] }, 400, /not an alert type/],
      [`/api/customers/${customers.Acme}/follow`, { types: [] }, 400, /is empty/],
      [`/api/customers/${customers.Acme}/follow`, { type: ['escalation'] }, 400, /type/],
      ['/api/customers/not-a-uuid/follow', {}, 400, /not a customer id/],
      ['/api/customers/00000000-0000-4000-8000-000000000000/follow', {}, 404, /no customer/],
    ] as const) {
      const response = await call('robin', 'PUT', url, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().error.message).toMatch(pattern);
    }
    expect((await call('robin', 'DELETE', '/api/customers/00000000-0000-4000-8000-000000000000/follow')).statusCode).toBe(404);
    expect((await deps.db.query('SELECT 1 FROM customer_follows')).rows).toHaveLength(0);

    const followed = await call('robin', 'PUT', `/api/customers/${customers.Acme}/follow`, { types: ['sla_breach', 'sla_breach'] });
    expect(followed.statusCode, followed.body).toBe(200);
    expect(followed.json().follow).toMatchObject({ customerId: customers.Acme, customerName: 'Acme', types: ['sla_breach'] });
    // No body, or every type: every type (null).
    expect((await call('lee', 'PUT', `/api/customers/${customers.Acme}/follow`)).json().follow.types).toBeNull();
    const list = (await call('robin', 'GET', '/api/alerts/follows')).json().follows;
    expect(list.map((f: { customerName: string; types: string[] | null }) => [f.customerName, f.types])).toEqual([['Acme', ['sla_breach']]]);
    expect((await call('lee', 'DELETE', `/api/customers/${customers.Acme}/follow`)).json()).toEqual({ unfollowed: true });
    expect((await call('lee', 'DELETE', `/api/customers/${customers.Acme}/follow`)).json()).toEqual({ unfollowed: false });
    expect((await call('lee', 'GET', '/api/alerts/follows')).json()).toEqual({ follows: [] });
  });

  it('routes a followed type to the follower in addition to the CSM, with their email; not other types', async () => {
    // robin follows Acme for SLA breaches only: an escalation goes to its CSM alone.
    const first = await escalate(customers.Acme!, true);
    expect(await recipients(first)).toEqual(['casey']);
    expect(await deliveries(first, 'email')).toEqual(['casey']);

    await call('robin', 'PUT', `/api/customers/${customers.Acme}/follow`, { types: ['escalation', 'sla_breach'] });
    const second = await escalate(customers.Acme!, true);
    expect(await recipients(second)).toEqual(['casey', 'robin']);
    expect(await deliveries(second, 'email')).toEqual(['casey', 'robin']);
    // Mail off: the follower still gets the alert, with no email.
    expect(await deliveries(await escalate(customers.Acme!, false), 'email')).toEqual([]);
    // The alert is in the follower's list.
    const listed = (await call('robin', 'GET', '/api/alerts')).json().alerts.map((a: { id: string }) => a.id);
    expect(listed).toContain(second);

    // The follower's own choices hold: email off, and the type turned off in their subscriptions.
    await deps.db.query('UPDATE users SET alert_email = false WHERE id = $1', [ids.robin]);
    const third = await escalate(customers.Acme!, true);
    expect(await recipients(third)).toEqual(['casey', 'robin']);
    expect(await deliveries(third, 'email')).toEqual(['casey']);
    await deps.db.query('UPDATE users SET alert_email = true WHERE id = $1', [ids.robin]);
    await call('robin', 'PUT', '/api/alerts/subscriptions', { subscriptions: [{ type: 'escalation', enabled: false }] });
    expect(await recipients(await escalate(customers.Acme!, true))).toEqual(['casey']);
    await call('robin', 'PUT', '/api/alerts/subscriptions', { subscriptions: [{ type: 'escalation', enabled: true }] });

    // A follower with a personal webhook gets its delivery queued too.
    await deps.db.query(`INSERT INTO alert_webhooks (user_id, url_sealed) VALUES ($1, $2)`, [ids.robin, deps.secrets.seal('https://hooks.example.com/x', `alert_webhook:${ids.robin}`)]);
    expect(await deliveries(await escalate(customers.Acme!), 'webhook')).toEqual(['robin']);
    await deps.db.query('DELETE FROM alert_webhooks');
    await deps.db.query(`UPDATE alert_deliveries SET status = 'delivered' WHERE status = 'pending'`);
  });

  it('keeps the fallback: without a CSM the leaders, and the follower besides; the CSM following adds nothing twice', async () => {
    await call('robin', 'PUT', `/api/customers/${customers.Beta}/follow`, {});
    expect(await recipients(await escalate(customers.Beta!))).toEqual(['lee', 'robin']);
    // Without leaders: the admins, and the follower.
    await deps.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [ids.lee]);
    expect(await recipients(await escalate(customers.Beta!))).toEqual(['admin', 'robin']);
    await deps.db.query('UPDATE users SET disabled_at = NULL WHERE id = $1', [ids.lee]);
    // The CSM following their own account is one recipient.
    await call('casey', 'PUT', `/api/customers/${customers.Acme}/follow`, {});
    expect(await recipients(await escalate(customers.Acme!))).toEqual(['casey', 'robin']);
    await call('casey', 'DELETE', `/api/customers/${customers.Acme}/follow`);
    await call('robin', 'DELETE', `/api/customers/${customers.Beta}/follow`);
    // Unfollowed: routing alone.
    expect(await recipients(await escalate(customers.Beta!))).toEqual(['lee']);
  });

  it("a new CSM takes the open alerts, except from an old CSM who follows the account", async () => {
    for (const name of ['Gamma', 'Delta']) {
      customers[name] = (await deps.db.query<{ id: string }>(`INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id`, [name, ids.casey])).rows[0]!.id;
    }
    const followed = await escalate(customers.Gamma!);
    const notFollowed = await escalate(customers.Delta!);
    await call('casey', 'PUT', `/api/customers/${customers.Gamma}/follow`, { types: ['escalation'] });
    await deps.db.query('UPDATE customers SET csm_id = $1 WHERE id = ANY($2::uuid[])', [ids.robin, [customers.Gamma, customers.Delta]]);
    expect(await recipients(followed)).toEqual(['casey', 'robin']);
    expect(await recipients(notFollowed)).toEqual(['robin']);
    await call('casey', 'DELETE', `/api/customers/${customers.Gamma}/follow`);
  });

  describe('the team webhook', () => {
    let server: Server;
    let base: string;
    const received: Array<{ path: string; body: string }> = [];
    let failNext = 0;
    beforeAll(async () => {
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          received.push({ path: request.url ?? '', body });
          if (failNext > 0) {
            failNext -= 1;
            response.writeHead(500).end();
          } else response.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is set by admins only, answered by host only, and refuses bad URLs without writing', async () => {
      for (const who of ['casey', 'lee']) {
        for (const method of ['GET', 'PUT'] as const) {
          const response = await call(who, method, '/api/alerts/team-webhook', method === 'PUT' ? { url: 'https://hooks.slack.com/services/T/B/secret' } : undefined);
          expect(response.statusCode, `${who} ${method}`).toBe(403);
          expect(response.json().error.code).toBe('forbidden');
        }
      }
      expect((await call('admin', 'GET', '/api/alerts/team-webhook')).json().webhook).toMatchObject({ configured: false, host: null, setBy: null });
      for (const [payload, pattern] of [
        [{ url: 'ftp://x/y' }, /http\(s\) URL/],
        [{ url: 'http://127.0.0.1:5432/' }, /private or local address/],
        [{ enabled: false }, /no team webhook is set yet/],
        [{ url: 'https://a.example.com', extra: 1 }, /extra/],
      ] as const) {
        const response = await call('admin', 'PUT', '/api/alerts/team-webhook', payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(response.json().error.message).toMatch(pattern);
      }
      expect((await deps.db.query('SELECT 1 FROM alert_team_webhook')).rows).toHaveLength(0);

      const set = await call('admin', 'PUT', '/api/alerts/team-webhook', { url: 'https://hooks.slack.com/services/T0/B0/team-secret' });
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json().webhook).toMatchObject({ configured: true, enabled: true, host: 'hooks.slack.com', setBy: { id: ids.admin, name: 'admin' } });
      const read = await call('admin', 'GET', '/api/alerts/team-webhook');
      // Pausing keeps the URL.
      const paused = await call('admin', 'PUT', '/api/alerts/team-webhook', { enabled: false });
      expect(paused.json().webhook).toMatchObject({ configured: true, enabled: false, host: 'hooks.slack.com' });
      for (const body of [set.body, read.body, paused.body]) expect(body).not.toContain('team-secret');
      const { rows } = await deps.db.query<{ url_sealed: string }>('SELECT url_sealed FROM alert_team_webhook');
      expect(rows[0]!.url_sealed).not.toContain('team-secret');
      // Rotating the installation's key re-seals it: it opens with the new key.
      const rotated = createSecretBox(addKey(keyring, 'next'));
      expect((await resealSecrets(deps.db, rotated)).resealed).toBeGreaterThan(0);
      expect((await deps.db.query<{ url_sealed: string }>('SELECT url_sealed FROM alert_team_webhook')).rows[0]!.url_sealed).toMatch(/^enc:v1:next:/);
      expect((await getTeamWebhook({ db: deps.db, secrets: rotated })).host).toBe('hooks.slack.com');
      deps.secrets = rotated;
      // Paused: no delivery queued.
      const alertId = await escalate(customers.Acme!);
      expect(await deliveries(alertId, 'team_webhook')).toEqual([]);
      expect((await call('admin', 'PUT', '/api/alerts/team-webhook', { url: null })).json().webhook.configured).toBe(false);
    });

    it('posts each alert once as a Block Kit message, retrying after a 500; failures are listed', async () => {
      // Stored directly: the API refuses loopback addresses, as it should.
      await deps.db.query(`INSERT INTO alert_team_webhook (url_sealed, set_by) VALUES ($1, $2)`, [deps.secrets.seal(`${base}/team`, 'alert_team_webhook'), ids.admin]);
      await deps.db.query(`UPDATE alert_deliveries SET status = 'delivered' WHERE status = 'pending'`);
      const send = httpSender({ allowPrivateNetworks: true });
      const alertId = await escalate(customers.Acme!);
      expect(await deliveries(alertId, 'team_webhook')).toEqual(['admin']);
      // Exactly once per alert, whoever the row names.
      await deps.db.query(`INSERT INTO alert_deliveries (alert_id, user_id, channel) VALUES ($1, $2, 'team_webhook') ON CONFLICT DO NOTHING`, [alertId, ids.lee]);
      expect(await deliveries(alertId, 'team_webhook')).toEqual(['admin']);

      failNext = 1;
      const t0 = Date.now();
      expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0) })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 10_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
      expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 31_000) })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 10 * HOUR) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
      const posts = received.filter((r) => r.path === '/team');
      expect(posts).toHaveLength(2); // the failed attempt and the one that went through
      const message = JSON.parse(posts[1]!.body) as { text: string; blocks: Array<{ type: string; elements?: Array<{ text: { text: string }; url: string }> }>; alert: { id: string; acknowledgeUrl: unknown } };
      expect(message.alert.id).toBe(alertId);
      expect(message.text).toBe(`A ticket was escalated for Acme (ticket #${ticketId} on acme)`);
      expect(message.blocks.map((b) => b.type)).toEqual(['section', 'actions']);
      // No Acknowledge link in a shared channel (it would acknowledge as one person).
      expect(message.blocks[1]!.elements!.map((b) => b.text.text)).toEqual(['Open alerts', 'Open customer', `View #${ticketId} on acme in Zendesk`]);
      expect(message.alert.acknowledgeUrl).toBeNull();
      const { rows } = await deps.db.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM alert_deliveries WHERE alert_id = $1 AND channel = 'team_webhook'`, [alertId]);
      expect(rows).toEqual([{ status: 'delivered', attempts: 2 }]);

      // Two more alerts: one post each. One keeps failing: failed for good, listed to admins.
      const before = posts.length;
      const ok = await escalate(customers.Beta!);
      expect(await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + 11 * HOUR) })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      expect(received.filter((r) => r.path === '/team').map((r) => (JSON.parse(r.body) as { alert: { id: string } }).alert.id).slice(before)).toEqual([ok]);
      failNext = 100;
      const failing = await escalate(customers.Acme!);
      for (let i = 0; i < 3; i += 1) await deliverAlertWebhooks(deps, { send, now: () => new Date(t0 + (12 + i) * HOUR), maxAttempts: 3 });
      failNext = 0;
      const listed = await call('admin', 'GET', '/api/alerts/deliveries?status=failed&all=true');
      expect(listed.statusCode).toBe(200);
      const failed = listed.json().deliveries.filter((d: { channel: string }) => d.channel === 'team_webhook');
      expect(failed).toEqual([expect.objectContaining({ alertId: failing, channel: 'team_webhook', userId: ids.admin, attempts: 3, lastError: 'the webhook answered HTTP 500' })]);
      expect(listed.body).not.toContain(`${base}/team`);
      expect((await call('casey', 'GET', '/api/alerts/deliveries?status=failed&all=true')).statusCode).toBe(403);
    });
  });
});
