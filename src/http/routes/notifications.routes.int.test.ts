/**
 * Each person's notification settings and their failed deliveries, through the API: the settings
 * are the user's own (any role), a bad value is refused with the field named and nothing written,
 * turning email off stops new alert mails; failed email and webhook deliveries (made to fail for
 * real: an SMTP server that refuses, a webhook that throws with its URL in the message) are listed
 * to their owner with the reason and no credential, everyone's to admins only, and reading writes nothing.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { deliverAlertEmails, smtpSender } from '../../modules/alerts/alert-email.ts';
import { deliverAlertWebhooks, setAlertWebhook } from '../../modules/alerts/alert-webhooks.ts';
import { raiseAlertsForChange } from '../../modules/alerts/alerts.service.ts';
import { redactDeliveryError } from '../../modules/alerts/delivery-error.ts';
import type { TicketChange } from '../../modules/ingest/ticket-outbox.repo.ts';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import { createTestDeps } from '../../test-deps.ts';
import { buildApp } from '../app.ts';

const HOUR = 3_600_000;
const WEBHOOK_URL = 'https://hooks.slack.com/services/T000/B000/very-secret-token';

describe('notification settings and failed deliveries', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let smtp: SMTPServer;
  let smtpUrl: string;
  let conn: string;
  let ticketId = 500;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // A mail server that refuses every recipient for good (550).
    smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'smtp-secret-pass') callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
      onRcptTo(address, _session, callback) {
        const error = new Error(`Mailbox ${address.address} does not exist`) as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://mailer:smtp-secret-pass@127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    ({ deps, destroy } = await createTestDeps({ SMTP_URL: smtpUrl, PUBLIC_URL: 'https://cscx.example.com' }));
    app = await buildApp(deps);
    for (const [name, role] of [['admin', 'admin'], ['casey', 'csm'], ['robin', 'csm'], ['lee', 'leader']] as const) {
      const user = await createUser(deps.db, { email: `${name}@example.com`, name, role, password: null });
      ids[name] = user.id;
      keys[name] = (await createApiKey(deps.db, user.id, 'test')).key;
    }
    conn = (
      await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status, created_at) VALUES ('acme', 'api_token', 'active', now() - interval '2 days') RETURNING id`)
    ).rows[0]!.id;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await destroy?.();
  });

  const request = (who: string, method: 'GET' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${keys[who]}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const settingsRow = async (who: string) =>
    (await deps.db.query('SELECT alert_email, time_zone, digest_hour, digest_enabled FROM users WHERE id = $1', [ids[who]])).rows[0];

  async function escalate(csmId: string, customerName: string) {
    ticketId += 1;
    const customerId = (await deps.db.query<{ id: string }>('INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id', [customerName, csmId])).rows[0]!.id;
    const at = new Date(Date.now() - HOUR);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, subject, status, priority, escalated, zendesk_created_at, zendesk_updated_at)
       VALUES ($1, $2, $3, 'Checkout fails', 'open', 'urgent', true, $4, $4)`,
      [conn, ticketId, customerId, at],
    );
    const version = { status: 'open', priority: 'urgent', escalated: true, satisfactionRating: null, createdAt: at, updatedAt: at, resolvedAt: null };
    const change = { connectionId: conn, source: 'webhook', tickets: [{ zendeskTicketId: ticketId, customerId, previousCustomerId: null, inserted: true, now: version, before: null }] };
    const [alert] = await raiseAlertsForChange(deps, change as unknown as TicketChange, { email: true });
    return alert!.id;
  }
  const emailDeliveries = async (alertId: string) =>
    (await deps.db.query<{ user_id: string }>(`SELECT user_id FROM alert_deliveries WHERE alert_id = $1 AND channel = 'email'`, [alertId])).rows;

  it('answers the defaults, the address, and that mail is configured (never the SMTP URL)', async () => {
    const response = await request('casey', 'GET', '/api/me/notifications');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ settings: { email: true, timeZone: 'UTC', digestHour: 8, digestEnabled: true }, address: 'casey@example.com', mailConfigured: true });
    expect(response.body).not.toContain('smtp-secret-pass');
  });

  it('says when mail is not configured on the server', async () => {
    const { deps: bare, destroy: destroyBare } = await createTestDeps();
    const bareApp = await buildApp(bare);
    try {
      const user = await createUser(bare.db, { email: 'kim@example.com', name: 'Kim', role: 'csm', password: null });
      const key = (await createApiKey(bare.db, user.id, 'test')).key;
      const response = await bareApp.inject({ method: 'GET', url: '/api/me/notifications', headers: { authorization: `Bearer ${key}` } });
      expect(response.json()).toMatchObject({ mailConfigured: false, address: 'kim@example.com' });
    } finally {
      await bareApp.close();
      await destroyBare();
    }
  });

  it('refuses bad values naming the field, and writes none of the request', async () => {
    const before = await settingsRow('casey');
    const cases: Array<[unknown, RegExp]> = [
      [{ email: false, timeZone: 'Mars/Olympus_Mons' }, /timeZone.*not a time zone/],
      [{ timeZone: '+05:00' }, /timeZone.*not a time zone/],
      [{ timeZone: '' }, /timeZone.*not a time zone/],
      [{ digestHour: 24, email: false }, /digestHour.*0 to 23/],
      [{ digestHour: 7.5 }, /digestHour.*whole hour/],
      [{ digestHour: '8' }, /digestHour/],
      [{ email: 'yes' }, /email.*true or false/],
      [{ digestEnabled: false, sms: true }, /sms/],
    ];
    for (const [payload, message] of cases) {
      const response = await request('casey', 'PUT', '/api/me/notifications', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.message, JSON.stringify(payload)).toMatch(message);
    }
    expect(await settingsRow('casey')).toEqual(before);
  });

  it("saves the caller's own settings (a zone's name in its usual spelling), keeps what is left out, and touches no one else", async () => {
    const robinBefore = await settingsRow('robin');
    const saved = await request('casey', 'PUT', '/api/me/notifications', { timeZone: 'europe/paris', digestHour: 7, digestEnabled: false });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().settings).toEqual({ email: true, timeZone: 'Europe/Paris', digestHour: 7, digestEnabled: false });
    expect((await request('casey', 'GET', '/api/me/notifications')).json().settings).toEqual({ email: true, timeZone: 'Europe/Paris', digestHour: 7, digestEnabled: false });
    expect(await settingsRow('casey')).toEqual({ alert_email: true, time_zone: 'Europe/Paris', digest_hour: 7, digest_enabled: false });
    expect((await request('casey', 'PUT', '/api/me/notifications', { digestHour: 0 })).json().settings).toEqual({ email: true, timeZone: 'Europe/Paris', digestHour: 0, digestEnabled: false });
    expect(await settingsRow('robin')).toEqual(robinBefore);
    // Leaders and admins set theirs the same way.
    expect((await request('lee', 'PUT', '/api/me/notifications', { timeZone: 'America/New_York' })).json().settings.timeZone).toBe('America/New_York');
  });

  it('queues no alert email for a user who turned email off, and does again once it is back on', async () => {
    expect((await request('robin', 'PUT', '/api/me/notifications', { email: false })).json().settings.email).toBe(false);
    expect(await emailDeliveries(await escalate(ids.robin!, 'Quiet Inc'))).toEqual([]);
    expect((await request('robin', 'PUT', '/api/me/notifications', { email: true })).json().settings.email).toBe(true);
    expect(await emailDeliveries(await escalate(ids.robin!, 'Loud Inc'))).toEqual([{ user_id: ids.robin }]);
  });

  it("lists the caller's failed deliveries with their reason and no credential; everyone's to admins only; reading writes nothing", async () => {
    // Casey: an email the server refuses for good, and a webhook whose sender fails naming its URL.
    await deps.db.query(`UPDATE alert_deliveries SET status = 'delivered' WHERE status = 'pending'`);
    await setAlertWebhook(deps, ids.casey!, { url: WEBHOOK_URL, enabled: true });
    const caseyAlert = await escalate(ids.casey!, 'Failing Corp');
    const robinAlert = await escalate(ids.robin!, 'Other Corp');
    const mailer = smtpSender(smtpUrl);
    try {
      expect(await deliverAlertEmails(deps, { send: mailer.send, maxAttempts: 1 })).toEqual({ delivered: 0, retrying: 0, failed: 2 });
    } finally {
      mailer.close();
    }
    const failingSend = async (url: string) => {
      throw new Error(`request to ${url} failed: connect ECONNREFUSED`);
    };
    expect(await deliverAlertWebhooks(deps, { send: failingSend, maxAttempts: 1 })).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    // A row stored before errors were redacted is redacted on the way out.
    await deps.db.query(`UPDATE alert_deliveries SET last_error = $1 WHERE alert_id = $2 AND channel = 'email'`, [`relay ${smtpUrl} refused`, robinAlert]);

    const before = (await deps.db.query('SELECT * FROM alert_deliveries ORDER BY alert_id, user_id, channel')).rows;
    const mine = await request('casey', 'GET', '/api/alerts/deliveries?status=failed');
    expect(mine.statusCode, mine.body).toBe(200);
    const list = mine.json().deliveries as Array<Record<string, unknown>>;
    expect(list.map((d) => [d.alertId, d.channel]).sort()).toEqual([
      [caseyAlert, 'email'],
      [caseyAlert, 'webhook'],
    ]);
    const email = list.find((d) => d.channel === 'email')!;
    expect(email).toMatchObject({ alertType: 'escalation', customerName: 'Failing Corp', userId: ids.casey, status: 'failed', attempts: 1, nextAttemptAt: null });
    expect(email.lastError).toMatch(/550|does not exist/);
    expect(Date.parse(String(email.lastAttemptAt))).toBeGreaterThan(Date.now() - 60_000);
    const webhook = list.find((d) => d.channel === 'webhook')!;
    expect(webhook.lastError).toBe('request to https://hooks.slack.com/… failed: connect ECONNREFUSED');
    expect(mine.body).not.toContain('very-secret-token');
    expect(mine.body).not.toContain('/services/');

    // Robin sees only theirs; all=true is refused to anyone but an admin.
    const robins = (await request('robin', 'GET', '/api/alerts/deliveries')).json().deliveries as Array<Record<string, unknown>>;
    expect(robins.map((d) => d.alertId)).toEqual([robinAlert]);
    expect(robins[0]!.lastError).toBe(`relay smtp://${new URL(smtpUrl).host}/… refused`);
    for (const who of ['robin', 'lee']) {
      const refused = await request(who, 'GET', '/api/alerts/deliveries?all=true');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain(caseyAlert);
    }
    const everyone = await request('admin', 'GET', '/api/alerts/deliveries?status=failed&all=true');
    expect(everyone.statusCode).toBe(200);
    expect((everyone.json().deliveries as Array<{ userId: string }>).map((d) => d.userId).sort()).toEqual([ids.casey, ids.casey, ids.robin].sort());
    expect(everyone.body).not.toContain('smtp-secret-pass');
    expect((await request('admin', 'GET', '/api/alerts/deliveries')).json().deliveries).toEqual([]);
    expect((await request('casey', 'GET', '/api/alerts/deliveries?status=sent')).statusCode).toBe(400);
    expect((await request('casey', 'GET', '/api/alerts/deliveries?limit=0')).statusCode).toBe(400);
    expect((await request('casey', 'GET', '/api/alerts/deliveries?status=failed&limit=1')).json().deliveries).toHaveLength(1);
    expect((await deps.db.query('SELECT * FROM alert_deliveries ORDER BY alert_id, user_id, channel')).rows).toEqual(before);
  });
});

describe('delivery errors as shown', () => {
  it('cuts addresses to their scheme and host', () => {
    expect(redactDeliveryError('POST https://hooks.slack.com/services/T/B/secret?x=1 answered 404')).toBe('POST https://hooks.slack.com/… answered 404');
    expect(redactDeliveryError('cannot reach smtp://user:p%40ss@mail.example.com:587')).toBe('cannot reach smtp://mail.example.com:587/…');
    expect(redactDeliveryError('the webhook answered HTTP 500')).toBe('the webhook answered HTTP 500');
    expect(redactDeliveryError('see https://example.com/')).toBe('see https://example.com');
  });
});
