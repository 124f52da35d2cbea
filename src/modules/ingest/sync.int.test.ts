/**
 * The sync against the emulator: a full import equals Zendesk field by field, the catch-up brings
 * later changes, an interrupted import resumes without loss or duplicates, older versions never
 * win, and one worker syncs a connection at a time.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { User } from '../users/users.repo.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { differencesFromZendesk, emulatorApi } from './sync-test-helpers.ts';
import { DEFAULT_ESCALATION_RULE } from './escalation-rule.ts';
import { claimSyncLease, encodeTickets, upsertTickets, upsertUsers } from './sync.repo.ts';
import { PROCESS_ID, runSync } from './sync.service.ts';
import { pageRows } from './ticket-rows.ts';
import { prepareTicketBatch, writeTicketBatch } from './ticket-writer.ts';

const API_TOKEN = 'sync-test-token';

describe('ticket sync (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let admin: User;
  let app: FastifyInstance;
  let adminKey: string;

  const zendeskApi = async (method: string, path: string, body?: unknown, subdomain = 'acme') => {
    const answer = await emulatorApi(zendesk, API_TOKEN, subdomain)(method, path, body);
    expect(answer.status, `${method} ${path}`).toBeLessThan(300);
    return answer.body as Record<string, unknown> | null;
  };
  /** Changes are served by the export only once they are a minute old. */
  const letAMinutePass = () => clock.advance(61_000);

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, subdomains: ['acme', 'globex'], tickets: 2500, users: 300, organizations: 20, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 't')).key;
    app = await buildApp(deps);
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  let acmeId: string;

  it('imports every ticket, with its requester, organization, tags and rating, equal to Zendesk', async () => {
    acmeId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
    const result = await runSync(deps, acmeId);
    expect(result).toMatchObject({ outcome: 'synced', pages: 3, tickets: 2500 });
    expect(await differencesFromZendesk(deps.db, zendesk, 'acme', acmeId)).toEqual([]);

    const list = await app.inject({ method: 'GET', url: '/api/integrations/zendesk/connections', headers: { authorization: `Bearer ${adminKey}` } });
    expect(list.json().connections[0].sync).toMatchObject({ state: 'live', imported: 2500, total: 2500, etaSeconds: 0, error: null });
    expect(list.json().connections[0].sync.lastSyncedAt).not.toBeNull();
  });

  it("keeps Zendesk's own resolution and reply times, as its ticket metrics say", async () => {
    const { rows } = await deps.db.query<{ zendesk_ticket_id: number; full_resolution_minutes: number | null; first_resolution_minutes: number | null; first_reply_minutes: number | null; reopens: number | null }>(
      `SELECT zendesk_ticket_id, full_resolution_minutes, first_resolution_minutes, first_reply_minutes, reopens
         FROM zendesk_tickets WHERE connection_id = $1 AND status IN ('solved', 'closed') ORDER BY zendesk_ticket_id LIMIT 20`,
      [acmeId],
    );
    expect(rows.length).toBe(20);
    for (const row of rows) {
      const answer = (await zendeskApi('GET', `/tickets/${row.zendesk_ticket_id}/metrics`)) as { ticket_metric: unknown };
      // The OAS shows this answer as an array of one; accept an object too.
      const metric = (Array.isArray(answer.ticket_metric) ? answer.ticket_metric[0] : answer.ticket_metric) as {
        full_resolution_time_in_minutes: { calendar: number | null };
        first_resolution_time_in_minutes: { calendar: number | null };
        reply_time_in_minutes: { calendar: number | null };
        reopens: number;
      };
      expect(row).toEqual({
        zendesk_ticket_id: row.zendesk_ticket_id,
        full_resolution_minutes: metric.full_resolution_time_in_minutes.calendar,
        first_resolution_minutes: metric.first_resolution_time_in_minutes.calendar,
        first_reply_minutes: metric.reply_time_in_minutes.calendar,
        reopens: metric.reopens,
      });
    }
    expect(rows.some((r) => r.full_resolution_minutes !== null)).toBe(true);
  });

  it('catches up on later changes from the stored cursor, and only those', async () => {
    const open = [...zendesk.store.state('acme')!.account.tickets.values()].find((t) => t.status === 'open' && !t.deleted)!;
    await zendeskApi('PUT', `/tickets/${open.id}`, { ticket: { status: 'pending', priority: 'urgent', tags: ['escalated', 'vip'] } });
    await zendeskApi('POST', '/tickets', { ticket: { subject: 'New from a new person', comment: { body: 'Help' }, requester: { name: 'Neo', email: 'neo@newco.example' } } });
    const another = [...zendesk.store.state('acme')!.account.tickets.values()].find((t) => t.status === 'new' && !t.deleted)!;
    await zendeskApi('DELETE', `/tickets/${another.id}`);
    expect(await runSync(deps, acmeId)).toMatchObject({ outcome: 'synced', tickets: 0 }); // not yet a minute old
    letAMinutePass();
    const result = await runSync(deps, acmeId);
    expect(result.outcome).toBe('synced');
    expect(result.tickets).toBe(3);
    expect(await differencesFromZendesk(deps.db, zendesk, 'acme', acmeId)).toEqual([]);

    // The history saw what happened, from the versions: escalation, status, deletion, a new ticket.
    const events = await deps.db.query<{ zendesk_ticket_id: number; kind: string; source: string }>(
      `SELECT zendesk_ticket_id, kind, source FROM zendesk_ticket_events WHERE connection_id = $1 AND source = 'catch-up' ORDER BY id`,
      [acmeId],
    );
    const of = (id: number) => events.rows.filter((e) => e.zendesk_ticket_id === id).map((e) => e.kind);
    expect(of(open.id)).toEqual(expect.arrayContaining(['status_changed', 'priority_changed', 'escalated']));
    expect(of(another.id)).toEqual(expect.arrayContaining(['status_changed', 'deleted']));
    expect(events.rows.some((e) => e.kind === 'created')).toBe(true);
    const imported = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_ticket_events WHERE connection_id = $1 AND kind = 'created' AND source = 'import'`, [acmeId]);
    expect(imported.rows[0]?.n).toBe(2500);
  });

  it('resumes an interrupted import from its last committed page, losing and doubling nothing', async () => {
    const globex = await connectWithApiToken(deps, admin, { subdomain: 'globex', email: 'admin@example.com', apiToken: API_TOKEN });
    expect(await runSync(deps, globex.id, { maxPages: 1 })).toEqual({ outcome: 'partial', pages: 1, tickets: 1000 });
    const list = await app.inject({ method: 'GET', url: '/api/integrations/zendesk/connections', headers: { authorization: `Bearer ${adminKey}` } });
    const progress = list.json().connections.find((c: { subdomain: string }) => c.subdomain === 'globex').sync;
    // total is Zendesk's own ticket count (which leaves deleted tickets out; the export has them).
    const count = (await zendeskApi('GET', '/tickets/count?support_type_scope=all', undefined, 'globex')) as { count: { value: number } };
    expect(progress).toMatchObject({ state: 'importing', imported: 1000, total: count.count.value });
    expect(progress.etaSeconds).toBeGreaterThanOrEqual(0);
    const rest = await runSync(deps, globex.id);
    expect(rest).toMatchObject({ outcome: 'synced', pages: 2, tickets: 1500 });
    expect(await differencesFromZendesk(deps.db, zendesk, 'globex', globex.id)).toEqual([]);
  });

  it('stores a ticket whose text holds NUL characters (PostgreSQL stores none), without them', async () => {
    const rows = pageRows({
      tickets: [{ id: 990001, subject: 'bad\u0000subject', status: 'open', priority: 'low', type: null, tags: ['t\u0000ag'], custom_fields: [{ id: 1, value: 'v\u0000' }], requester_id: null, assignee_id: null, organization_id: null, group_id: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', generated_timestamp: 1 }],
      users: [],
      organizations: [],
      metric_sets: [],
    });
    expect(await upsertTickets(deps.db, acmeId, encodeTickets(rows.tickets), [])).toHaveLength(1);
    const { rows: stored } = await deps.db.query<{ subject: string; tags: string[]; custom_fields: unknown }>(
      `SELECT subject, tags, custom_fields FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990001`,
      [acmeId],
    );
    expect(stored[0]).toEqual({ subject: 'badsubject', tags: ['tag'], custom_fields: [{ id: 1, value: 'v' }] });
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990001`, [acmeId]);
  });

  it('writes a ticket with its customer, and moves it when a newer version matches another customer', async () => {
    const [first, second] = (
      await deps.db.query<{ id: string }>(`INSERT INTO customers (name, domains) VALUES ('Writer One', '{writer-one.test}'), ('Writer Two', '{writer-two.test}') RETURNING id`)
    ).rows.map((row) => row.id);
    const version = (updatedAt: string, email: string) =>
      pageRows({
        tickets: [{ id: 990002, status: 'open', priority: 'low', type: null, tags: [], custom_fields: [], requester_id: 77, assignee_id: null, organization_id: null, group_id: null, created_at: '2026-01-01T00:00:00Z', updated_at: updatedAt, generated_timestamp: 1 }],
        users: [{ id: 77, name: 'Pat', email, organization_id: null, updated_at: updatedAt }],
        organizations: [],
        metric_sets: [],
      });
    const stored = async () =>
      (await deps.db.query<{ customer_id: string; match_method: string }>(
        `SELECT customer_id, match_method FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990002`,
        [acmeId],
      )).rows[0];
    const firstWrite = await deps.db.transaction((tx) => writeTicketBatch(tx, acmeId, prepareTicketBatch(version('2026-01-02T00:00:00Z', 'pat@writer-one.test'), DEFAULT_ESCALATION_RULE), 'import', []));
    expect(firstWrite.map((w) => [w.previousCustomerId, w.customerId])).toEqual([[null, first]]);
    expect(await stored()).toEqual({ customer_id: first, match_method: 'email_domain' });
    const moved = await deps.db.transaction((tx) => writeTicketBatch(tx, acmeId, prepareTicketBatch(version('2026-01-03T00:00:00Z', 'pat@writer-two.test'), DEFAULT_ESCALATION_RULE), 'webhook', []));
    expect(moved.map((w) => [w.previousCustomerId, w.customerId])).toEqual([[first, second]]);
    expect(await stored()).toEqual({ customer_id: second, match_method: 'email_domain' });
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990002`, [acmeId]);
    await deps.db.query(`DELETE FROM customers WHERE id = ANY($1::uuid[])`, [[first, second]]);
  });

  it('fills a requester and an assignee the page does not carry from the users already stored', async () => {
    const page = (users: Array<{ id: number; name: string; email: string; organization_id: null; updated_at: string }>) =>
      pageRows({
        tickets: [{ id: 990003, status: 'open', priority: 'low', type: null, tags: [], custom_fields: [], requester_id: 78, assignee_id: 79, organization_id: null, group_id: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', generated_timestamp: 1 }],
        users,
        organizations: [],
        metric_sets: [],
      });
    const known = page([
      { id: 78, name: 'Robin Requester', email: 'Robin@Known.test', organization_id: null, updated_at: '2026-01-01T00:00:00Z' },
      { id: 79, name: 'Alex Agent', email: 'alex@support.test', organization_id: null, updated_at: '2026-01-01T00:00:00Z' },
    ]);
    await upsertUsers(deps.db, acmeId, known.users);
    await deps.db.transaction((tx) => writeTicketBatch(tx, acmeId, prepareTicketBatch(page([]), DEFAULT_ESCALATION_RULE), 'webhook', []));
    const { rows: stored } = await deps.db.query(
      `SELECT requester_email, requester_name, assignee_name FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990003`,
      [acmeId],
    );
    expect(stored).toEqual([{ requester_email: 'robin@known.test', requester_name: 'Robin Requester', assignee_name: 'Alex Agent' }]);
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990003`, [acmeId]);
  });

  it('writes a version equal to the stored row not at all, and takes one with the same stamps that differs', async () => {
    const version = (subject: string) =>
      pageRows({
        tickets: [{ id: 990004, subject, status: 'open', priority: 'low', type: null, tags: ['a'], custom_fields: [{ id: 1, value: 'v' }], requester_id: null, assignee_id: null, organization_id: null, group_id: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', generated_timestamp: 7 }],
        users: [],
        organizations: [],
        metric_sets: [],
      }).tickets;
    const syncedAt = async () =>
      (await deps.db.query<{ last_synced_at: Date }>(`SELECT last_synced_at FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990004`, [acmeId])).rows[0]
        ?.last_synced_at;
    expect(await upsertTickets(deps.db, acmeId, encodeTickets(version('first')), [])).toHaveLength(1);
    const first = await syncedAt();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Read again (a catch-up after the webhook): nothing to write, nothing to tell the listeners.
    expect(await upsertTickets(deps.db, acmeId, encodeTickets(version('first')), [])).toEqual([]);
    expect(await syncedAt()).toEqual(first);
    // The same stamps (one-second precision) with other content: a later read, taken.
    expect((await upsertTickets(deps.db, acmeId, encodeTickets(version('second')), [])).map((w) => w.zendeskTicketId)).toEqual([990004]);
    expect((await syncedAt())!.getTime()).toBeGreaterThan(first!.getTime());
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990004`, [acmeId]);
  });

  it('keeps stored SLA data, Zendesk figures and the solve time when a later page lacks the side-loads (an archived ticket)', async () => {
    const base = { id: 990005, status: 'closed', priority: 'high', type: null, tags: [], custom_fields: [], requester_id: null, assignee_id: null, organization_id: null, group_id: null, created_at: '2026-01-01T00:00:00Z' };
    const slas = { policy_metrics: [{ breach_at: '2026-01-01T08:00:00Z', stage: 'achieved', metric: 'first_reply_time', hours: 8 }] };
    const metricSet = {
      id: 1, ticket_id: 990005, solved_at: '2026-01-03T00:00:00Z', reopens: 0,
      full_resolution_time_in_minutes: { calendar: 2880, business: 900 }, first_resolution_time_in_minutes: { calendar: 2880, business: 900 }, reply_time_in_minutes: { calendar: 30, business: 30 },
    };
    const stored = async () =>
      (await deps.db.query(
        `SELECT sla_policy_metrics, full_resolution_minutes, first_reply_minutes, resolved_at FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990005`,
        [acmeId],
      )).rows[0];
    const page = (updatedAt: string, withSideLoads: boolean) =>
      pageRows({
        tickets: [{ ...base, updated_at: updatedAt, generated_timestamp: Date.parse(updatedAt) / 1000, ...(withSideLoads ? { slas } : {}) }],
        users: [],
        organizations: [],
        metric_sets: withSideLoads ? [metricSet] : [],
      } as Parameters<typeof pageRows>[0]).tickets;
    await upsertTickets(deps.db, acmeId, encodeTickets(page('2026-01-04T00:00:00Z', true)), []);
    const full = { sla_policy_metrics: slas.policy_metrics, full_resolution_minutes: 2880, first_reply_minutes: 30, resolved_at: new Date('2026-01-03T00:00:00Z') };
    expect(await stored()).toEqual(full);
    // A later version without the slas and metric_sets side-loads (archived: closed 120 days ago) erases nothing.
    await upsertTickets(deps.db, acmeId, encodeTickets(page('2026-05-10T00:00:00Z', false)), []);
    expect(await stored()).toEqual(full);
    // First seen without a metric set: solved at its updated_at (the ticket events stream dates it exactly).
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990005`, [acmeId]);
    await upsertTickets(deps.db, acmeId, encodeTickets(page('2026-05-10T00:00:00Z', false)), []);
    expect(await stored()).toMatchObject({ sla_policy_metrics: null, full_resolution_minutes: null, resolved_at: new Date('2026-05-10T00:00:00Z') });
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 990005`, [acmeId]);
  });

  it('never lets an older version overwrite a newer one', async () => {
    const { rows } = await deps.db.query<{ zendesk_updated_at: Date; status: string }>(`SELECT zendesk_updated_at, status FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 5`, [acmeId]);
    const current = rows[0]!;
    const stale = pageRows({
      tickets: [{ id: 5, status: 'open', priority: 'low', type: null, tags: [], custom_fields: [], requester_id: null, assignee_id: null, organization_id: null, group_id: null, created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-02T00:00:00Z', generated_timestamp: 1 }],
      users: [],
      organizations: [],
      metric_sets: [],
    });
    expect(await upsertTickets(deps.db, acmeId, encodeTickets(stale.tickets), [])).toEqual([]);
    const after = (await deps.db.query<{ zendesk_updated_at: Date; status: string }>(`SELECT zendesk_updated_at, status FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = 5`, [acmeId])).rows[0]!;
    expect(after).toEqual(current);
  });

  it('lets one worker sync a connection at a time', async () => {
    // Another run of this process (on PostgreSQL it could as well be another process).
    expect(await claimSyncLease(deps.db, acmeId, `${PROCESS_ID}:other-run`, 60)).not.toBeNull();
    expect(await runSync(deps, acmeId)).toEqual({ outcome: 'busy', pages: 0, tickets: 0 });
    await deps.db.query(`UPDATE zendesk_sync_state SET lease_until = now() - interval '1 second' WHERE connection_id = $1`, [acmeId]);
    expect((await runSync(deps, acmeId)).outcome).toBe('synced'); // an expired lease is taken over
  });

  it('takes over at once, on the embedded engine, a lease left by a crashed process', async () => {
    await claimSyncLease(deps.db, acmeId, 'crashed-process:1', 60);
    const result = await runSync(deps, acmeId);
    expect(result.outcome).toBe(deps.db.engine === 'pglite' ? 'synced' : 'busy');
  });
});
