/**
 * Reads never write. A real account is imported from the emulator (customers matched by domain,
 * CSMs assigned, alerts raised, aggregates built), then every GET route of the API (taken from the
 * OpenAPI document, so a new route is covered the day it is added) is read twice, as an admin and
 * as a CSM, together with chat questions and the live feed: the checksum of every table and
 * sequence in the database must be what it was. A score that moves because someone looked at it is
 * the failure this guards against (the customer's health is compared too).
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/app.ts';
import { createManualClock } from '../../emulator/testing/manual-clock.ts';
import type { Queryable } from '../db/db.ts';
import type { Deps } from '../deps.ts';
import { connectWithApiToken } from '../modules/connections/connections.service.ts';
import { runSync } from '../modules/ingest/sync.service.ts';
import { drainTicketOutbox } from '../modules/ingest/ticket-outbox.ts';
import { createApiKey, createUser } from '../modules/users/auth.service.ts';
import { createMetrics } from '../observability/metrics.ts';
import { readStatusGauges } from '../modules/status/status-gauges.ts';
import { createTestDeps } from '../test-deps.ts';
import { ticketOutboxEffects } from '../ticket-outbox-effects.ts';
import { buildApp } from './app.ts';

const API_TOKEN = 'pure-reads-token';

/**
 * One checksum per table and sequence of this installation (its schema, and its job queue's
 * pgboss_<schema>): any insert, update, delete or nextval shows. Other schemas are other test
 * files' installations on the same server, changing under us.
 */
