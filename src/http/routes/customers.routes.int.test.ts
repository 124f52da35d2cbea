/**
 * The customers API end to end on a real database: bulk upsert (idempotent, ordered, all or
 * nothing, CSMs by email), the list (search, mine, keyset pages, open-ticket counts) and one
 * customer with their current health, with access control.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import { createTestDeps } from '../../test-deps.ts';
import { buildApp } from '../app.ts';

interface CustomerBody {
  id: string;
  externalId: string | null;
  name: string;
  domains: string[];
  csm: { id: string; email: string; name: string } | null;
  baseHealthScore: number | null;
  openTickets: number;
  health: { overall: number | null; support: number | null; base: number | null; change7d: number | null; date: string } | null;
}

describe('customers API', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let adminKey: string;
  let leaderKey: string;
  let csmKey: string;
  let csmId: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 'test')).key;
    const leader = await createUser(deps.db, { email: 'leader@cscx.test', name: 'Lea Der', role: 'leader', password: null });
    leaderKey = (await createApiKey(deps.db, leader.id, 'test')).key;
    const csm = await createUser(deps.db, { email: 'Casey.Sm@cscx.test', name: 'Casey', role: 'csm', password: null });
    csmId = csm.id;
    csmKey = (await createApiKey(deps.db, csm.id, 'test')).key;
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const post = (customers: unknown, key = adminKey) =>
    app.inject({ method: 'POST', url: '/api/customers', headers: { authorization: `Bearer ${key}` }, payload: { customers } });
  const get = (url: string, key = adminKey) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const rowsFor = async (externalIds: string[]) =>
    (await deps.db.query<{ external_id: string; name: string }>('SELECT external_id, name FROM customers WHERE external_id = ANY($1::text[]) ORDER BY external_id', [externalIds])).rows;

  it('creates, then updates by externalId: one row per externalId, ids in the input order, re-posting changes nothing', async () => {
    const entries = [
      { externalId: 'up-3', name: 'Gamma', domains: ['gamma.io'], csmEmail: null, baseHealthScore: 40 },
      { externalId: 'up-1', name: 'Alpha', domains: ['alpha.com'], baseHealthScore: 72.5 },
      { externalId: 'up-2', name: 'Beta', domains: [] },
    ];
    const first = await post(entries);
    expect(first.statusCode, first.body).toBe(200);
    const created = first.json() as { customers: CustomerBody[]; created: number; updated: number; unchanged: number };
    expect(created.customers.map((c) => c.externalId)).toEqual(['up-3', 'up-1', 'up-2']);
    expect(created).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    expect(created.customers[1]).toEqual({
      id: expect.any(String),
      externalId: 'up-1',
      name: 'Alpha',
      domains: ['alpha.com'],
      csm: null,
      baseHealthScore: 72.5,
      openTickets: 0,
      health: null,
    });
    const ids = created.customers.map((c) => c.id);
    expect(new Set(ids).size).toBe(3);

    const again = await post(entries);
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect((again.json() as { customers: CustomerBody[] }).customers.map((c) => c.id)).toEqual(ids);

    const reordered = await post([{ ...entries[2], name: 'Beta Renamed' }, entries[0]]);
    expect(reordered.json()).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect((reordered.json() as { customers: CustomerBody[] }).customers.map((c) => [c.id, c.name])).toEqual([
      [ids[2], 'Beta Renamed'],
      [ids[0], 'Gamma'],
    ]);
    expect(await rowsFor(['up-1', 'up-2', 'up-3'])).toEqual([
      { external_id: 'up-1', name: 'Alpha' },
      { external_id: 'up-2', name: 'Beta Renamed' },
      { external_id: 'up-3', name: 'Gamma' },
    ]);
  });

  it('refuses the whole call when one entry is bad, naming each bad entry by index and field, and writes nothing', async () => {
    const response = await post([
      { externalId: 'aon-0', name: 'Fine Co', domains: ['fine.com'] },
      { externalId: 'aon-1', name: 'Also Fine', csmEmail: 'brand-new-aon@cscx.test' },
      { externalId: 'aon-2', name: 'Fine Too' },
      { externalId: 'aon-3', name: 'Bad Domains', domains: ['ok.com', 'http://x', 'jane@bad.com'] },
    ]);
    expect(response.statusCode).toBe(400);
    const { error } = response.json() as { error: { code: string; message: string; details: Array<{ field: string; message: string }> } };
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual([
      { field: 'customers[3].domains[1]', message: '"http://x" is not a domain name' },
      { field: 'customers[3].domains[2]', message: '"jane@bad.com" is not a domain name' },
    ]);
    expect(error.message).toContain('customers[3].domains[1]: "http://x" is not a domain name');

    const one = await post([{ externalId: 'aon-9', name: 'x', domains: ['http://x'] }]);
    expect(one.json().error.message).toBe('customers[0].domains[0]: "http://x" is not a domain name');

    const many = await post([
      { name: 'No Id' },
      { externalId: 'aon-5', name: '  ', baseHealthScore: 101 },
      { externalId: 'aon-6', name: 'Typo', csm_email: 'x@y.com' },
      { externalId: 'aon-7', name: 'Bad email', csmEmail: 'not-an-email', baseHealthScore: '50' },
      { externalId: 'aon-5', name: 'Twice' },
      'not an object',
    ]);
    expect(many.statusCode).toBe(400);
    expect(many.json().error.details).toEqual([
      { field: 'customers[0].externalId', message: 'is required' },
      { field: 'customers[1].name', message: 'is required' },
      { field: 'customers[1].baseHealthScore', message: '101 is not a number from 0 to 100' },
      { field: 'customers[2]', message: expect.stringMatching(/^has unknown field "csm_email"/) },
      { field: 'customers[3].csmEmail', message: '"not-an-email" is not an email address' },
      { field: 'customers[3].baseHealthScore', message: '"50" is not a number from 0 to 100' },
      { field: 'customers[4].externalId', message: '"aon-5" is also customers[1]: give each customer once' },
      { field: 'customers[5]', message: 'must be an object' },
    ]);

    expect(await rowsFor(['aon-0', 'aon-1', 'aon-2', 'aon-3', 'aon-5', 'aon-6', 'aon-7', 'aon-9'])).toEqual([]);
    const { rows } = await deps.db.query("SELECT 1 FROM users WHERE email = 'brand-new-aon@cscx.test'");
    expect(rows).toEqual([]);

    expect((await post({ not: 'a list' })).json().error.message).toBe('body.customers: must be a list of customers');
    const tooMany = await post(Array.from({ length: 5001 }, (_, i) => ({ externalId: `big-${i}`, name: `Big ${i}` })));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toMatch(/^customers: at most 5000 per call, 5001 given/);
  });

  it('normalizes domains: lower case, no leading @ or www., no duplicates', async () => {
    const response = await post([{ externalId: 'dom-1', name: 'Domains Inc', domains: ['@Acme.COM', 'www.acme.io', 'EU.Acme.co.uk', 'acme.com', 'acme.com.'] }]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().customers[0].domains).toEqual(['acme.com', 'acme.io', 'eu.acme.co.uk']);
    const { rows } = await deps.db.query<{ domains: string[] }>("SELECT domains FROM customers WHERE external_id = 'dom-1'");
    expect(rows[0]?.domains).toEqual(['acme.com', 'acme.io', 'eu.acme.co.uk']);
  });

  it('finds the CSM by email among users of any role, and creates an unknown one as a csm without a password', async () => {
    const response = await post([
      { externalId: 'csm-1', name: 'Has CSM', csmEmail: 'CASEY.SM@cscx.test' },
      { externalId: 'csm-2', name: 'Led by leader', csmEmail: 'leader@cscx.test' },
      { externalId: 'csm-3', name: 'New CSM', csmEmail: ' New.Person@Example.com ' },
      { externalId: 'csm-4', name: 'New CSM again', csmEmail: 'new.person@example.com' },
    ]);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { customers: CustomerBody[]; csmsCreated: string[] };
    expect(body.csmsCreated).toEqual(['new.person@example.com']);
    expect(body.customers[0]?.csm).toEqual({ id: csmId, email: 'Casey.Sm@cscx.test', name: 'Casey' });
    expect(body.customers[1]?.csm).toMatchObject({ email: 'leader@cscx.test', name: 'Lea Der' });
    const created = body.customers[2]?.csm;
    expect(created).toMatchObject({ email: 'new.person@example.com' });
    expect(body.customers[3]?.csm?.id).toBe(created?.id);
    const { rows } = await deps.db.query<{ role: string; password_hash: string | null }>('SELECT role, password_hash FROM users WHERE id = $1', [created?.id]);
    expect(rows).toEqual([{ role: 'csm', password_hash: null }]);
    const { rows: leaders } = await deps.db.query<{ role: string }>("SELECT role FROM users WHERE email = 'leader@cscx.test'");
    expect(leaders).toEqual([{ role: 'leader' }]);

    const again = await post([{ externalId: 'csm-3', name: 'New CSM', csmEmail: 'new.person@example.com' }]);
    expect(again.json()).toMatchObject({ csmsCreated: [], unchanged: 1 });
    const cleared = await post([{ externalId: 'csm-3', name: 'New CSM' }]);
    expect(cleared.json()).toMatchObject({ updated: 1, customers: [{ csm: null }] });
  });

  it('lets only admins write; any signed-in role reads', async () => {
    for (const key of [csmKey, leaderKey]) {
      const response = await post([{ externalId: 'role-1', name: 'Nope' }], key);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect((await app.inject({ method: 'GET', url: '/api/customers' })).statusCode).toBe(401);
    for (const key of [csmKey, leaderKey, adminKey]) expect((await get('/api/customers', key)).statusCode).toBe(200);
    expect(await rowsFor(['role-1'])).toEqual([]);
  });

  it('searches by name (case-insensitive substring) and lists the caller\'s own customers with mine=true', async () => {
    await post([
      { externalId: 'srch-1', name: 'Umbrella Corporation', csmEmail: 'casey.sm@cscx.test' },
      { externalId: 'srch-2', name: 'Umbrella Health 100%_off' },
      { externalId: 'srch-3', name: 'Initech' , csmEmail: 'casey.sm@cscx.test' },
    ]);
    const names = async (url: string, key = adminKey) => ((await get(url, key)).json() as { customers: CustomerBody[] }).customers.map((c) => c.name);
    expect(await names('/api/customers?q=UMBRELLA')).toEqual(['Umbrella Corporation', 'Umbrella Health 100%_off']);
    expect(await names('/api/customers?q=rella%20corp')).toEqual(['Umbrella Corporation']);
    // % and _ are plain characters, not patterns
    expect(await names('/api/customers?q=100%25_')).toEqual(['Umbrella Health 100%_off']);
    expect(await names('/api/customers?q=zzz-nothing')).toEqual([]);
    expect(await names('/api/customers?mine=true', csmKey)).toEqual(['Has CSM', 'Initech', 'Umbrella Corporation']);
    expect(await names('/api/customers?mine=true&q=umb', csmKey)).toEqual(['Umbrella Corporation']);
    expect(await names('/api/customers?mine=true', leaderKey)).toEqual(['Led by leader']);
    expect(await names('/api/customers?mine=true', adminKey)).toEqual([]);
  });

  it('walks 120 customers in pages of 50 without gaps or repeats', async () => {
    // Names with ties in case, so that the id breaks ties in the order.
    const entries = Array.from({ length: 120 }, (_, i) => ({ externalId: `page-${i}`, name: `Paged ${i % 2 === 0 ? 'Co' : 'CO'} ${String(i % 40).padStart(2, '0')}` }));
    expect((await post(entries)).statusCode).toBe(200);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/customers?q=paged&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await get(url, csmKey);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as { customers: CustomerBody[]; nextCursor: string | null };
      sizes.push(page.customers.length);
      seen.push(...page.customers.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    const { rows } = await deps.db.query<{ id: string }>("SELECT id FROM customers WHERE external_id LIKE 'page-%'");
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.id)));

    const exact = (await get('/api/customers?q=paged&limit=120')).json() as { customers: CustomerBody[]; nextCursor: string | null };
    expect(exact.customers.map((c) => c.id)).toEqual(seen);
    expect(exact.nextCursor).toBeNull();
    expect((await get('/api/customers?q=paged')).json().customers).toHaveLength(50);

    for (const bad of ['limit=0', 'limit=201', 'limit=abc', 'mine=yes']) {
      const response = await get(`/api/customers?${bad}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const badCursor = await get('/api/customers?cursor=not-a-cursor');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.message).toMatch(/^cursor: is not a cursor/);
  });

  it('counts open tickets (new, open, pending, hold) per customer in the list and for one customer', async () => {
    const posted = (await post([
      { externalId: 'tix-1', name: 'Ticketed One' },
      { externalId: 'tix-2', name: 'Ticketed Two' },
      { externalId: 'tix-3', name: 'Ticketed Three' },
    ])).json() as { customers: CustomerBody[] };
    const [one, two, three] = posted.customers.map((c) => c.id);
    const { rows } = await deps.db.query<{ id: string }>("INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('tix', 'api_token', 'active') RETURNING id");
    const connectionId = rows[0]?.id;
    const tickets: Array<[string | null, string]> = [
      [one!, 'new'], [one!, 'open'], [one!, 'pending'], [one!, 'hold'], [one!, 'solved'], [one!, 'closed'], [one!, 'deleted'],
      [two!, 'open'], [two!, 'solved'],
      [null, 'open'],
    ];
    for (const [index, [customerId, status]] of tickets.entries()) {
      await deps.db.query(
        `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, zendesk_created_at, zendesk_updated_at)
         VALUES ($1, $2, $3, $4, now(), now())`,
        [connectionId, index + 1, customerId, status],
      );
    }
    const list = (await get('/api/customers?q=ticketed')).json() as { customers: CustomerBody[] };
    expect(Object.fromEntries(list.customers.map((c) => [c.name, c.openTickets]))).toEqual({ 'Ticketed One': 4, 'Ticketed Two': 1, 'Ticketed Three': 0 });

    const single = await get(`/api/customers/${one}`, csmKey);
    expect(single.statusCode).toBe(200);
    expect(single.json()).toEqual({
      customer: { id: one, externalId: 'tix-1', name: 'Ticketed One', domains: [], csm: null, baseHealthScore: null, openTickets: 4, health: null },
    });
    expect((await get(`/api/customers/${three}`)).json().customer.openTickets).toBe(0);
  });

  it('gives each customer its current health (latest score, its 7-day change) in the list, for one customer and after an upsert; reading writes nothing', async () => {
    const posted = (await post([
      { externalId: 'hl-1', name: 'Healthy Scored', baseHealthScore: 80 },
      { externalId: 'hl-2', name: 'Healthy Unscored' },
    ])).json() as { customers: CustomerBody[] };
    const [scored, unscored] = posted.customers.map((c) => c.id);
    expect(posted.customers.map((c) => c.health)).toEqual([null, null]);
    const score = (day: string, overall: number | null, support: number | null) =>
      deps.db.query(
        `INSERT INTO customer_health_daily (customer_id, day, support_score, overall_score, base_score, support_weight, explanation) VALUES ($1, $2, $3, $4, 80, 0.4, '{}')`,
        [scored, day, support, overall],
      );
    await score('2025-05-10', 70, 55);
    await score('2025-05-20', 66, 50); // 7 days or more before the latest: the change is against this one
    await score('2025-05-27', 58.5, 31.25);
    const current = { overall: 58.5, support: 31.25, base: 80, change7d: -7.5, date: '2025-05-27' };
    const rowCount = async () => (await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_health_daily')).rows[0]?.n;
    const before = await rowCount();

    const list = (await get('/api/customers?q=healthy', csmKey)).json() as { customers: CustomerBody[] };
    expect(Object.fromEntries(list.customers.map((c) => [c.name, c.health]))).toEqual({ 'Healthy Scored': current, 'Healthy Unscored': null });
    expect((await get(`/api/customers/${scored}`)).json().customer.health).toEqual(current);
    expect((await get(`/api/customers/${unscored}`)).json().customer.health).toBeNull();
    // The same figures as the overview's.
    expect((await get(`/api/customers/${scored}/overview`)).json().customer.health).toEqual(current);
    const reposted = (await post([{ externalId: 'hl-1', name: 'Healthy Scored', baseHealthScore: 80 }])).json() as { customers: CustomerBody[] };
    expect(reposted.customers[0]?.health).toEqual(current);

    // A score without an overall part yet (no base score) still names its day; no 7-day change then.
    await score('2025-05-28', null, 40);
    expect((await get(`/api/customers/${scored}`)).json().customer.health).toEqual({ overall: null, support: 40, base: 80, change7d: null, date: '2025-05-28' });
    expect(await rowCount()).toBe(before! + 1);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await get('/api/customers/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({ code: 'not_found', message: 'no customer 00000000-0000-4000-8000-000000000000' });
    const malformed = await get('/api/customers/not-an-id');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatchObject({ code: 'validation_failed', message: 'params.id: is not a customer id' });
  });
});
