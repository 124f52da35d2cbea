/**
 * A customer's ticket list: every filter, each sort both ways, keyset pages that neither skip nor
 * repeat (walked to the end and compared with a model of the expected list), the ticket's shape,
 * and the errors. Data is written with SQL; the model computes the answer independently.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/db.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { NO_FILTER } from './ticket-list.ts';
import { insertConnection, insertCustomer, insertTickets, SLA_STATE, seededRandom, sortModel, timeKey, type ModelTicket } from './tickets-test-data.ts';
import { listCustomerTickets } from './tickets.service.ts';

const BASE = '/api/integrations/zendesk/tickets';

interface ApiTicket {
  id: string;
  zendeskTicketId: number;
  subdomain: string;
  url: string;
  status: string;
  sla: { state: string | null; nextBreachAt: string | null };
  [key: string]: unknown;
}

describe('tickets list', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let csmKey: string;
  let leaderKey: string;
  let customerId: string;
  let otherCustomerId: string;
  let emptyCustomerId: string;
  let tickets: ModelTicket[];
  const nowMs = Date.now();

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const csm = await createUser(deps.db, { email: 'csm@cscx.test', name: 'Casey CSM', role: 'csm', password: null });
    csmKey = (await createApiKey(deps.db, csm.id, 't')).key;
    const leader = await createUser(deps.db, { email: 'lead@cscx.test', name: 'Lee Leader', role: 'leader', password: null });
    leaderKey = (await createApiKey(deps.db, leader.id, 't')).key;
    customerId = await insertCustomer(deps.db, 'Acme Corp');
    otherCustomerId = await insertCustomer(deps.db, 'Globex');
    emptyCustomerId = await insertCustomer(deps.db, 'Initech');
    const acme = await insertConnection(deps.db, 'acme');
    const globex = await insertConnection(deps.db, 'globex');
    const random = seededRandom(184);
    tickets = await insertTickets(deps.db, { connections: [acme, globex], customerId, count: 320, random, firstZendeskId: 1, nowMs });
    // Other customers' and unmatched tickets must never show.
    await insertTickets(deps.db, { connections: [acme, globex], customerId: otherCustomerId, count: 60, random, firstZendeskId: 10_001, nowMs });
    await insertTickets(deps.db, { connections: [acme], customerId: null, count: 30, random, firstZendeskId: 20_001, nowMs });
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const get = (url: string, key = csmKey) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  /** Every page of a query, in order, following nextCursor to the end. */
  async function walk(query: string, limit: number): Promise<{ tickets: ApiTicket[]; pages: number }> {
    const out: ApiTicket[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params = new URLSearchParams(query);
      params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      const response = await get(`${BASE}/${customerId}?${params}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { tickets: ApiTicket[]; nextCursor: string | null };
      expect(body.tickets.length).toBeLessThanOrEqual(limit);
      if (body.nextCursor !== null) expect(body.tickets.length).toBe(limit);
      out.push(...body.tickets);
      cursor = body.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(1000);
    } while (cursor);
    return { tickets: out, pages };
  }

  const live = () => tickets.filter((t) => t.status !== 'deleted');
  const ids = (list: Array<{ id: string }>) => list.map((t) => t.id);

  it('lists the customer tickets, newest update first, deleted left out, on pages that neither skip nor repeat', async () => {
    const { tickets: seen, pages } = await walk('', 7);
    const expected = sortModel(live(), 'updated', 'desc');
    expect(new Set(ids(seen)).size).toBe(seen.length);
    expect(ids(seen)).toEqual(ids(expected));
    expect(pages).toBe(Math.ceil(expected.length / 7));
    expect(seen.some((t) => t.status === 'deleted')).toBe(false);
  });

  it('gives 50 tickets a page by default, and up to 200', async () => {
    const first = await get(`${BASE}/${customerId}`);
    expect(first.json().tickets).toHaveLength(50);
    expect(first.json().nextCursor).toEqual(expect.any(String));
    const big = await get(`${BASE}/${customerId}?limit=200`);
    expect(big.json().tickets).toHaveLength(200);
    const all = await get(`${BASE}/${customerId}?status=new,open,pending,hold,solved,closed,deleted&limit=200&cursor=${big.json().nextCursor}`);
    expect(all.statusCode).toBe(200);
  });

  for (const sort of ['updated', 'created', 'priority'] as const) {
    for (const order of ['desc', 'asc'] as const) {
      it(`sorts by ${sort} ${order}, across pages`, async () => {
        const { tickets: seen } = await walk(`sort=${sort}&order=${order}`, 13);
        expect(ids(seen)).toEqual(ids(sortModel(live(), sort, order)));
      });
    }
  }

  const filters: Array<[string, (t: ModelTicket) => boolean]> = [
    ['status=open', (t) => ['new', 'open', 'pending', 'hold'].includes(t.status)],
    ['status=solved,closed', (t) => t.status === 'solved' || t.status === 'closed'],
    ['status=deleted', (t) => t.status === 'deleted'],
    ['status=new,deleted', (t) => t.status === 'new' || t.status === 'deleted'],
    ['status=pending', (t) => t.status === 'pending'],
    ['status=OPEN,solved', (t) => ['new', 'open', 'pending', 'hold', 'solved'].includes(t.status)],
    ['priority=urgent,high', (t) => t.status !== 'deleted' && (t.priority === 'urgent' || t.priority === 'high')],
    ['priority=low', (t) => t.status !== 'deleted' && t.priority === 'low'],
    ['escalated=true', (t) => t.status !== 'deleted' && t.escalated],
    ['escalated=false', (t) => t.status !== 'deleted' && !t.escalated],
    ['slaBreached=true', (t) => t.status !== 'deleted' && SLA_STATE[t.sla] === 'breached'],
    ['slaBreached=false', (t) => t.status !== 'deleted' && SLA_STATE[t.sla] !== 'breached'],
    [`createdSince=${timeKey(60)}`, (t) => t.status !== 'deleted' && t.created >= timeKey(60)],
    ['createdSince=2024-03-01', (t) => t.status !== 'deleted'],
    ['createdSince=2024-03-02', () => false],
    [`updatedSince=${encodeURIComponent('2024-03-01T02:30:00+01:00')}`, (t) => t.status !== 'deleted' && t.updated >= timeKey(90)],
    ['q=refund', (t) => t.status !== 'deleted' && /refund/i.test(t.subject)],
    [`q=${encodeURIComponent('100%')}`, (t) => t.status !== 'deleted' && t.subject.includes('100%')],
    ['q=snake_case', (t) => t.status !== 'deleted' && t.subject.toLowerCase().includes('snake_case')],
    ['q=%20%20INVOICE%20', (t) => t.status !== 'deleted' && /invoice/i.test(t.subject)],
    ['status=open&priority=urgent,high&escalated=true&slaBreached=true', (t) => ['new', 'open', 'pending', 'hold'].includes(t.status) && ['urgent', 'high'].includes(t.priority ?? '') && t.escalated && SLA_STATE[t.sla] === 'breached'],
  ];

  for (const [query, keep] of filters) {
    it(`filters ${decodeURIComponent(query)}`, async () => {
      const expected = sortModel(tickets.filter(keep), 'updated', 'desc');
      const { tickets: seen } = await walk(query, 50);
      expect(ids(seen)).toEqual(ids(expected));
      if (!query.startsWith('createdSince=2024-03-02')) expect(seen.length).toBeGreaterThan(0);
    });
  }

  it('combines filters with another sort, across pages', async () => {
    const { tickets: seen } = await walk(`escalated=false&createdSince=${timeKey(30)}&sort=priority&order=asc`, 9);
    const expected = sortModel(tickets.filter((t) => t.status !== 'deleted' && !t.escalated && t.created >= timeKey(30)), 'priority', 'asc');
    expect(expected.length).toBeGreaterThan(9);
    expect(ids(seen)).toEqual(ids(expected));
  });

  it('shows each ticket with its link in Zendesk, its SLA state and its fields', async () => {
    const { tickets: seen } = await walk('status=new,open,pending,hold,solved,closed,deleted', 200);
    expect(seen).toHaveLength(tickets.length);
    const byId = new Map(tickets.map((t) => [t.id, t]));
    for (const ticket of seen) {
      const model = byId.get(ticket.id)!;
      expect(ticket.url).toBe(`https://${model.subdomain}.zendesk.com/agent/tickets/${model.zendeskTicketId}`);
      expect(ticket.subdomain).toBe(model.subdomain);
      expect(ticket.sla.state, `${model.sla}`).toBe(SLA_STATE[model.sla]);
      expect(ticket.sla.nextBreachAt === null).toBe(['none', 'empty', 'achieved', 'paused', 'unreadable'].includes(model.sla));
    }
    const one = seen.find((t) => byId.get(t.id)!.sla === 'mixed_due_soon')!;
    const model = byId.get(one.id)!;
    expect(one).toEqual({
      id: model.id,
      connectionId: model.connectionId,
      zendeskTicketId: model.zendeskTicketId,
      subdomain: model.subdomain,
      url: `https://${model.subdomain}.zendesk.com/agent/tickets/${model.zendeskTicketId}`,
      subject: model.subject,
      status: model.status,
      priority: model.priority,
      type: null,
      escalated: model.escalated,
      requesterEmail: expect.stringMatching(/^person\d+@example\.com$/),
      requesterName: expect.stringMatching(/^Person \d+$/),
      assigneeName: expect.toBeOneOf(['Agent Smith', null]),
      organizationZendeskId: null,
      tags: model.tags,
      customFields: [{ id: 360001, value: expect.stringMatching(/^plan-\d$/) }],
      satisfactionRating: ['solved', 'closed'].includes(model.status) ? expect.any(String) : null,
      satisfactionComment: null,
      sla: { state: 'due_soon', nextBreachAt: new Date(nowMs + 20 * 60_000).toISOString() },
      matchMethod: expect.toBeOneOf(['organization', 'custom_field', 'email_domain', 'organization_domain']),
      createdAt: new Date(model.created).toISOString(),
      updatedAt: new Date(model.updated).toISOString(),
      resolvedAt: ['solved', 'closed'].includes(model.status) ? new Date(model.updated).toISOString() : null,
    });
  });

  it('builds ticket links from ZENDESK_URL_TEMPLATE', async () => {
    const page = await listCustomerTickets(
      { db: deps.db, config: { ...deps.config, ZENDESK_URL_TEMPLATE: 'http://127.0.0.1:4010/{subdomain}' } },
      { customerId, filter: NO_FILTER, sort: 'updated', order: 'desc', limit: 1, cursor: null },
    );
    const first = page.tickets[0]!;
    expect(first.url).toBe(`http://127.0.0.1:4010/${first.subdomain}/agent/tickets/${first.zendeskTicketId}`);
  });

  it('reads each page with one SQL statement', async () => {
    let statements = 0;
    const counting: Db = { ...deps.db, query: (text, params) => ((statements += 1), deps.db.query(text, params)) };
    const first = await listCustomerTickets(
      { db: counting, config: deps.config },
      { customerId, filter: { ...NO_FILTER, q: 'refund', slaBreached: false }, sort: 'priority', order: 'desc', limit: 5, cursor: null },
    );
    expect(statements).toBe(1);
    expect(first.nextCursor).not.toBeNull();
    const unknown = listCustomerTickets({ db: counting, config: deps.config }, { customerId: '00000000-0000-4000-8000-000000000000', filter: NO_FILTER, sort: 'updated', order: 'desc', limit: 5, cursor: null });
    await expect(unknown).rejects.toMatchObject({ code: 'not_found' });
    expect(statements).toBe(2);
  });

  it('answers 404 for an unknown customer, and an empty list for a customer without tickets', async () => {
    const unknown = await get(`${BASE}/6f1c1e4e-5a8b-4c1d-9a55-3d1f1e2a7b90`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({ code: 'not_found', message: 'no customer 6f1c1e4e-5a8b-4c1d-9a55-3d1f1e2a7b90' });
    const empty = await get(`${BASE}/${emptyCustomerId}`);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ tickets: [], nextCursor: null });
  });

  it('is open to every signed-in role, and to nobody else', async () => {
    expect((await get(`${BASE}/${customerId}?limit=1`, leaderKey)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `${BASE}/${customerId}` })).statusCode).toBe(401);
  });

  const badRequests: Array<[string, string, RegExp]> = [
    ['', 'params.customerId', /is not a customer id/],
    ['?status=opn', 'querystring.status', /^"opn" is not a ticket status; use new, open, pending, hold, solved, closed, deleted or open/],
    ['?status=', 'querystring.status', /is empty/],
    ['?status=open&status=new', 'querystring.status', /once/],
    ['?priority=hihg', 'querystring.priority', /^"hihg" is not a ticket priority/],
    ['?escalated=yes', 'querystring.escalated', /^"yes" is not true or false/],
    ['?slaBreached=1', 'querystring.slaBreached', /^"1" is not true or false/],
    ['?createdSince=yesterday', 'querystring.createdSince', /^"yesterday" is not an ISO date/],
    ['?updatedSince=2024-02-30', 'querystring.updatedSince', /^"2024-02-30" is not an ISO date/],
    ['?updatedSince=2024-05-01T25:00:00Z', 'querystring.updatedSince', /is not an ISO date/],
    ['?sort=name', 'querystring.sort', /^"name" is not a sort; use updated, created or priority/],
    ['?order=up', 'querystring.order', /^"up" is not an order; use desc or asc/],
    ['?limit=0', 'querystring.limit', /^"0" is not a page size; use a whole number from 1 to 200/],
    ['?limit=201', 'querystring.limit', /^"201" is not a page size/],
    ['?limit=ten', 'querystring.limit', /^"ten" is not a page size/],
    [`?q=${'x'.repeat(201)}`, 'querystring.q', /longer than 200/],
    ['?cursor=not-a-cursor', 'querystring.cursor', /is not a cursor of this list/],
  ];

  for (const [query, field, message] of badRequests) {
    it(`refuses ${query || 'a malformed customer id'} with 400 naming ${field}`, async () => {
      const customer = query === '' ? 'not-a-uuid' : customerId;
      const response = await get(`${BASE}/${customer}${query}`);
      expect(response.statusCode).toBe(400);
      const error = response.json().error;
      expect(error.code).toBe('validation_failed');
      expect(error.details[0].field).toBe(field);
      expect(error.details[0].message).toMatch(message);
      expect(error.message).toBe(`${field}: ${error.details[0].message}`);
    });
  }

  it('refuses a cursor of another sort or order', async () => {
    const first = (await get(`${BASE}/${customerId}?limit=2&sort=created`)).json();
    const wrongSort = await get(`${BASE}/${customerId}?limit=2&cursor=${first.nextCursor}`);
    expect(wrongSort.statusCode).toBe(400);
    expect(wrongSort.json().error.message).toMatch(/^querystring\.cursor: was made for sort=created&order=desc/);
    const wrongOrder = await get(`${BASE}/${customerId}?limit=2&sort=created&order=asc&cursor=${first.nextCursor}`);
    expect(wrongOrder.statusCode).toBe(400);
    const tampered = Buffer.from(JSON.stringify({ v: 1, s: 'updated', o: 'desc', k: ["2024-01-01'; DROP TABLE x"], i: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    expect((await get(`${BASE}/${customerId}?cursor=${tampered}`)).statusCode).toBe(400);
  });
});