async function databaseChecksums(db: Queryable): Promise<Map<string, string>> {
  const { rows: tables } = await db.query<{ schema: string; name: string; kind: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'S') AND n.nspname IN (current_schema(), 'pgboss_' || current_schema())
      ORDER BY 1, 2`,
  );
  const sums = new Map<string, string>();
  for (const table of tables) {
    const name = `"${table.schema}"."${table.name}"`;
    const sql =
      table.kind === 'S'
        ? `SELECT last_value::text || '/' || is_called::text AS sum FROM ${name}`
        : `SELECT count(*)::text || ':' || md5(COALESCE(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS sum FROM ${name} t`;
    const { rows } = await db.query<{ sum: string }>(sql);
    sums.set(name, rows[0]!.sum);
  }
  return sums;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

describe('reads never write', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys: Record<'admin' | 'csm', string> = { admin: '', csm: '' };
  const ids = { customer: '', connection: '', ticket: 0, alert: '' };

  beforeAll(async () => {
    const clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, subdomains: ['acme'], tickets: 400, users: 120, organizations: 12, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    // Prometheus' scrape reads the status gauges from the database: part of what must not write.
    deps.metrics = createMetrics({ status: () => readStatusGauges(deps.db), defaultMetrics: false });
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    const csm = await createUser(deps.db, { email: 'csm@cscx.test', name: 'Casey', role: 'csm', password: null });
    keys.admin = (await createApiKey(deps.db, admin.id, 'test')).key;
    keys.csm = (await createApiKey(deps.db, csm.id, 'test')).key;
    app = await buildApp(deps);

    // Customers from the emulator's organizations, half of them the CSM's; one left unmatched.
    const organizations = [...zendesk.store.state('acme')!.account.organizations.values()].filter((org) => org.domain_names.length > 0);
    const customers = organizations.slice(1).map((org, i) => ({ externalId: `org-${org.id}`, name: org.name, domains: org.domain_names, csmEmail: i % 2 === 0 ? 'csm@cscx.test' : null, baseHealthScore: 70 }));
    const created = await app.inject({ method: 'POST', url: '/api/customers', headers: { authorization: `Bearer ${keys.admin}` }, payload: { customers } });
    expect(created.statusCode, created.body).toBe(200);

    const connection = await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN });
    ids.connection = connection.id;
    expect((await runSync(deps, connection.id)).outcome).toBe('synced');
    while ((await drainTicketOutbox(deps, ticketOutboxEffects(deps))).applied > 0);

    const { rows } = await deps.db.query<{ customer_id: string; zendesk_ticket_id: number }>(
      `SELECT customer_id, zendesk_ticket_id FROM zendesk_tickets WHERE customer_id IS NOT NULL ORDER BY escalated DESC, zendesk_ticket_id LIMIT 1`,
    );
    ids.customer = rows[0]!.customer_id;
    ids.ticket = rows[0]!.zendesk_ticket_id;
    const alerts = await deps.db.query<{ id: string }>('SELECT id FROM alerts ORDER BY seq LIMIT 1');
    ids.alert = alerts.rows[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  /** Every GET path of the API with its path parameters filled with real ids, and a few query variants. */
  async function everyGetRequest(): Promise<string[]> {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${keys.admin}` } })).json() as {
      paths: Record<string, { get?: unknown }>;
    };
    const paramValues: Record<string, string> = { id: ids.customer, customerId: ids.customer };
    const urls: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!operations.get) continue;
      // The live feed streams until the client leaves: read below through a real listener.
      if (path === '/api/events') continue;
      const url = path
        .replace('/connections/{id}/', `/connections/${ids.connection}/`)
        .replace('/alerts/{id}/', `/alerts/${ids.alert}/`)
        .replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = paramValues[name];
          if (!value) throw new Error(`no value for path parameter ${name} in ${path}`);
          return value;
        });
      urls.push(url);
    }
    const c = ids.customer;
    urls.push(
      `/api/integrations/zendesk/metrics/${c}?days=90`,
      `/api/integrations/zendesk/metrics/${c}?days=365`,
      `/api/customers/${c}/health?days=365`,
      `/api/integrations/zendesk/tickets/${c}?status=open,pending&sort=priority`,
      `/api/integrations/zendesk/tickets/${c}/history?zendeskTicketId=${ids.ticket}&connectionId=${ids.connection}`,
      '/api/customers?mine=true',
      '/api/alerts?mine=true',
      '/api/alerts?snoozed=only',
      // The OAuth callback is a GET by protocol; without a flow of ours it must refuse and store nothing.
      '/api/integrations/zendesk/callback?state=unknown&code=x',
    );
    return urls;
  }

  it('every GET route, chat question and the live feed leave every table and sequence as it was', async () => {
    const urls = await everyGetRequest();
    expect(urls.length).toBeGreaterThan(25);
    const healthBefore = (await app.inject({ method: 'GET', url: `/api/customers/${ids.customer}`, headers: { authorization: `Bearer ${keys.admin}` } })).json();
    const before = await databaseChecksums(deps.db);
    // Every table of the installation is in the sum (the tickets, alerts, metrics... and the sequences).
    expect([...before.keys()].some((name) => name.endsWith(`."zendesk_tickets"`))).toBe(true);
    expect(before.size).toBeGreaterThan(30);

    const statuses: string[] = [];
    for (const round of [1, 2]) {
      for (const who of ['admin', 'csm'] as const) {
        for (const url of urls) {
          const answer = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${keys[who]}` } });
          if (round === 1 && who === 'admin') statuses.push(`${answer.statusCode} ${url}`);
        }
        for (const message of ['how is my portfolio', 'show escalated tickets', 'what needs attention today']) {
          const answer = await app.inject({ method: 'POST', url: '/api/chat', headers: { authorization: `Bearer ${keys[who]}` }, payload: { message } });
          expect(answer.statusCode, answer.body).toBe(200);
        }
      }
    }
    // The reads really read: every route answered an admin (the callback refuses, as it should).
    expect(statuses.filter((line) => !/^(200|302) /.test(line) && !line.includes('/callback'))).toEqual([]);

    // The live feed, through a real listener, for a moment.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const abort = new AbortController();
    const feed = await fetch(`http://127.0.0.1:${port}/api/events`, { headers: { authorization: `Bearer ${keys.csm}` }, signal: abort.signal });
    expect(feed.status).toBe(200);
    const reader = feed.body!.getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    abort.abort();
    await reader.read().catch(() => undefined);

    expect(changedTables(before, await databaseChecksums(deps.db))).toEqual([]);
    const healthAfter = (await app.inject({ method: 'GET', url: `/api/customers/${ids.customer}`, headers: { authorization: `Bearer ${keys.admin}` } })).json();
    expect(healthAfter.health).toEqual(healthBefore.health);
  }, 120_000);
});
