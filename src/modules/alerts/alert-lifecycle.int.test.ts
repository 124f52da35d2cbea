/**
 * An alert's lifecycle through the API: snooze (hidden from the default view and the unread count
 * until its time, then back as it was), assign (a recipient, one email), resolve with a note, the
 * history of every step with its actor, the errors; and the migration's backfill of the history.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { migrate, readMigrations } from '../../db/migrate.ts';
import { createTestDb } from '../../db/test-db.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { Role } from '../users/users.repo.ts';
import { acknowledgeToken } from './acknowledge-link.ts';
import { raiseAlertsForChange } from './alerts.service.ts';

const HOUR = 3_600_000;
const NOW = Date.now();
const ago = (hours: number) => new Date(NOW - hours * HOUR);
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

describe('alert lifecycle', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let conn: string;
  const users: Record<string, { id: string; key: string }> = {};
  const customers: Record<string, string> = {};
  let ticket = 100;

  async function user(name: string, role: Role) {
    const created = await createUser(deps.db, { email: `${name}@example.com`, name: `Person ${name}`, role, password: null });
    users[name] = { id: created.id, key: (await createApiKey(deps.db, created.id, 'test')).key };
  }
  /** Raises one escalation on a new ticket of the customer (routed as raising does); answers its id. */
  async function escalation(customer: string): Promise<string> {
    ticket += 1;
    const created = ago(2);
    const updated = ago(1);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, subject, status, priority, escalated, zendesk_created_at, zendesk_updated_at, tags)
       VALUES ($1, $2, $3, 'Broken', 'open', 'high', true, $4, $5, '{}')`,
      [conn, ticket, customers[customer], created, updated],
    );
    const version = { status: 'open', priority: 'high', escalated: true, satisfactionRating: null, createdAt: created, updatedAt: updated, resolvedAt: null };
    const raised = await raiseAlertsForChange(
      deps,
      { connectionId: conn, source: 'webhook', tickets: [{ zendeskTicketId: ticket, customerId: customers[customer]!, previousCustomerId: null, inserted: true, now: version, before: null }] },
      { email: true, spikeThreshold: 1000 },
    );
    expect(raised).toHaveLength(1);
    return raised[0]!.id;
  }
  const auth = (name: string) => ({ authorization: `Bearer ${users[name]!.key}` });
  const get = (name: string, url: string) => app.inject({ method: 'GET', url, headers: auth(name) });
  const post = (name: string, url: string, body?: unknown) =>
    app.inject({ method: 'POST', url, headers: auth(name), ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
  const idsOf = (answer: { alerts: Array<{ id: string }> }) => answer.alerts.map((a) => a.id);
  /** The badge (the nav's query) and the default view (open, mine): the count must be the list's length. */
  async function badgeAndView(name: string) {
    const badge = (await get(name, '/api/alerts?status=open&limit=1&mine=true')).json().unread as number;
    const view = (await get(name, '/api/alerts?status=open&mine=true&limit=200')).json();
    return { badge, view: idsOf(view) };
  }
  async function deliveries(alertId: string, userId: string) {
    const { rows } = await deps.db.query<{ channel: string }>('SELECT channel FROM alert_deliveries WHERE alert_id = $1 AND user_id = $2 ORDER BY channel', [alertId, userId]);
    return rows.map((row) => row.channel);
  }

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps({ SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_URL: 'https://cscx.example.com' }));
    app = await buildApp(deps);
    await app.ready();
    const { rows } = await deps.db.query<{ id: string }>(
      `INSERT INTO zendesk_connections (subdomain, auth_method, status, created_at) VALUES ('acme', 'api_token', 'active', $1) RETURNING id`,
      [ago(48)],
    );
    conn = rows[0]!.id;
    await user('admin', 'admin');
    await user('lead', 'leader');
    await user('csm1', 'csm');
    await user('csm2', 'csm');
    await user('quiet', 'csm');
    await user('gone', 'csm');
    await deps.db.query('UPDATE users SET alert_email = false WHERE id = $1', [users.quiet!.id]);
    await deps.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [users.gone!.id]);
    for (const [name, csm] of [['Acme', 'csm1'], ['Globex', 'csm2']] as const) {
      const created = await deps.db.query<{ id: string }>('INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id', [name, users[csm]!.id]);
      customers[name] = created.rows[0]!.id;
    }
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  it('hides a snoozed alert from the default view and the badge until its time, then shows it as it was', async () => {
    const snoozed = await escalation('Acme');
    const other = await escalation('Acme');
    const before = await badgeAndView('csm1');
    expect(before.view).toEqual(expect.arrayContaining([snoozed, other]));
    expect(before.badge).toBe(before.view.length);

    const until = inHours(4);
    const answer = await post('csm1', `/api/alerts/${snoozed}/snooze`, { until });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().alert).toMatchObject({ id: snoozed, status: 'open', snoozedUntil: until });
    const during = await badgeAndView('csm1');
    expect(during.view).not.toContain(snoozed);
    expect(during.view).toContain(other);
    expect(during.badge).toBe(during.view.length);
    expect(during.badge).toBe(before.badge - 1);
    // Leaders' "All" view and count leave it out too; asked for, it is there.
    const all = (await get('lead', '/api/alerts?status=open&limit=200')).json();
    expect(idsOf(all)).not.toContain(snoozed);
    expect(all.unread).toBe(all.alerts.length);
    expect(idsOf((await get('csm1', '/api/alerts?snoozed=only')).json())).toEqual([snoozed]);
    expect(idsOf((await get('csm1', '/api/alerts?snoozed=include&limit=200')).json())).toEqual(expect.arrayContaining([snoozed, other]));

    // The time passes (moved into the past in the database): back, still open, with nothing run.
    await deps.db.query(`UPDATE alerts SET snoozed_until = now() - interval '1 minute' WHERE id = $1`, [snoozed]);
    const after = await badgeAndView('csm1');
    expect(after.view).toContain(snoozed);
    expect(after.badge).toBe(before.badge);
    expect(after.badge).toBe(after.view.length);
    const back = (await get('csm1', '/api/alerts?status=open&limit=200')).json().alerts.find((a: { id: string }) => a.id === snoozed);
    expect(back).toMatchObject({ status: 'open', snoozedUntil: null });
    expect(idsOf((await get('csm1', '/api/alerts?snoozed=only')).json())).toEqual([]);
  });

  it('unsnoozes by the unsnooze call or by snoozing to null', async () => {
    const id = await escalation('Acme');
    await post('csm1', `/api/alerts/${id}/snooze`, { until: inHours(1) });
    expect((await badgeAndView('csm1')).view).not.toContain(id);
    const woken = await post('csm1', `/api/alerts/${id}/unsnooze`);
    expect(woken.statusCode).toBe(200);
    expect(woken.json().alert.snoozedUntil).toBeNull();
    expect((await badgeAndView('csm1')).view).toContain(id);
    await post('lead', `/api/alerts/${id}/snooze`, { until: inHours(24 * 7) });
    expect((await badgeAndView('csm1')).view).not.toContain(id);
    const nulled = await post('lead', `/api/alerts/${id}/snooze`, { until: null });
    expect(nulled.statusCode).toBe(200);
    expect(nulled.json().alert.snoozedUntil).toBeNull();
    const state = await badgeAndView('csm1');
    expect(state.view).toContain(id);
    expect(state.badge).toBe(state.view.length);
    // Unsnoozing an alert that is not snoozed records nothing.
    expect((await post('csm1', `/api/alerts/${id}/unsnooze`)).statusCode).toBe(200);
    const kinds = (await get('csm1', `/api/alerts/${id}/history`)).json().events.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['raised', 'snoozed', 'unsnoozed', 'snoozed', 'unsnoozed']);
  });

  it('refuses a snooze in the past, too far ahead or not a time, on a resolved alert, and others\u2019 alerts, changing nothing', async () => {
    const id = await escalation('Acme');
    const past = await post('csm1', `/api/alerts/${id}/snooze`, { until: new Date(Date.now() - 60_000).toISOString() });
    expect(past.statusCode).toBe(400);
    expect(past.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'until', message: expect.stringMatching(/not in the future/) }] });
    const far = await post('csm1', `/api/alerts/${id}/snooze`, { until: inHours(24 * 31) });
    expect(far.statusCode).toBe(400);
    expect(far.json().error.message).toMatch(/more than 30 days ahead/);
    const text = await post('csm1', `/api/alerts/${id}/snooze`, { until: 'tomorrow' });
    expect(text.statusCode).toBe(400);
    expect(text.json().error.message).toMatch(/until/);
    expect((await post('csm1', `/api/alerts/${id}/snooze`, {})).statusCode).toBe(400);
    // Another CSM's alert, an unknown one: 404, as for acknowledging.
    const foreign = await post('csm2', `/api/alerts/${id}/snooze`, { until: inHours(1) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.message).toMatch(/no alert/);
    expect((await post('csm1', '/api/alerts/00000000-0000-4000-8000-000000000000/snooze', { until: inHours(1) })).statusCode).toBe(404);
    expect((await post('csm1', '/api/alerts/nope/snooze', { until: inHours(1) })).statusCode).toBe(400);
    expect((await get('csm1', `/api/alerts/${id}/history`)).json().events.map((e: { kind: string }) => e.kind)).toEqual(['raised']);
    expect((await badgeAndView('csm1')).view).toContain(id);
    await post('csm1', `/api/alerts/${id}/resolve`);
    const resolved = await post('csm1', `/api/alerts/${id}/snooze`, { until: inHours(1) });
    expect(resolved.statusCode).toBe(409);
    expect(resolved.json().error.message).toMatch(/resolved/);
  });

  it('assigns to another user: a recipient with the alert in their view and badge, and one email', async () => {
    const id = await escalation('Acme');
    expect(await deliveries(id, users.csm1!.id)).toEqual(['email']);
    const csm2Before = await badgeAndView('csm2');
    expect(csm2Before.view).not.toContain(id);
    expect((await get('csm2', `/api/alerts/${id}/history`)).statusCode).toBe(404);

    const assigned = await post('csm1', `/api/alerts/${id}/assign`, { userId: users.csm2!.id });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json().alert).toMatchObject({ assignedTo: users.csm2!.id, recipientIds: [users.csm1!.id, users.csm2!.id].sort() });
    expect(assigned.json().alert.assignedAt).not.toBeNull();
    const csm2After = await badgeAndView('csm2');
    expect(csm2After.view).toContain(id);
    expect(csm2After.badge).toBe(csm2Before.badge + 1);
    expect(await deliveries(id, users.csm2!.id)).toEqual(['email']);
    // Again, and back and forth: still one email each.
    expect((await post('lead', `/api/alerts/${id}/assign`, { userId: users.csm2!.id })).statusCode).toBe(200);
    await post('lead', `/api/alerts/${id}/assign`, { userId: users.csm1!.id });
    await post('lead', `/api/alerts/${id}/assign`, { userId: users.csm2!.id });
    expect(await deliveries(id, users.csm2!.id)).toEqual(['email']);
    expect(await deliveries(id, users.csm1!.id)).toEqual(['email']);
    // The assignee acts on it now.
    expect((await post('csm2', `/api/alerts/${id}/acknowledge`)).statusCode).toBe(200);
    // Someone who turned alert email off is a recipient without an email.
    await post('csm2', `/api/alerts/${id}/assign`, { userId: users.quiet!.id });
    expect(await deliveries(id, users.quiet!.id)).toEqual([]);
    expect((await badgeAndView('quiet')).view).toEqual([]);
    expect(idsOf((await get('quiet', '/api/alerts?status=acknowledged&mine=true')).json())).toEqual([id]);
    const history = (await get('quiet', `/api/alerts/${id}/history`)).json().events;
    expect(history.filter((e: { kind: string }) => e.kind === 'assigned').map((e: { actorName: string; assigneeName: string }) => [e.actorName, e.assigneeName])).toEqual([
      ['Person csm1', 'Person csm2'],
      ['Person lead', 'Person csm1'],
      ['Person lead', 'Person csm2'],
      ['Person csm2', 'Person quiet'],
    ]);
  });

  it('keeps an assigned alert with its assignee when the customer changes CSM', async () => {
    const id = await escalation('Globex');
    await post('lead', `/api/alerts/${id}/assign`, { userId: users.csm2!.id });
    await deps.db.query('UPDATE customers SET csm_id = $1 WHERE id = $2', [users.csm1!.id, customers.Globex]);
    const alert = (await post('lead', `/api/alerts/${id}/acknowledge`)).json().alert;
    expect(alert.recipientIds).toEqual([users.csm1!.id, users.csm2!.id].sort());
    await deps.db.query('UPDATE customers SET csm_id = $1 WHERE id = $2', [users.csm2!.id, customers.Globex]);
  });

  it('refuses to assign to an unknown or disabled user, or a resolved alert, and hides others\u2019 alerts', async () => {
    const id = await escalation('Acme');
    for (const userId of [users.gone!.id, '00000000-0000-4000-8000-000000000000']) {
      const answer = await post('csm1', `/api/alerts/${id}/assign`, { userId });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'userId', message: 'is not an active user' }] });
    }
    const malformed = await post('csm1', `/api/alerts/${id}/assign`, { userId: 'csm2' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toMatch(/userId/);
    expect((await post('csm2', `/api/alerts/${id}/assign`, { userId: users.csm2!.id })).statusCode).toBe(404);
    const alert = (await post('csm1', `/api/alerts/${id}/resolve`)).json().alert;
    expect(alert).toMatchObject({ assignedTo: null, recipientIds: [users.csm1!.id] });
    const resolved = await post('lead', `/api/alerts/${id}/assign`, { userId: users.csm2!.id });
    expect(resolved.statusCode).toBe(409);
    expect(await deliveries(id, users.csm2!.id)).toEqual([]);
  });

  it('resolves with a note, kept on the alert and in its history; a note too long changes nothing', async () => {
    const id = await escalation('Acme');
    const long = await post('csm1', `/api/alerts/${id}/resolve`, { note: 'x'.repeat(2001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/note/) });
    expect((await badgeAndView('csm1')).view).toContain(id);
    const resolved = await post('csm1', `/api/alerts/${id}/resolve`, { note: '  Customer called back; fixed in 4.2.  ' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().alert).toMatchObject({ status: 'resolved', resolutionNote: 'Customer called back; fixed in 4.2.', resolvedBy: users.csm1!.id });
    // Resolving again changes nothing, not even the note.
    expect((await post('lead', `/api/alerts/${id}/resolve`, { note: 'other' })).json().alert).toMatchObject({ resolutionNote: 'Customer called back; fixed in 4.2.', resolvedBy: users.csm1!.id });
    const events = (await get('csm1', `/api/alerts/${id}/history`)).json().events;
    expect(events.map((e: { kind: string; actorId: string | null; note: string | null }) => [e.kind, e.actorId, e.note])).toEqual([
      ['raised', null, null],
      ['acknowledged', users.csm1!.id, null],
      ['resolved', users.csm1!.id, 'Customer called back; fixed in 4.2.'],
    ]);
    // An empty note is no note; an empty body, no body.
    const plain = await escalation('Acme');
    expect((await post('csm1', `/api/alerts/${plain}/resolve`, { note: '   ' })).json().alert.resolutionNote).toBeNull();
  });

  it('records every step, oldest first, with who acted and how (the mail link included)', async () => {
    const id = await escalation('Acme');
    const until = inHours(2);
    await post('csm1', `/api/alerts/${id}/snooze`, { until });
    await post('csm1', `/api/alerts/${id}/unsnooze`);
    await post('lead', `/api/alerts/${id}/assign`, { userId: users.csm2!.id });
    const byLink = await app.inject({ method: 'POST', url: '/api/alerts/acknowledge-by-link', payload: { token: acknowledgeToken(deps, id, users.csm2!.id) } });
    expect(byLink.statusCode).toBe(200);
    await post('csm2', `/api/alerts/${id}/resolve`, { note: 'Done' });
    const answer = await get('lead', `/api/alerts/${id}/history`);
    expect(answer.statusCode).toBe(200);
    const events = answer.json().events as Array<{ kind: string; at: string; actorName: string | null; until: string | null; assigneeId: string | null; via: string; note: string | null }>;
    expect(events.map((e) => [e.kind, e.actorName])).toEqual([
      ['raised', null],
      ['snoozed', 'Person csm1'],
      ['unsnoozed', 'Person csm1'],
      ['assigned', 'Person lead'],
      ['acknowledged', 'Person csm2'],
      ['resolved', 'Person csm2'],
    ]);
    expect(events[1]!.until).toBe(until);
    expect(events[3]!.assigneeId).toBe(users.csm2!.id);
    expect(events[4]!.via).toBe('link');
    expect(events[5]!.note).toBe('Done');
    const times = events.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The history of another CSM's alert, an unknown one.
    expect((await get('quiet', `/api/alerts/${id}/history`)).statusCode).toBe(404);
    expect((await get('lead', '/api/alerts/00000000-0000-4000-8000-000000000000/history')).statusCode).toBe(404);
  });

  it('refuses the link of someone who can no longer sign in (403), recording nothing', async () => {
    const id = await escalation('Acme');
    const answer = await app.inject({ method: 'POST', url: '/api/alerts/acknowledge-by-link', payload: { token: acknowledgeToken(deps, id, users.gone!.id) } });
    expect(answer.statusCode).toBe(403);
    expect(answer.json().error.message).toMatch(/can no longer sign in/);
    expect((await get('csm1', `/api/alerts/${id}/history`)).json().events.map((e: { kind: string }) => e.kind)).toEqual(['raised']);
  });

  it('lists the active users an alert can be assigned to', async () => {
    const answer = await get('csm1', '/api/alerts/assignees');
    expect(answer.statusCode).toBe(200);
    const names = answer.json().users.map((u: { name: string }) => u.name);
    expect(names).toEqual(['Person admin', 'Person csm1', 'Person csm2', 'Person lead', 'Person quiet']);
  });
});

describe('migration 0028', () => {
  it('backfills the history of the alerts that exist: raised, acknowledged and resolved as recorded', async () => {
    const { db, destroy } = await createTestDb({ migrate: false });
    try {
      await migrate(db, readMigrations().filter((m) => m.name < '0028'));
      const { rows: u } = await db.query<{ id: string }>(`INSERT INTO users (email, name, role) VALUES ('a@example.com', 'A', 'leader') RETURNING id`);
      const { rows: c } = await db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Old') RETURNING id`);
      const userId = u[0]!.id;
      await db.query(
        `INSERT INTO alerts (dedupe_key, type, customer_id, status, occurred_at, created_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by) VALUES
           ('k1', 'escalation', $1, 'open', now(), now() - interval '3 hours', NULL, NULL, NULL, NULL),
           ('k2', 'escalation', $1, 'acknowledged', now(), now() - interval '3 hours', now() - interval '2 hours', $2, NULL, NULL),
           ('k3', 'escalation', $1, 'resolved', now(), now() - interval '3 hours', now() - interval '2 hours', $2, now() - interval '1 hour', $2)`,
        [c[0]!.id, userId],
      );
      await migrate(db);
      const { rows } = await db.query<{ key: string; kinds: string[]; actors: Array<string | null> }>(
        `SELECT a.dedupe_key AS key, array_agg(e.kind ORDER BY e.at, e.id) AS kinds, array_agg(e.actor_id::text ORDER BY e.at, e.id) AS actors
           FROM alerts a JOIN alert_events e ON e.alert_id = a.id GROUP BY a.dedupe_key ORDER BY a.dedupe_key`,
      );
      expect(rows).toEqual([
        { key: 'k1', kinds: ['raised'], actors: [null] },
        { key: 'k2', kinds: ['raised', 'acknowledged'], actors: [null, userId] },
        { key: 'k3', kinds: ['raised', 'acknowledged', 'resolved'], actors: [null, userId, userId] },
      ]);
    } finally {
      await destroy();
    }
  });
});
