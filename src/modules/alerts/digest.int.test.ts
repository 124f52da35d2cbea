/**
 * The daily digest on a fixed clock, for users in two time zones, received by a real SMTP server on
 * loopback: each gets one mail at 08:00 of their own day with their accounts' new alerts, score
 * moves and open escalations; nothing when there is nothing to say; exactly once per day across
 * repeated runs, a "restart" and two workers sending at once.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createUser } from '../users/auth.service.ts';
import { smtpSender } from './alert-email.ts';
import { deliverDigests, scheduleDigests } from './digest.ts';

const at = (iso: string) => new Date(iso);

describe('daily digest', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let smtp: SMTPServer;
  let mailer: ReturnType<typeof smtpSender>;
  const received: Array<{ to: string[]; mail: ParsedMail }> = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          })
          .catch(callback);
      },
      logger: false,
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    ({ deps, destroy } = await createTestDeps({ SMTP_URL: smtpUrl, PUBLIC_URL: 'https://cscx.example.com' }));
    mailer = smtpSender(smtpUrl);

    // New York (UTC-5 in December) and Tokyo (UTC+9); a third user with nothing to hear about.
    for (const [name, tz] of [['nina', 'America/New_York'], ['taro', 'Asia/Tokyo'], ['idle', 'Europe/Berlin']] as const) {
      ids[name] = (await createUser(deps.db, { email: `${name}@example.com`, name, role: 'csm', password: null })).id;
      await deps.db.query('UPDATE users SET time_zone = $2 WHERE id = $1', [ids[name], tz]);
    }
    const conn = (await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('acme', 'api_token', 'active') RETURNING id`)).rows[0]!.id;
    const customer = async (name: string, csm: string) => (await deps.db.query<{ id: string }>('INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id', [name, ids[csm]])).rows[0]!.id;
    const nyCo = await customer('Empire Ltd', 'nina');
    const tokyoCo = await customer('Shibuya KK', 'taro');
    await customer('Quiet GmbH', 'idle');
    const alert = async (customerId: string, user: string, type: string, createdAt: Date, ticket: number | null) => {
      const { rows } = await deps.db.query<{ id: string }>(
        `INSERT INTO alerts (dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, occurred_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
        [`${type}:${customerId}:${createdAt.toISOString()}`, type, customerId, conn, ticket, createdAt],
      );
      await deps.db.query('INSERT INTO alert_recipients (alert_id, user_id) VALUES ($1, $2)', [rows[0]!.id, ids[user]]);
    };
    // Nina's day before her 08:00 on Dec 3 (13:00Z): an escalation at 20:00Z Dec 2 and an SLA breach at 12:00Z Dec 3;
    // one from Dec 1 is before the window.
    await alert(nyCo, 'nina', 'escalation', at('2026-12-02T20:00:00Z'), 7);
    await alert(nyCo, 'nina', 'sla_breach', at('2026-12-03T12:00:00Z'), 8);
    await alert(nyCo, 'nina', 'ticket_spike', at('2026-12-01T10:00:00Z'), null);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, subject, status, priority, escalated, zendesk_created_at, zendesk_updated_at)
       VALUES ($1, 7, $2, 'Checkout down', 'open', 'urgent', true, $3, $3)`,
      [conn, nyCo, at('2026-12-02T20:00:00Z')],
    );
    // Taro's 08:00 on Dec 3 is 23:00Z Dec 2: a bad rating at 10:00Z Dec 2, and a score move (70 -> 58) on Dec 2.
    await alert(tokyoCo, 'taro', 'negative_csat', at('2026-12-02T10:00:00Z'), 9);
    await deps.db.query(
      `INSERT INTO customer_health_daily (customer_id, day, support_score, overall_score, base_score, support_weight, explanation)
       VALUES ($1, '2026-12-01', 70, 70, 70, 0.4, '{"signals":[]}'), ($1, '2026-12-02', 50, 58, 66, 0.4, '{"signals":[]}')`,
      [tokyoCo],
    );
  });
  afterAll(async () => {
    mailer?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await destroy?.();
  });

  const run = async (now: Date) => {
    await scheduleDigests(deps.db, now);
    return deliverDigests(deps, { send: mailer.send, now: () => now });
  };
  const mailsTo = (name: string) => received.filter((r) => r.to.includes(`${name}@example.com`));

  it('sends nothing before anyone’s hour', async () => {
    // 22:30Z Dec 2: Tokyo 07:30 Dec 3, New York 17:30 Dec 2 (after 08:00, but nothing in its window).
    expect(await run(at('2026-12-02T22:30:00Z'))).toMatchObject({ sent: 0 });
    expect(mailsTo('taro')).toEqual([]);
  });

  it('sends Tokyo’s digest at 08:00 Tokyo time, with the bad rating and the score move', async () => {
    expect(await run(at('2026-12-02T23:05:00Z'))).toMatchObject({ sent: 1 });
    const mail = mailsTo('taro')[0]!.mail;
    expect(mail.subject).toBe('[CSCX] Your digest for 2026-12-03: 1 new alert, 0 open escalations');
    expect(mail.text).toContain('Bad rating at Shibuya KK, ticket #9 on acme');
    expect(mail.text).toContain('Shibuya KK: 70 -> 58');
    expect(mail.html).toContain('href="https://cscx.example.com/customers/');
    expect(mailsTo('nina')).toEqual([]);
  });

  it('sends New York’s at 08:00 New York time, the day’s window only, once, whatever runs again', async () => {
    expect(await run(at('2026-12-03T12:59:00Z'))).toMatchObject({ sent: 0 });
    expect(await run(at('2026-12-03T13:01:00Z'))).toMatchObject({ sent: 1 });
    const mail = mailsTo('nina')[0]!.mail;
    expect(mail.subject).toBe('[CSCX] Your digest for 2026-12-03: 2 new alerts, 1 SLA breach, 1 open escalation');
    expect(mail.text).toContain('Escalation at Empire Ltd, ticket #7 on acme');
    expect(mail.text).toContain('SLA breach at Empire Ltd, ticket #8 on acme');
    expect(mail.text).not.toContain('Ticket spike');
    expect(mail.text).toContain('Empire Ltd: #7 on acme Checkout down');
    // Later runs the same day, a "restarted" worker and two workers at once: nothing more.
    await run(at('2026-12-03T15:00:00Z'));
    await Promise.all([run(at('2026-12-03T18:00:00Z')), run(at('2026-12-03T18:00:00Z'))]);
    expect(mailsTo('nina')).toHaveLength(1);
    expect(mailsTo('taro')).toHaveLength(1);
  });

  it('sends nothing to a user with nothing to hear about, and records each day as empty', async () => {
    expect(mailsTo('idle')).toEqual([]);
    const { rows } = await deps.db.query<{ local_date: string; status: string }>('SELECT local_date::text, status FROM alert_digests WHERE user_id = $1 ORDER BY local_date', [ids.idle]);
    expect(rows).toEqual([
      { local_date: '2026-12-02', status: 'empty' },
      { local_date: '2026-12-03', status: 'empty' },
    ]);
    // New York's Dec 2 digest (run at 22:30Z, after 08:00 there) had nothing either: the escalation came after its window.
    const nina = await deps.db.query<{ local_date: string; status: string }>('SELECT local_date::text, status FROM alert_digests WHERE user_id = $1 ORDER BY local_date', [ids.nina]);
    expect(nina.rows).toEqual([
      { local_date: '2026-12-02', status: 'empty' },
      { local_date: '2026-12-03', status: 'sent' },
    ]);
  });

  it('sends the next day’s digest the next day', async () => {
    await run(at('2026-12-04T13:30:00Z'));
    // Nina still has her open escalation: one more mail, for Dec 4.
    expect(mailsTo('nina').map((r) => r.mail.subject)).toEqual([
      '[CSCX] Your digest for 2026-12-03: 2 new alerts, 1 SLA breach, 1 open escalation',
      '[CSCX] Your digest for 2026-12-04: 0 new alerts, 1 open escalation',
    ]);
  });
});
