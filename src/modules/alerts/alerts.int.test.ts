/**
 * Alerts on hand-built tickets: each trigger, exactly once under duplicate and replayed
 * changes, the import window, routing (CSM, leaders, unsubscribed), the scheduled SLA check, and
 * the API (visibility per role, filters, pages, acknowledge/resolve, subscriptions).
 */
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config.ts';
import { alertOptionsOf } from '../../ticket-outbox-effects.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { Role } from '../users/users.repo.ts';
import type { WrittenTicket } from '../ingest/ticket-writer.ts';
import type { SyncSource } from '../ingest/sync-source.ts';
import type { TicketVersion } from '../ingest/sync.repo.ts';
import { alertsEffect, checkSlaBreaches, raiseAlertsForChange } from './alerts.service.ts';

const HOUR = 3_600_000;
const NOW = Date.now();
const ago = (hours: number) => new Date(NOW - hours * HOUR);

interface TicketSpec {
  id: number;
  customerId: string | null;
  created?: Date;
  updated?: Date;
  status?: string;
  priority?: string | null;
  escalated?: boolean;
  rating?: string | null;
  ratingId?: number | null;
  comment?: string | null;
  sla?: unknown[] | null;
  tags?: string[];
}

describe('alerts', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let conn: string;
  const users: Record<string, { id: string; key: string }> = {};
  const customers: Record<string, string> = {};
  const tickets = new Map<number, TicketSpec>();

  async function user(name: string, role: Role) {
    const created = await createUser(deps.db, { email: `${name}@example.com`, name, role, password: null });
    users[name] = { id: created.id, key: (await createApiKey(deps.db, created.id, 'test')).key };
  }
  async function customer(name: string, csm: string | null) {
    const { rows } = await deps.db.query<{ id: string }>('INSERT INTO customers (name, csm_id) VALUES ($1, $2) RETURNING id', [name, csm ? users[csm]!.id : null]);
    customers[name] = rows[0]!.id;
  }
  /** Writes (or rewrites) the stored ticket, as the sync would before telling the listeners. */
  async function store(spec: TicketSpec) {
    tickets.set(spec.id, spec);
    const created = spec.created ?? ago(1);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, subject, status, priority, escalated, satisfaction_rating,
                                    satisfaction_rating_id, satisfaction_comment, sla_policy_metrics, zendesk_created_at, zendesk_updated_at, tags)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14::text[])
       ON CONFLICT (connection_id, zendesk_ticket_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, status = EXCLUDED.status,
         priority = EXCLUDED.priority, escalated = EXCLUDED.escalated, satisfaction_rating = EXCLUDED.satisfaction_rating,
         satisfaction_rating_id = EXCLUDED.satisfaction_rating_id, satisfaction_comment = EXCLUDED.satisfaction_comment,
         sla_policy_metrics = EXCLUDED.sla_policy_metrics, zendesk_updated_at = EXCLUDED.zendesk_updated_at, tags = EXCLUDED.tags`,
      [
        conn,
        spec.id,
        spec.customerId,
        `Ticket ${spec.id}`,
        spec.status ?? 'open',
        spec.priority ?? 'high',
        spec.escalated ?? false,
        spec.rating ?? null,
        spec.ratingId ?? null,
        spec.comment ?? null,
        spec.sla ? JSON.stringify(spec.sla) : null,
        created,
        spec.updated ?? created,
        spec.tags ?? [],
      ],
    );
  }
  function version(spec: TicketSpec): TicketVersion {
    const created = spec.created ?? ago(1);
    return {
      status: spec.status ?? 'open',
      priority: spec.priority ?? 'high',
      escalated: spec.escalated ?? false,
      satisfactionRating: spec.rating ?? null,
      createdAt: created,
      updatedAt: spec.updated ?? created,
      resolvedAt: null,
    };
  }
  /** Stores `now` and answers the change the sync would announce (before: the stored version, if any). */
  async function write(now: TicketSpec, before: TicketSpec | null = tickets.get(now.id) ?? null): Promise<WrittenTicket> {
    await store(now);
    return {
      zendeskTicketId: now.id,
      customerId: now.customerId,
      previousCustomerId: before?.customerId ?? null,
      inserted: before === null,
      now: version(now),
      before: before ? version(before) : null,
    };
  }
  const announce = (written: WrittenTicket[], source: SyncSource = 'webhook') => raiseAlertsForChange(deps, { connectionId: conn, source, tickets: written });
  async function alertsOf(type: string) {
    const { rows } = await deps.db.query<{ id: string; dedupe_key: string; customer_id: string; zendesk_ticket_id: string; details: Record<string, unknown>; recipients: string[] | null }>(
      `SELECT a.id, a.dedupe_key, a.customer_id, a.zendesk_ticket_id::text, a.details,
              (SELECT array_agg(r.user_id::text ORDER BY r.user_id) FROM alert_recipients r WHERE r.alert_id = a.id) AS recipients
         FROM alerts a WHERE a.type = $1 ORDER BY a.seq`,
      [type],
    );
    return rows;
  }
  const ids = (...names: string[]) => names.map((n) => users[n]!.id).sort();

  beforeAll(async () => {
    // Zendesk's address comes from the template (here the emulator's form), in every link.
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: 'http://127.0.0.1:4010/{subdomain}' }));
    app = await buildApp(deps);
    await app.ready();
    // The connection was made two days ago: older events are history.
    const { rows } = await deps.db.query<{ id: string }>(
      `INSERT INTO zendesk_connections (subdomain, auth_method, status, created_at) VALUES ('acme', 'api_token', 'active', $1) RETURNING id`,
      [ago(48)],
    );
    conn = rows[0]!.id;
    await user('admin', 'admin');
    await user('lead1', 'leader');
    await user('lead2', 'leader');
    await user('csm1', 'csm');
    await user('csm2', 'csm');
    await customer('Owned', 'csm1');
    await customer('Orphan', null);
    await customer('Spiky', 'csm2');
    await customer('Quiet', 'csm2');
    await customer('Merged', 'csm2');
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  it('raises an escalation once, routed to the CSM, whatever replays it', async () => {
    const first = await write({ id: 1, customerId: customers.Owned!, created: ago(5) }, null);
    expect(await announce([first], 'webhook')).toEqual([]);
    const escalated = await write({ id: 1, customerId: customers.Owned!, created: ago(5), updated: ago(1), escalated: true, priority: 'urgent' });
    const raised = await announce([escalated]);
    expect(raised).toEqual([expect.objectContaining({ type: 'escalation', customerId: customers.Owned, recipients: 1 })]);
    // The same change delivered twice, and through the outbox's effect; the replayed version (before = now).
    await announce([escalated]);
    await alertsEffect(deps)(deps.db, { connectionId: conn, source: 'catch-up', tickets: [escalated] });
    const replay = await write({ id: 1, customerId: customers.Owned!, created: ago(5), updated: ago(1), escalated: true, priority: 'urgent' });
    expect(await announce([replay], 'catch-up')).toEqual([]);
    const alerts = await alertsOf('escalation');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ dedupe_key: `escalation:${conn}:1:${ago(1).toISOString()}`, customer_id: customers.Owned, zendesk_ticket_id: '1', recipients: ids('csm1') });
    expect(alerts[0]!.details).toMatchObject({ priority: 'urgent', subject: 'Ticket 1' });
    // De-escalated, then escalated again later: a new occurrence.
    await announce([await write({ id: 1, customerId: customers.Owned!, created: ago(5), updated: ago(0.5), escalated: false })]);
    await announce([await write({ id: 1, customerId: customers.Owned!, created: ago(5), updated: ago(0.25), escalated: true })]);
    expect(await alertsOf('escalation')).toHaveLength(2);
  });

  it('raises nothing for old events met by the historical import, and raises recent ones', async () => {
    const old = await write({ id: 2, customerId: customers.Owned!, created: ago(24 * 30), updated: ago(24 * 10), escalated: true, rating: 'bad', status: 'solved' }, null);
    const justBefore = await write({ id: 3, customerId: customers.Owned!, created: ago(24 * 30), updated: ago(48 + 25), escalated: true }, null);
    const recent = await write({ id: 4, customerId: customers.Owned!, created: ago(24 * 30), updated: ago(48 + 23), escalated: true }, null);
    const raised = await announce([old, justBefore, recent], 'import');
    expect(raised.map((a) => a.type)).toEqual(['escalation']);
    expect((await alertsOf('escalation')).map((a) => a.zendesk_ticket_id)).toContain('4');
    expect((await alertsOf('escalation')).map((a) => a.zendesk_ticket_id)).not.toContain('2');
    expect(await alertsOf('negative_csat')).toEqual([]);
    // A restarted import sees the same tickets again (now stored): nothing new.
    expect(await announce([await write({ id: 4, customerId: customers.Owned!, created: ago(24 * 30), updated: ago(48 + 23), escalated: true })], 'import')).toEqual([]);
  });

  it('takes the history window from ALERT_HISTORY_WINDOW_HOURS (0: only events after the connection)', async () => {
    const options = alertOptionsOf(loadConfig({ ALERT_HISTORY_WINDOW_HOURS: '0' }));
    expect(options.importWindowMs).toBe(0);
    const beforeConnection = await write({ id: 5, customerId: customers.Owned!, created: ago(24 * 30), updated: ago(48 + 1), escalated: true }, null);
    expect(await raiseAlertsForChange(deps, { connectionId: conn, source: 'import', tickets: [beforeConnection] }, options)).toEqual([]);
    const afterConnection = await write({ id: 6, customerId: customers.Owned!, created: ago(24 * 30), updated: ago(47), escalated: true }, null);
    expect((await raiseAlertsForChange(deps, { connectionId: conn, source: 'import', tickets: [afterConnection] }, options)).map((a) => a.type)).toEqual(['escalation']);
  });

  it('raises a negative CSAT rating with its comment, to the leaders when there is no CSM, minus the unsubscribed', async () => {
    await deps.db.query(`INSERT INTO alert_subscriptions (user_id, type, enabled) VALUES ($1, 'negative_csat', false)`, [users.lead2!.id]);
    await write({ id: 10, customerId: customers.Orphan!, created: ago(6), rating: 'offered' }, null);
    const bad = await write({ id: 10, customerId: customers.Orphan!, created: ago(6), updated: ago(2), rating: 'bad', ratingId: 777, comment: 'Too slow' });
    await announce([bad, bad]);
    await announce([bad], 'catch-up');
    const alerts = await alertsOf('negative_csat');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ dedupe_key: `negative_csat:${conn}:10:777`, customer_id: customers.Orphan, recipients: ids('lead1') });
    expect(alerts[0]!.details).toMatchObject({ comment: 'Too slow', ratingId: 777 });
    // Escalation on the same customer still reaches both leaders (lead2 only left negative CSAT).
    await announce([await write({ id: 10, customerId: customers.Orphan!, created: ago(6), updated: ago(1.5), rating: 'bad', ratingId: 777, comment: 'Too slow', escalated: true })]);
    const escalation = (await alertsOf('escalation')).find((a) => a.zendesk_ticket_id === '10');
    expect(escalation?.recipients).toEqual(ids('lead1', 'lead2'));
    await deps.db.query(`DELETE FROM alert_subscriptions WHERE user_id = $1`, [users.lead2!.id]);
  });

  it('raises one ticket spike when the threshold is reached within the window', async () => {
    const spiky = customers.Spiky!;
    // Two tickets in the window: no spike; an older one outside it does not count.
    await announce([await write({ id: 20, customerId: spiky, created: ago(30) }, null), await write({ id: 21, customerId: spiky, created: ago(10) }, null)]);
    await announce([await write({ id: 22, customerId: spiky, created: ago(5) }, null)]);
    expect(await alertsOf('ticket_spike')).toEqual([]);
    const third = await write({ id: 23, customerId: spiky, created: ago(4) }, null);
    await announce([third]);
    await announce([third], 'catch-up');
    // A fourth in the same window, and a ticket matched to the customer later: still one spike.
    await announce([await write({ id: 24, customerId: spiky, created: ago(3) }, null)]);
    const spikes = await alertsOf('ticket_spike');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ customer_id: spiky, zendesk_ticket_id: '23', recipients: ids('csm2') });
    expect(spikes[0]!.details).toMatchObject({ count: 3, threshold: 3, windowHours: 24, zendeskTicketIds: [21, 22, 23] });
    // Both numbers are options: 2 tickets within 1 hour.
    const quiet = customers.Quiet!;
    const a = await write({ id: 30, customerId: quiet, created: ago(3) }, null);
    const b = await write({ id: 31, customerId: quiet, created: ago(2.5) }, null);
    expect(await raiseAlertsForChange(deps, { connectionId: conn, source: 'webhook', tickets: [a, b] }, { spikeThreshold: 2, spikeWindowMs: HOUR })).toEqual([
      expect.objectContaining({ type: 'ticket_spike', customerId: quiet }),
    ]);
  });

  it('counts no merge source toward a spike: a ticket closed by a merge is no new request', async () => {
    const merged = customers.Merged!;
    const source = (id: number, hours: number) => write({ id, customerId: merged, created: ago(hours), status: 'closed', tags: ['closed_by_merge'] }, null);
    // Two requests and two merge sources in the window (threshold 3): no spike, whichever arrives last.
    await announce([await write({ id: 40, customerId: merged, created: ago(6) }, null), await source(41, 5)]);
    await announce([await write({ id: 42, customerId: merged, created: ago(4) }, null)]);
    await announce([await source(43, 3)]);
    expect((await alertsOf('ticket_spike')).filter((a) => a.customer_id === merged)).toEqual([]);
    // A third real request makes the spike, listing only the requests.
    await announce([await write({ id: 44, customerId: merged, created: ago(2) }, null)]);
    const spikes = (await alertsOf('ticket_spike')).filter((a) => a.customer_id === merged);
    expect(spikes).toHaveLength(1);
    expect(spikes[0]!.details).toMatchObject({ count: 3, zendeskTicketIds: [40, 42, 44] });
  });

  it('raises SLA breaches on write and by the scheduled check, once each', async () => {
    const owned = customers.Owned!;
    const breached = { metric: 'first_reply_time', stage: 'active', breach_at: ago(0.5).toISOString() };
    const later = { metric: 'next_reply_time', stage: 'active', breach_at: new Date(NOW + 2 * HOUR).toISOString() };
    const ignored = [
      { metric: 'requester_wait_time', stage: 'paused', breach_at: ago(1).toISOString() },
      { metric: 'periodic_update_time', stage: 'achieved', breach_at: ago(1).toISOString() },
      { metric: 'agent_work_time', stage: 'active', breach_at: null },
      'not an object',
    ];
    const written = await write({ id: 40, customerId: owned, created: ago(3), sla: [breached, later, ...ignored] }, null);
    await announce([written]);
    await announce([written]);
    // A solved ticket's metrics raise nothing.
    await announce([await write({ id: 41, customerId: owned, created: ago(3), status: 'solved', sla: [breached] }, null)]);
    let alerts = await alertsOf('sla_breach');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ zendesk_ticket_id: '40', recipients: ids('csm1') });
    expect(alerts[0]!.dedupe_key).toBe(`sla_breach:${conn}:40:first_reply_time:${breached.breach_at.replace(/\.\d{3}Z$/, 'Z')}`);
    // Nothing happens to the ticket; time passes. The check raises the second breach once.
    expect(await checkSlaBreaches(deps)).toEqual([]);
    const inThreeHours = { now: () => new Date(NOW + 3 * HOUR) };
    const [check1, check2] = await Promise.all([checkSlaBreaches(deps, inThreeHours), checkSlaBreaches(deps, inThreeHours)]);
    expect([...check1!, ...check2!]).toEqual([expect.objectContaining({ type: 'sla_breach', customerId: owned, recipients: 1 })]);
    expect(await checkSlaBreaches(deps, inThreeHours)).toEqual([]);
    alerts = await alertsOf('sla_breach');
    expect(alerts.map((a) => (a.details as { metric: string }).metric)).toEqual(['first_reply_time', 'next_reply_time']);
  });

  it('raises SLA breaches from ticket metric events once per target, at the breach, also when fulfilled late', async () => {
    const owned = customers.Owned!;
    // The snapshot says breached too; with an SLA applied in the events, the events decide.
    const written = await write({ id: 45, customerId: owned, created: ago(4), sla: [{ metric: 'first_reply_time', stage: 'active', breach_at: ago(3).toISOString() }] }, null);
    let eventId = 9000;
    const events = async (list: Array<[string, string, number, Date, boolean?]>) => {
      for (const [type, metric, instance, at, deleted] of list) {
        await deps.db.query(
          `INSERT INTO zendesk_ticket_metric_events (connection_id, zendesk_event_id, zendesk_ticket_id, metric, instance_id, type, occurred_at, deleted)
           VALUES ($1, $2, 45, $3, $4, $5, $6, $7)`,
          [conn, ++eventId, metric, instance, type, at, deleted ?? false],
        );
      }
    };
    await events([
      // First reply: breached an hour ago, fulfilled after: one alert, dated at the breach.
      ['apply_sla', 'reply_time', 1, ago(4)], ['breach', 'reply_time', 1, ago(1)], ['fulfill', 'reply_time', 1, ago(0.5)],
      // Next reply: its breach was voided: nothing.
      ['apply_sla', 'reply_time', 2, ago(0.4)], ['breach', 'reply_time', 2, ago(0.3), true],
      // Requester wait: fulfilled before its (stale) breach: nothing.
      ['apply_sla', 'requester_wait_time', 1, ago(4)], ['fulfill', 'requester_wait_time', 1, ago(2)], ['breach', 'requester_wait_time', 1, ago(1)],
      // Third reply: due in an hour; raised by the check once that time has passed.
      ['apply_sla', 'reply_time', 3, ago(0.2)], ['breach', 'reply_time', 3, new Date(NOW + HOUR)],
    ]);
    await announce([written]);
    const of45 = async () => (await alertsOf('sla_breach')).filter((a) => a.zendesk_ticket_id === '45');
    let alerts = await of45();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.dedupe_key).toBe(`sla_breach:${conn}:45:reply_time:1`);
    expect(alerts[0]!.details).toMatchObject({ metric: 'first_reply_time', instance: 1 });
    expect(await checkSlaBreaches(deps)).toEqual([]);
    const inTwoHours = { now: () => new Date(NOW + 2 * HOUR) };
    expect(await checkSlaBreaches(deps, inTwoHours)).toEqual([expect.objectContaining({ type: 'sla_breach', customerId: owned })]);
    expect(await checkSlaBreaches(deps, inTwoHours)).toEqual([]);
    alerts = await of45();
    expect(alerts.map((a) => (a.details as { metric: string; instance: number }).instance)).toEqual([1, 3]);
  });

  describe('API', () => {
    const get = (name: string, url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${users[name]!.key}` } });
    const post = (name: string, url: string) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${users[name]!.key}` } });

    it('shows a CSM the alerts routed to them, and leaders and admins all of them', async () => {
      const total = (await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts')).rows[0]!.n;
      const leader = await get('lead1', '/api/alerts?limit=200');
      expect(leader.statusCode).toBe(200);
      expect(leader.json().alerts).toHaveLength(total);
      expect((await get('admin', '/api/alerts')).json().alerts).toHaveLength(total);
      const csm1 = (await get('csm1', '/api/alerts')).json();
      expect(csm1.alerts.length).toBeGreaterThan(0);
      expect(csm1.alerts.every((a: { customerId: string }) => a.customerId === customers.Owned)).toBe(true);
      expect(csm1.unread).toBe(csm1.alerts.length);
      const alert = csm1.alerts.find((a: { type: string }) => a.type === 'escalation');
      expect(alert).toMatchObject({
        customerName: 'Owned',
        customerUrl: `/api/customers/${customers.Owned}`,
        subdomain: 'acme',
        ticketUrl: `http://127.0.0.1:4010/acme/agent/tickets/${alert.zendeskTicketId}`,
        status: 'open',
        acknowledgedAt: null,
      });
      const csm2 = (await get('csm2', '/api/alerts')).json();
      expect(csm2.alerts.every((a: { customerId: string }) => a.customerId !== customers.Owned)).toBe(true);
      // "mine" for a leader: routed to them (the orphan customer's).
      const mine = (await get('lead1', '/api/alerts?mine=true')).json();
      expect(mine.alerts.length).toBeGreaterThan(0);
      expect(mine.alerts.every((a: { customerId: string }) => a.customerId === customers.Orphan)).toBe(true);
    });

    it('filters, pages and validates', async () => {
      const csat = (await get('lead1', '/api/alerts?type=negative_csat')).json();
      expect(csat.alerts.map((a: { type: string; details: { comment: string } }) => [a.type, a.details.comment])).toEqual([['negative_csat', 'Too slow']]);
      const spiky = (await get('lead1', `/api/alerts?customerId=${customers.Spiky}&status=open`)).json();
      expect(spiky.alerts.map((a: { type: string }) => a.type)).toEqual(['ticket_spike']);
      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { alerts: Array<{ id: string }>; nextCursor: string | null } = (await get('lead1', `/api/alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
        for (const a of page.alerts) seen.add(a.id);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 50);
      expect(seen.size).toBe((await get('lead1', '/api/alerts?limit=200')).json().alerts.length);
      expect((await get('lead1', '/api/alerts?type=fire')).statusCode).toBe(400);
      expect((await get('lead1', '/api/alerts?limit=0')).statusCode).toBe(400);
    });

    it('acknowledges and resolves, recording when and by whom; others get 404', async () => {
      const alert = (await get('csm1', '/api/alerts?type=escalation')).json().alerts[0];
      expect((await post('csm2', `/api/alerts/${alert.id}/acknowledge`)).statusCode).toBe(404);
      expect((await post('csm1', `/api/alerts/00000000-0000-4000-8000-000000000000/acknowledge`)).statusCode).toBe(404);
      const acked = await post('csm1', `/api/alerts/${alert.id}/acknowledge`);
      expect(acked.statusCode).toBe(200);
      expect(acked.json().alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: users.csm1!.id, resolvedAt: null });
      const at = acked.json().alert.acknowledgedAt as string;
      expect(Date.parse(at)).toBeGreaterThan(NOW - 60_000);
      // Again: nothing changes.
      expect((await post('csm1', `/api/alerts/${alert.id}/acknowledge`)).json().alert.acknowledgedAt).toBe(at);
      const resolved = await post('lead1', `/api/alerts/${alert.id}/resolve`);
      expect(resolved.json().alert).toMatchObject({ status: 'resolved', acknowledgedAt: at, acknowledgedBy: users.csm1!.id, resolvedBy: users.lead1!.id });
      expect(resolved.json().alert.resolvedAt).not.toBeNull();
      const open = (await get('csm1', '/api/alerts?status=open')).json();
      expect(open.alerts.map((a: { id: string }) => a.id)).not.toContain(alert.id);
      // Resolving an open alert acknowledges it too.
      const other = (await get('csm1', '/api/alerts?status=open')).json().alerts[0];
      const direct = (await post('csm1', `/api/alerts/${other.id}/resolve`)).json().alert;
      expect(direct).toMatchObject({ status: 'resolved', acknowledgedBy: users.csm1!.id, resolvedBy: users.csm1!.id });
    });

    it("reads and changes the caller's own subscriptions, which routing then honours", async () => {
      const initial = (await get('csm2', '/api/alerts/subscriptions')).json();
      expect(initial.subscriptions).toEqual([
        { type: 'escalation', enabled: true },
        { type: 'sla_breach', enabled: true },
        { type: 'ticket_spike', enabled: true },
        { type: 'negative_csat', enabled: true },
      ]);
      const put = await app.inject({
        method: 'PUT',
        url: '/api/alerts/subscriptions',
        headers: { authorization: `Bearer ${users.csm2!.key}` },
        payload: { subscriptions: [{ type: 'escalation', enabled: false }] },
      });
      expect(put.statusCode).toBe(200);
      expect(put.json().subscriptions[0]).toEqual({ type: 'escalation', enabled: false });
      expect((await get('csm1', '/api/alerts/subscriptions')).json().subscriptions[0]).toEqual({ type: 'escalation', enabled: true });
      const bad = await app.inject({
        method: 'PUT',
        url: '/api/alerts/subscriptions',
        headers: { authorization: `Bearer ${users.csm2!.key}` },
        payload: { subscriptions: [{ type: 'fire', enabled: false }] },
      });
      expect(bad.statusCode).toBe(400);
      // csm2's customer escalates: csm2 left escalations, so the next tier, the leaders, get it (an alert always reaches someone).
      await write({ id: 50, customerId: customers.Quiet!, created: ago(20) }, null);
      const raised = await announce([await write({ id: 50, customerId: customers.Quiet!, created: ago(20), updated: ago(0.1), escalated: true })]);
      expect(raised).toEqual([expect.objectContaining({ type: 'escalation', recipients: 2 })]);
      expect((await get('csm2', '/api/alerts?type=escalation')).json().alerts).toEqual([]);
      expect((await get('lead1', `/api/alerts?type=escalation&customerId=${customers.Quiet}`)).json().alerts).toHaveLength(1);
    });
  });
});
