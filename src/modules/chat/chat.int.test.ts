/**
 * POST /api/chat on a real database: answers from our tickets, metrics, health and subscriptions;
 * permissions (a CSM's portfolio is their customers', a leader's all); the subscription round trip
 * seen through GET /api/alerts/subscriptions; clarify and unknown; validation; the name index
 * following new customers; every quick action and choice parsing back to a command.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../db/db.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { User } from '../users/users.repo.ts';
import { answerChat } from './chat.service.ts';

const DAY = 86_400_000;

async function insertCustomer(db: Queryable, name: string, domains: string[], csmId: string | null): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`INSERT INTO customers (name, domains, csm_id) VALUES ($1, $2, $3) RETURNING id`, [name, domains, csmId]);
  return rows[0]!.id;
}

interface TicketSpec {
  id: number;
  customerId: string;
  status: string;
  priority?: string | null;
  escalated?: boolean;
  subject?: string;
  createdDaysAgo: number;
  rating?: string | null;
  slaBreached?: boolean;
}

async function insertTicket(db: Queryable, connectionId: string, t: TicketSpec): Promise<void> {
  const created = new Date(Date.now() - t.createdDaysAgo * DAY);
  const sla = t.slaBreached ? JSON.stringify([{ metric: 'first_reply_time', stage: 'active', breach_at: new Date(Date.now() - 3_600_000).toISOString() }]) : null;
  await db.query(
    `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, match_method, subject, status, priority, escalated, zendesk_created_at, zendesk_updated_at,
                                  resolved_at, satisfaction_rating, sla_policy_metrics)
     VALUES ($1, $2, $3, 'organization', $4, $5, $6, $7, $8, $8, $9, $10, $11::jsonb)`,
    [connectionId, t.id, t.customerId, t.subject ?? `Ticket ${t.id}`, t.status, t.priority ?? null, t.escalated ?? false, created,
      t.status === 'solved' ? new Date(created.getTime() + DAY) : null, t.rating ?? null, sla],
  );
  await db.query(
    `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, to_value, occurred_at, source) VALUES ($1, $2, 'created', $3, $4, 'import')`,
    [connectionId, t.id, t.status, created],
  );
  if (t.rating) {
    await db.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, to_value, occurred_at, source) VALUES ($1, $2, 'rated', $3, $4, 'import')`,
      [connectionId, t.id, t.rating, new Date(created.getTime() + 2 * DAY)],
    );
  }
}

interface ChatBody {
  intent: string;
  entities: { customerId: string | null; alertType: string | null; status: string | null; priority: string | null; since: { label: string; from: string } | null };
  reply: string;
  data: Record<string, unknown> & { kind: string };
  suggestions: Array<{ label: string; message: string }>;
}

describe('POST /api/chat', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys: Record<'leader' | 'csm1' | 'csm2', string> = { leader: '', csm1: '', csm2: '' };
  let csm1: User;
  let acme: string;
  let globexCorp: string;
  let globexLogistics: string;
  let initech: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const leader = await createUser(deps.db, { email: 'lead@cscx.test', name: 'Lee Leader', role: 'leader', password: null });
    csm1 = await createUser(deps.db, { email: 'csm1@cscx.test', name: 'Cass One', role: 'csm', password: null });
    const csm2 = await createUser(deps.db, { email: 'csm2@cscx.test', name: 'Chris Two', role: 'csm', password: null });
    keys.leader = (await createApiKey(deps.db, leader.id, 't')).key;
    keys.csm1 = (await createApiKey(deps.db, csm1.id, 't')).key;
    keys.csm2 = (await createApiKey(deps.db, csm2.id, 't')).key;
    acme = await insertCustomer(deps.db, 'Acme Corp', ['acme.com'], csm1.id);
    globexCorp = await insertCustomer(deps.db, 'Globex Corporation', ['globex.com'], csm2.id);
    globexLogistics = await insertCustomer(deps.db, 'Globex Logistics', ['globexlogistics.com'], csm1.id);
    initech = await insertCustomer(deps.db, 'Initech', ['initech.io'], csm2.id);
    const { rows } = await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('acme', 'api_token', 'active') RETURNING id`);
    const conn = rows[0]!.id;
    await insertTicket(deps.db, conn, { id: 1, customerId: acme, status: 'open', priority: 'high', createdDaysAgo: 2, subject: 'Login fails' });
    await insertTicket(deps.db, conn, { id: 2, customerId: acme, status: 'open', priority: 'urgent', escalated: true, createdDaysAgo: 1, subject: 'Outage' });
    await insertTicket(deps.db, conn, { id: 3, customerId: acme, status: 'solved', priority: 'normal', createdDaysAgo: 10, rating: 'good' });
    await insertTicket(deps.db, conn, { id: 4, customerId: acme, status: 'pending', priority: 'normal', createdDaysAgo: 3, slaBreached: true });
    await insertTicket(deps.db, conn, { id: 5, customerId: acme, status: 'open', priority: 'low', createdDaysAgo: 20 });
    await insertTicket(deps.db, conn, { id: 10, customerId: initech, status: 'open', priority: 'urgent', escalated: true, createdDaysAgo: 1 });
    await insertTicket(deps.db, conn, { id: 20, customerId: globexLogistics, status: 'open', priority: 'normal', createdDaysAgo: 4 });
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const chat = async (message: unknown, who: keyof typeof keys = 'csm1') => {
    const response = await app.inject({ method: 'POST', url: '/api/chat', headers: { authorization: `Bearer ${keys[who]}` }, payload: { message } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as ChatBody;
  };

  it("lists a customer's open tickets, named in many ways", async () => {
    const answer = await chat('Show support tickets for Acme');
    expect(answer).toMatchObject({ intent: 'list_tickets', entities: { customerId: acme } });
    expect(answer.reply).toBe('Acme Corp has 4 open tickets.');
    expect(answer.data).toMatchObject({ kind: 'tickets', scope: 'customer', total: 4, customer: { id: acme, name: 'Acme Corp', url: `/api/customers/${acme}` } });
    const tickets = answer.data.tickets as Array<{ zendeskTicketId: number; url: string; slaState: string | null }>;
    expect(tickets.map((t) => t.zendeskTicketId).sort()).toEqual([1, 2, 4, 5]);
    expect(tickets.find((t) => t.zendeskTicketId === 4)?.slaState).toBe('breached');
    expect(tickets[0]?.url).toMatch(/\/agent\/tickets\/\d+$/);
    expect(answer.suggestions.map((s) => s.label)).toEqual(expect.arrayContaining(['See ticket history', 'Check CSAT scores']));

    for (const message of ['tickets for ACME inc', 'acme.com tickets', 'show tickets for Acme Corp', 'tikets for acmee']) {
      expect((await chat(message)).entities.customerId, message).toBe(acme);
    }
    expect((await chat('urgent tickets for acme.com')).data).toMatchObject({ total: 1, filter: { priority: 'urgent' } });
    expect((await chat('all tickets for acme')).data).toMatchObject({ total: 5, filter: { statuses: null } });
    const lastWeek = await chat('tickets from last week for acme');
    expect(lastWeek.entities.since?.label).toBe('last 7 days');
    expect((lastWeek.data.tickets as Array<{ zendeskTicketId: number }>).map((t) => t.zendeskTicketId).sort()).toEqual([1, 2, 4]);
  });

  it('shows escalations across a CSM\'s own customers only; leaders see all', async () => {
    const mine = await chat('Are there any escalated tickets?', 'csm1');
    expect(mine).toMatchObject({ intent: 'escalated_tickets', data: { kind: 'tickets', scope: 'mine', total: 1 } });
    expect((mine.data.tickets as Array<{ customerId: string }>).map((t) => t.customerId)).toEqual([acme]);
    const theirs = await chat('any escalations?', 'csm2');
    expect((theirs.data.tickets as Array<{ customerId: string }>).map((t) => t.customerId)).toEqual([initech]);
    const all = await chat('Are there any escalated tickets?', 'leader');
    expect(all.data).toMatchObject({ scope: 'all', total: 2 });
    expect(all.reply).toBe('There are 2 open escalated tickets across all customers.');
    // One named account: its escalations, whoever asks.
    expect((await chat('escalated tickets for initech', 'csm1')).data).toMatchObject({ scope: 'customer', total: 1 });
  });

  it('answers support health with the score, its explanation and a daily series', async () => {
    const answer = await chat("What's the support health for Acme?");
    expect(answer.intent).toBe('support_health');
    expect(answer.data).toMatchObject({ kind: 'metrics', days: 30, current: { openTickets: 4, csat: 1, csatRatings: 1 } });
    expect(answer.data.daily).toHaveLength(30);
    const health = answer.data.health as { support: number | null; signals: unknown[] };
    expect(typeof health.support).toBe('number');
    expect(health.signals.length).toBeGreaterThan(0);
    expect(answer.reply).toMatch(/^Acme Corp's support score is \d+\/100.*4 open tickets/);
    const portfolio = await chat('how are my customers doing on support health?', 'csm1');
    expect(portfolio.data).toMatchObject({ kind: 'portfolio', metric: 'support_score', scope: 'mine' });
  });

  it('answers CSAT, ticket history and SLA breaches', async () => {
    const csat = await chat('CSAT for acme');
    expect(csat).toMatchObject({ intent: 'csat', data: { kind: 'csat', csat: 1, csatRatings: 1 } });
    expect(csat.reply).toBe('CSAT for Acme Corp is 100% over 1 rating in the last 90 days.');
    expect((await chat('csat for initech')).reply).toMatch(/no CSAT ratings/);
    const history = await chat('ticket history for acme');
    expect(history.data).toMatchObject({ kind: 'history' });
    expect((history.data.events as unknown[]).length).toBe(6);
    const breaches = await chat('which customers have SLA breaches?', 'leader');
    expect(breaches.data).toMatchObject({ kind: 'portfolio', metric: 'sla_breaches', total: 1, customers: [{ id: acme, value: 1 }] });
    expect((await chat('which customers have SLA breaches?', 'csm2')).data).toMatchObject({ total: 0 });
    expect((await chat('sla breaches for acme', 'csm2')).data).toMatchObject({ kind: 'tickets', total: 1 });
    const needAccount = await chat('ticket history', 'csm1');
    expect(needAccount.data).toMatchObject({ kind: 'choices', reason: 'account_needed' });
    expect((needAccount.data.choices as Array<{ customerId: string }>).map((c) => c.customerId).sort()).toEqual([acme, globexLogistics].sort());
  });

  it('subscribes and unsubscribes the asking user, visible in GET /api/alerts/subscriptions', async () => {
    const subscriptions = async () => {
      const response = await app.inject({ method: 'GET', url: '/api/alerts/subscriptions', headers: { authorization: `Bearer ${keys.csm1}` } });
      return Object.fromEntries((response.json() as { subscriptions: Array<{ type: string; enabled: boolean }> }).subscriptions.map((s) => [s.type, s.enabled]));
    };
    expect((await subscriptions()).escalation).toBe(true);
    const off = await chat('stop alerting me on ticket escalations');
    expect(off).toMatchObject({ intent: 'unsubscribe_alerts', entities: { alertType: 'escalation' }, data: { kind: 'subscriptions', changed: [{ type: 'escalation', enabled: false, wasEnabled: true }] } });
    expect(off.reply).toBe('Done: you will no longer be alerted on ticket escalations.');
    expect(await subscriptions()).toMatchObject({ escalation: false, sla_breach: true });
    const on = await chat('Alert me on ticket escalations');
    expect(on).toMatchObject({ intent: 'subscribe_alerts', entities: { alertType: 'escalation' } });
    expect(await subscriptions()).toMatchObject({ escalation: true });
    expect((await chat('alert me on ticket escalations')).reply).toMatch(/already subscribed/);
    await chat('mute negative csat alerts');
    expect(await subscriptions()).toMatchObject({ negative_csat: false, escalation: true });
    // Another user's subscriptions are untouched.
    const other = await app.inject({ method: 'GET', url: '/api/alerts/subscriptions', headers: { authorization: `Bearer ${keys.csm2}` } });
    expect((other.json() as { subscriptions: Array<{ enabled: boolean }> }).subscriptions.every((s) => s.enabled)).toBe(true);
    const which = await chat('alert me');
    expect(which.data).toMatchObject({ kind: 'choices', reason: 'alert_type_needed' });
  });

  it('follows a named account for the named alert types, and stops, visible in GET /api/alerts/follows', async () => {
    const follows = async () => {
      const response = await app.inject({ method: 'GET', url: '/api/alerts/follows', headers: { authorization: `Bearer ${keys.csm2}` } });
      return (response.json() as { follows: Array<{ customerId: string; types: string[] | null }> }).follows;
    };
    const subscriptionsBefore = (await app.inject({ method: 'GET', url: '/api/alerts/subscriptions', headers: { authorization: `Bearer ${keys.csm2}` } })).json();
    const first = await chat('alert me on escalations for Acme', 'csm2');
    expect(first).toMatchObject({ intent: 'subscribe_alerts', data: { kind: 'follow', customer: { id: acme }, following: true, types: ['escalation'], changed: true } });
    expect(first.reply).toBe('Done: you follow Acme Corp and will be alerted on its ticket escalations, in addition to whoever its alerts go to.');
    expect(await follows()).toEqual([expect.objectContaining({ customerId: acme, types: ['escalation'] })]);
    await chat('notify me about SLA breaches for acme.com', 'csm2');
    expect((await follows())[0]!.types).toEqual(['escalation', 'sla_breach']);
    expect((await chat('alert me on escalations for acme', 'csm2')).reply).toMatch(/already follow Acme Corp/);
    const less = await chat('stop alerting me on ticket escalations for Acme', 'csm2');
    expect(less).toMatchObject({ intent: 'unsubscribe_alerts', data: { kind: 'follow', types: ['sla_breach'] } });
    expect((await follows())[0]!.types).toEqual(['sla_breach']);
    expect((await chat('stop all alerts for acme', 'csm2')).reply).toBe('Done: you no longer follow Acme Corp.');
    await chat('alert me on all alerts for acme', 'csm2');
    expect((await follows())[0]!.types).toBeNull();
    expect((await chat('unfollow acme', 'csm2')).reply).toBe('Done: you no longer follow Acme Corp.');
    expect(await follows()).toEqual([]);
    // The per-type subscriptions are untouched; two fitting accounts: which one.
    expect((await app.inject({ method: 'GET', url: '/api/alerts/subscriptions', headers: { authorization: `Bearer ${keys.csm2}` } })).json()).toEqual(subscriptionsBefore);
    // An account nobody has changes nothing (never every customer's subscriptions).
    const nobody = await chat('stop all alerts for wayne enterprises', 'csm2');
    expect(nobody.reply).toMatch(/^No customer is called "wayne enterprises"; nothing changed/);
    expect((await app.inject({ method: 'GET', url: '/api/alerts/subscriptions', headers: { authorization: `Bearer ${keys.csm2}` } })).json()).toEqual(subscriptionsBefore);
    const which = await chat('alert me on escalations for globex', 'csm2');
    expect(which.data).toMatchObject({ kind: 'choices', reason: 'ambiguous_account' });
    expect(await follows()).toEqual([]);
  });

  it('asks which account when two fit, and a choice answers', async () => {
    const answer = await chat('tickets for globex');
    expect(answer).toMatchObject({ intent: 'clarify', entities: { customerId: null }, data: { kind: 'choices', reason: 'ambiguous_account', command: 'list_tickets' } });
    expect(answer.reply).toBe('Which account do you mean: Globex Corporation or Globex Logistics?');
    const choices = answer.data.choices as Array<{ customerId: string; message: string }>;
    expect(choices.map((c) => c.customerId).sort()).toEqual([globexCorp, globexLogistics].sort());
    for (const choice of choices) {
      const followed = await chat(choice.message);
      expect(followed).toMatchObject({ intent: 'list_tickets', entities: { customerId: choice.customerId } });
    }
  });

  it('says what it understood when the account is unknown or nothing fits', async () => {
    const unknownAccount = await chat('show tickets for wayne enterprises');
    expect(unknownAccount).toMatchObject({ intent: 'unknown', data: { kind: 'unknown', understood: { command: 'list_tickets', unknownAccount: 'wayne enterprises' } } });
    expect(unknownAccount.reply).toContain('no account matches "wayne enterprises"');
    const near = await chat('csat for initek.com');
    expect(near.intent).toBe('unknown');
    const nothing = await chat("what's the weather like?");
    expect(nothing).toMatchObject({ intent: 'unknown', data: { kind: 'unknown', understood: { command: null } } });
    expect((nothing.data.examples as string[]).length).toBeGreaterThan(0);
    const help = await chat('help');
    expect(help).toMatchObject({ intent: 'help', data: { kind: 'help' } });
  });

  it('gives quick actions and choices that all parse back to a command', async () => {
    const messages = new Set<string>();
    for (const message of ['Show support tickets for Acme', 'Are there any escalated tickets?', 'CSAT for acme', 'support health for initech', 'help', 'tickets for globex']) {
      for (const suggestion of (await chat(message, 'leader')).suggestions) messages.add(suggestion.message);
    }
    expect(messages.size).toBeGreaterThan(5);
    for (const message of messages) {
      const answer = await chat(message, 'leader');
      expect(['unknown', 'clarify'], `${message} -> ${answer.intent}`).not.toContain(answer.intent);
    }
  });

  it('refuses a bad request with a clear 400, and anonymous callers with 401', async () => {
    const post = (payload: unknown, auth = true) =>
      app.inject({ method: 'POST', url: '/api/chat', headers: auth ? { authorization: `Bearer ${keys.csm1}` } : {}, payload: payload as object });
    const missing = await post({});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'validation_failed', message: 'body.message: is required' });
    expect((await post({ message: '   ' })).json().error.message).toMatch(/^body.message: is empty/);
    expect((await post({ message: 'x'.repeat(501) })).json().error.message).toBe('body.message: is longer than 500 characters');
    expect((await post({ message: 42 })).json().error.message).toBe('body.message: must be text');
    expect((await post({ message: 'help', extra: 1 })).statusCode).toBe(400);
    expect((await post({ message: 'x'.repeat(500) })).statusCode).toBe(200);
    expect((await post({ message: 'help' }, false)).statusCode).toBe(401);
  });

  it('sees a new or renamed customer once the index refreshes', async () => {
    const before = await answerChat(deps, csm1, 'tickets for hooli', { indexMaxAgeMs: 0 });
    expect(before.intent).toBe('unknown');
    const hooli = await insertCustomer(deps.db, 'Hooli', ['hooli.xyz'], csm1.id);
    const after = await answerChat(deps, csm1, 'tickets for hooli', { indexMaxAgeMs: 0 });
    expect(after).toMatchObject({ intent: 'list_tickets', entities: { customerId: hooli } });
    await deps.db.query(`UPDATE customers SET name = 'Hooli XYZ Inc', updated_at = now() + interval '1 second' WHERE id = $1`, [hooli]);
    expect((await answerChat(deps, csm1, 'tickets for hooli xyz', { indexMaxAgeMs: 0 })).data).toMatchObject({ customer: { name: 'Hooli XYZ Inc' } });
  });
});
