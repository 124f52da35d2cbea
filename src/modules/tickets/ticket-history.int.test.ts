/**
 * The history of a customer's tickets: events written with SQL come back for the right customer
 * only, newest first, on pages that neither skip nor repeat, for all tickets or one.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { insertConnection, insertCustomer, insertTickets, seededRandom, timeKey, type ModelTicket } from './tickets-test-data.ts';

const BASE = '/api/integrations/zendesk/tickets';
const KINDS = ['created', 'status_changed', 'priority_changed', 'escalated', 'solved', 'reopened', 'rated'];

interface ModelEvent {
  id: number;
  ticket: ModelTicket;
  kind: string;
  from: string | null;
  to: string | null;
  occurred: string;
}

interface ApiEvent {
  id: number;
  kind: string;
  from: string | null;
  to: string | null;
  occurredAt: string;
  zendeskTicketId: number;
  subdomain: string;
  subject: string | null;
  connectionId: string;
  source: string;
}

describe('ticket history', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let key: string;
  let customerId: string;
  let otherCustomerId: string;
  let events: ModelEvent[];
  let tickets: ModelTicket[];
  let acme: { id: string; subdomain: string };
  let globex: { id: string; subdomain: string };

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const leader = await createUser(deps.db, { email: 'lead@cscx.test', name: 'Lee', role: 'leader', password: null });
    key = (await createApiKey(deps.db, leader.id, 't')).key;
    customerId = await insertCustomer(deps.db, 'Acme Corp');
    otherCustomerId = await insertCustomer(deps.db, 'Globex');
    acme = await insertConnection(deps.db, 'acme');
    globex = await insertConnection(deps.db, 'globex');
    const random = seededRandom(7);
    tickets = await insertTickets(deps.db, { connections: [acme, globex], customerId, count: 12, random, firstZendeskId: 1, nowMs: Date.now() });
    // The same Zendesk ticket ids on the other customer's tickets, in other subdomains' numbering: must not mix.
    const others = await insertTickets(deps.db, { connections: [acme, globex], customerId: otherCustomerId, count: 5, random, firstZendeskId: 100, nowMs: Date.now() });
    const rows: Array<{ ticket: ModelTicket; kind: string; from: string | null; to: string | null; occurred: string }> = [];
    for (const [i, ticket] of [...tickets, ...others].entries()) {
      for (let n = 0; n < 4; n += 1) {
        const kind = KINDS[(i + n) % KINDS.length]!;
        // Many events share a time (ties broken by event id), some carry microseconds.
        rows.push({ ticket, kind, from: kind === 'status_changed' ? 'new' : null, to: kind === 'status_changed' ? 'open' : null, occurred: timeKey((i * 7 + n * 3) % 20, n === 3 ? 250 : 0) });
      }
    }
    await deps.db.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, from_value, to_value, occurred_at, source)
       SELECT r.connection_id, r.zendesk_ticket_id, r.kind, r.from_value, r.to_value, r.occurred_at, 'import'
         FROM jsonb_to_recordset($1::jsonb) AS r(connection_id uuid, zendesk_ticket_id bigint, kind text, from_value text, to_value text, occurred_at timestamptz)`,
      [JSON.stringify(rows.map((r) => ({ connection_id: r.ticket.connectionId, zendesk_ticket_id: r.ticket.zendeskTicketId, kind: r.kind, from_value: r.from, to_value: r.to, occurred_at: r.occurred })))],
    );
    // A ticket's four events have four kinds: (connection, ticket, kind) finds each event's id.
    const { rows: stored } = await deps.db.query<{ id: number; connection_id: string; zendesk_ticket_id: number; kind: string }>(
      'SELECT id, connection_id, zendesk_ticket_id, kind FROM zendesk_ticket_events',
    );
    const idOf = new Map(stored.map((r) => [`${r.connection_id}/${r.zendesk_ticket_id}/${r.kind}`, r.id]));
    events = rows.map((row) => ({ ...row, id: idOf.get(`${row.ticket.connectionId}/${row.ticket.zendeskTicketId}/${row.kind}`)! }));
    expect(new Set(events.map((e) => e.id)).size).toBe(rows.length);
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  const newestFirst = (list: ModelEvent[]) => [...list].sort((a, b) => (a.occurred !== b.occurred ? (a.occurred < b.occurred ? 1 : -1) : b.id - a.id));

  async function walk(query: string, limit: number): Promise<ApiEvent[]> {
    const out: ApiEvent[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams(query);
      params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      const response = await get(`${BASE}/${customerId}/history?${params}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { events: ApiEvent[]; nextCursor: string | null };
      out.push(...body.events);
      cursor = body.nextCursor;
    } while (cursor);
    return out;
  }

  it("gives the customer's ticket events, newest first, on pages that neither skip nor repeat", async () => {
    const seen = await walk('', 5);
    const expected = newestFirst(events.filter((e) => e.ticket.customerId === customerId));
    expect(seen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    const first = expected[0]!;
    expect(seen[0]).toEqual({
      id: first.id,
      kind: first.kind,
      from: first.from,
      to: first.to,
      occurredAt: new Date(first.occurred).toISOString(),
      source: 'import',
      connectionId: first.ticket.connectionId,
      zendeskTicketId: first.ticket.zendeskTicketId,
      subdomain: first.ticket.subdomain,
      subject: first.ticket.subject,
      merge: null,
    });
  });

  it('gives one ticket’s events with zendeskTicketId, optionally with its connectionId', async () => {
    const ticket = tickets[3]!;
    const seen = await walk(`zendeskTicketId=${ticket.zendeskTicketId}&connectionId=${ticket.connectionId}`, 3);
    expect(seen.map((e) => e.id)).toEqual(newestFirst(events.filter((e) => e.ticket === ticket)).map((e) => e.id));
    const byNumber = await walk(`zendeskTicketId=${ticket.zendeskTicketId}`, 50);
    expect(byNumber.every((e) => e.zendeskTicketId === ticket.zendeskTicketId)).toBe(true);
    expect(byNumber.length).toBeGreaterThanOrEqual(4);
  });

  it('answers 404 for an unknown customer, an empty page for a customer without events, 400 for bad parameters', async () => {
    expect((await get(`${BASE}/6f1c1e4e-5a8b-4c1d-9a55-3d1f1e2a7b90/history`)).statusCode).toBe(404);
    const empty = await insertCustomer(deps.db, 'Initech');
    expect((await get(`${BASE}/${empty}/history`)).json()).toEqual({ events: [], nextCursor: null });
    for (const [query, field] of [
      ['cursor=abc', 'querystring.cursor'],
      ['zendeskTicketId=x1', 'querystring.zendeskTicketId'],
      ['connectionId=acme', 'querystring.connectionId'],
      ['limit=500', 'querystring.limit'],
    ]) {
      const response = await get(`${BASE}/${customerId}/history?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.details[0].field).toBe(field);
    }
    expect((await get(`${BASE}/nope/history`)).json().error.details[0].field).toBe('params.customerId');
  });
});
