/**
 * Alerts by email, received by a real SMTP server on loopback (smtp-server) and parsed as a mail
 * client would (mailparser): the mail reaches the routed user once, with a text and an HTML part and
 * links to the customer page and the Zendesk ticket; a refused mail is retried and never takes the
 * in-app alert with it. And routing always finds someone: the CSM, else the leaders, else the admins.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../contracts/vocabulary.ts';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import type { TicketChange } from '../ingest/ticket-outbox.repo.ts';
import { createUser } from '../users/auth.service.ts';
import { buildApp } from '../../http/app.ts';
import { deliverAlertEmails, smtpSender } from './alert-email.ts';
import { acknowledgeToken } from './acknowledge-link.ts';
import { raiseAlertsForChange } from './alerts.service.ts';

const HOUR = 3_600_000;

interface Received {
  from: string;
  to: string[];
  mail: ParsedMail;
}

describe('alert emails', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let smtp: SMTPServer;
  let smtpUrl: string;
  let conn: string;
  const received: Received[] = [];
  let refuseNext = 0;
  const users: Record<string, string> = {};
  let ticketId = 100;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'secret-pass') callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
      onRcptTo(_address, _session, callback) {
        if (refuseNext > 0) {
          refuseNext -= 1;
          const error = new Error('Mailbox temporarily unavailable') as Error & { responseCode: number };
          error.responseCode = 450;
          callback(error);
        } else callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          })
          .catch(callback);
      },
      logger: false,
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://mailer:secret-pass@127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    ({ deps, destroy } = await createTestDeps({ SMTP_URL: smtpUrl, PUBLIC_URL: 'https://cscx.example.com', MAIL_FROM: 'CSCX alerts <alerts@cscx.example.com>' }));
    const { rows } = await deps.db.query<{ id: string }>(
      `INSERT INTO zendesk_connections (subdomain, auth_method, status, created_at) VALUES ('acme', 'api_token', 'active', now() - interval '2 days') RETURNING id`,
    );
    conn = rows[0]!.id;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await destroy?.();
  });
  beforeEach(() => {
    received.length = 0;
  });

  async function user(name: string, role: Role): Promise<string> {
    users[name] = (await createUser(deps.db, { email: `${name}@example.com`, name, role, password: null })).id;
    return users[name]!;
  }
  async function customer(name: string, csmId: string | null): Promise<string> {
    return (await deps.db.query<{ id: string }>('INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id', [name, csmId])).rows[0]!.id;
  }
  /** An escalated ticket of the customer, and the alerts its write raises (email on). */
  async function escalate(customerId: string, subject = 'Checkout fails', email = true) {
    ticketId += 1;
    const at = new Date(Date.now() - HOUR);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, subject, status, priority, escalated, zendesk_created_at, zendesk_updated_at)
       VALUES ($1, $2, $3, $4, 'open', 'urgent', true, $5, $5)`,
      [conn, ticketId, customerId, subject, at],
    );
    const version = { status: 'open', priority: 'urgent', escalated: true, satisfactionRating: null, createdAt: at, updatedAt: at, resolvedAt: null };
    const change = { connectionId: conn, source: 'webhook', tickets: [{ zendeskTicketId: ticketId, customerId, previousCustomerId: null, inserted: true, now: version, before: null }] };
    return raiseAlertsForChange(deps, change as unknown as TicketChange, { email });
  }
  const recipientsOf = async (alertId: string) =>
    (await deps.db.query<{ user_id: string }>('SELECT user_id FROM alert_recipients WHERE alert_id = $1 ORDER BY user_id', [alertId])).rows.map((r) => r.user_id);
  const deliveries = async (alertId: string) =>
    (await deps.db.query<{ user_id: string; status: string; attempts: number; last_error: string | null; message_id: string | null }>(
      `SELECT user_id, status, attempts, last_error, message_id FROM alert_deliveries WHERE alert_id = $1 AND channel = 'email' ORDER BY user_id`,
      [alertId],
    )).rows;

  it('mails the CSM once, over SMTP with the configured credentials, with text and HTML parts and the links', async () => {
    const csm = await user('casey', 'csm');
    await user('lee', 'leader');
    const acme = await customer('Acme Corp', csm);
    const [alert] = await escalate(acme);
    expect(await recipientsOf(alert!.id)).toEqual([csm]);

    const mailer = smtpSender(smtpUrl);
    try {
      expect(await deliverAlertEmails(deps, { send: mailer.send })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      // Delivered once: another round sends nothing.
      expect(await deliverAlertEmails(deps, { send: mailer.send })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    } finally {
      mailer.close();
    }
    expect(received).toHaveLength(1);
    const [{ from, to, mail }] = received as [Received];
    expect(from).toBe('alerts@cscx.example.com');
    expect(to).toEqual(['casey@example.com']);
    expect(mail.subject).toBe('[CSCX] Acme Corp: A ticket was escalated');
    expect(mail.messageId).toBe(`<alert-${alert!.id}-${csm}@cscx>`);
    expect(mail.text).toContain(`Ticket #${ticketId} on acme: Checkout fails`);
    expect(mail.text).toContain(`Customer: https://cscx.example.com/customers/${acme}`);
    expect(mail.text).toContain(`Ticket in Zendesk: https://acme.zendesk.com/agent/tickets/${ticketId}`);
    expect(mail.html).toContain(`href="https://cscx.example.com/customers/${acme}"`);
    expect(mail.html).toContain(`href="https://acme.zendesk.com/agent/tickets/${ticketId}"`);
    expect(await deliveries(alert!.id)).toEqual([{ user_id: csm, status: 'delivered', attempts: 1, last_error: null, message_id: `<alert-${alert!.id}-${csm}@cscx>` }]);
  });

  it('escapes what Zendesk users wrote in the HTML part', async () => {
    const csm = await user('quinn', 'csm');
    const [alert] = await escalate(await customer('Quote & Co', csm), '<script>alert(1)</script>');
    const mailer = smtpSender(smtpUrl);
    await deliverAlertEmails(deps, { send: mailer.send }).finally(() => mailer.close());
    const mail = received.find((r) => r.to.includes('quinn@example.com'))!.mail;
    expect(mail.html).toContain('&#60;script&#62;');
    expect(mail.html).not.toContain('<script>');
    expect(await deliveries(alert!.id)).toMatchObject([{ status: 'delivered' }]);
  });

  it('retries a mail the server refused, and keeps the in-app alert', async () => {
    const csm = await user('robin', 'csm');
    const [alert] = await escalate(await customer('Retry Ltd', csm));
    refuseNext = 1;
    const mailer = smtpSender(smtpUrl);
    try {
      expect(await deliverAlertEmails(deps, { send: mailer.send })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(await deliveries(alert!.id)).toMatchObject([{ status: 'pending', attempts: 1, last_error: expect.stringContaining('Mailbox temporarily unavailable') }]);
      expect(await recipientsOf(alert!.id)).toEqual([csm]);
      // Due again after the backoff: delivered.
      expect(await deliverAlertEmails(deps, { send: mailer.send, now: () => new Date(Date.now() + 60_000) })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    } finally {
      mailer.close();
    }
    expect(received.filter((r) => r.to.includes('robin@example.com'))).toHaveLength(1);
  });

  it('sends no mail to a user who turned alert emails off, and none at all when mail is not configured', async () => {
    const csm = await user('sky', 'csm');
    await deps.db.query('UPDATE users SET alert_email = false WHERE id = $1', [csm]);
    const [off] = await escalate(await customer('Quiet Inc', csm));
    const mailer = smtpSender(smtpUrl);
    expect(await deliverAlertEmails(deps, { send: mailer.send }).finally(() => mailer.close())).toMatchObject({ delivered: 0 });
    expect(await deliveries(off!.id)).toEqual([]);
    expect(await recipientsOf(off!.id)).toEqual([csm]);
    await deps.db.query('UPDATE users SET alert_email = true WHERE id = $1', [csm]);
    const [unconfigured] = await escalate(await customer('No Mail Server', csm), 'Checkout fails', false);
    expect(await deliveries(unconfigured!.id)).toEqual([]);
    expect(await recipientsOf(unconfigured!.id)).toEqual([csm]);
  });

  it('routes to the leaders without a CSM, to the admins without leaders, and to the admins when everyone unsubscribed', async () => {
    const admin = await user('ada', 'admin');
    const leader = users.lee!;
    const orphan = await customer('Orphan', null);
    const [toLeaders] = await escalate(orphan);
    expect(await recipientsOf(toLeaders!.id)).toEqual([leader]);

    // Without any enabled leader: the admins (every admin made in this file).
    await deps.db.query(`UPDATE users SET disabled_at = now() WHERE role = 'leader'`);
    const admins = (await deps.db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id`)).rows.map((r) => r.id);
    expect(admins).toContain(admin);
    const [toAdmins] = await escalate(orphan);
    expect(await recipientsOf(toAdmins!.id)).toEqual(admins);
    await deps.db.query(`UPDATE users SET disabled_at = NULL WHERE role = 'leader'`);

    // The CSM and the leaders unsubscribed from escalations: the admins still get it.
    const csm = await user('morgan', 'csm');
    const owned = await customer('Owned', csm);
    await deps.db.query(`INSERT INTO alert_subscriptions (user_id, type, enabled) SELECT id, 'escalation', false FROM users WHERE role <> 'admin'`);
    const [unsubscribed] = await escalate(owned);
    expect(await recipientsOf(unsubscribed!.id)).toEqual(admins);
    // A leader subscribed again: the leaders' tier is asked before the admins'.
    await deps.db.query(`DELETE FROM alert_subscriptions WHERE user_id = $1`, [leader]);
    const [toLeader] = await escalate(owned);
    expect(await recipientsOf(toLeader!.id)).toEqual([leader]);
  });

  it('acknowledges the alert as the recipient by the link in the mail, without a session; a forged, altered or expired link does nothing', async () => {
    const csm = await user('drew', 'csm');
    const [alert] = await escalate(await customer('Linkable', csm));
    const mailer = smtpSender(smtpUrl);
    await deliverAlertEmails(deps, { send: mailer.send }).finally(() => mailer.close());
    const mail = received.find((r) => r.to.includes('drew@example.com'))!.mail;
    const link = /Acknowledge: (\S+)/.exec(mail.text ?? '')?.[1];
    expect(link).toMatch(/^https:\/\/cscx\.example\.com\/alerts\/acknowledge\?token=/);
    expect(mail.html).toContain(`href="${link!.replace(/&/g, '&#38;')}"`);
    const token = new URL(link!).searchParams.get('token')!;

    const app = await buildApp(deps);
    try {
      const post = (body: { token: string }) => app.inject({ method: 'POST', url: '/api/alerts/acknowledge-by-link', payload: body });
      const statusOf = async () => (await deps.db.query<{ status: string; acknowledged_by: string | null }>('SELECT status, acknowledged_by FROM alerts WHERE id = $1', [alert!.id])).rows[0];
      // Refused: an altered token, one sealed for another purpose, an expired one. Nothing changes.
      for (const bad of [token.slice(0, -4) + 'AAAA', deps.secrets.seal(JSON.stringify({ a: alert!.id, u: csm, e: Date.now() + 60_000 }), 'something_else'), acknowledgeToken(deps, alert!.id, csm, new Date(Date.now() - 15 * 86_400_000))]) {
        const refused = await post({ token: bad });
        expect(refused.statusCode).toBe(400);
        expect(refused.json().error.message).toMatch(/link (is not valid|expired)/);
      }
      expect(await statusOf()).toEqual({ status: 'open', acknowledged_by: null });

      const ok = await post({ token });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().alert).toMatchObject({ id: alert!.id, customerName: 'Linkable', status: 'acknowledged' });
      expect(await statusOf()).toEqual({ status: 'acknowledged', acknowledged_by: csm });
      // Followed again (a second click): still acknowledged once, by the same person.
      expect((await post({ token })).statusCode).toBe(200);
      expect(await statusOf()).toEqual({ status: 'acknowledged', acknowledged_by: csm });
    } finally {
      await app.close();
    }
  });

  it("moves a customer's open alerts to its new CSM, and back to the leaders when it has none", async () => {
    const first = await user('first', 'csm');
    const second = await user('second', 'csm');
    const moving = await customer('Moving Co', first);
    const [open] = await escalate(moving);
    const [resolved] = await escalate(moving);
    await deps.db.query(`UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE id = $1`, [resolved!.id]);
    expect(await recipientsOf(open!.id)).toEqual([first]);

    await deps.db.query('UPDATE customers SET csm_id = $2 WHERE id = $1', [moving, second]);
    expect(await recipientsOf(open!.id)).toEqual([second]);
    // A resolved alert keeps who it reached.
    expect(await recipientsOf(resolved!.id)).toEqual([first]);

    await deps.db.query('UPDATE customers SET csm_id = NULL WHERE id = $1', [moving]);
    const leaders = (await deps.db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'leader' AND disabled_at IS NULL ORDER BY id`)).rows.map((r) => r.id);
    expect(leaders.length).toBeGreaterThan(0);
    expect(await recipientsOf(open!.id)).toEqual(leaders);
  });
});
