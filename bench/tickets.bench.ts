/**
 * Tickets list benchmark: one customer with 10,000 tickets (among 30,000), written with set-based
 * SQL, on in-memory PGlite and on PostgreSQL when reachable (BENCH_DATABASE_URL, TEST_DATABASE_URL
 * or postgres://postgres@127.0.0.1:5432/test; a fresh schema, dropped after). Reports p50/p95 of
 * the first page, filtered pages and deep pages as listCustomerTickets serves them (one SQL
 * statement each), and the indexes the first page's plan uses. Reports figures; never passes or
 * fails on them. Also the history of the customers' tickets (5 events each). Run alone with `npx tsx bench/tickets.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPglite, pgliteDb } from '../src/db/pglite-db.ts';
import { postgresDb } from '../src/db/postgres-db.ts';
import { OPEN_STATUSES } from '../src/contracts/vocabulary.ts';
import { decodeCursor, decodeHistoryCursor, NO_FILTER, type HistoryCursor, type TicketCursor, type TicketFilter, type TicketSort } from '../src/modules/tickets/ticket-list.ts';
import { ticketPageSql } from '../src/modules/tickets/tickets.repo.ts';
import { listCustomerHistory, listCustomerTickets, type TicketListRequest } from '../src/modules/tickets/tickets.service.ts';

type Figures = Record<string, number | string>;

const TICKETS = 10_000;
const OTHER_TICKETS = 20_000;
const RUNS = 40;
const WARMUP = 5;

function postgresUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function benchTickets(): Promise<Figures> {
  const figures: Figures = {};
  const pglite = pgliteDb(await openPglite(undefined));
  try {
    await migrate(pglite);
    Object.assign(figures, await measure(pglite, 'pglite'));
  } finally {
    await pglite.close();
  }
  const url = postgresUrl();
  if (!(await reachable(url))) {
    figures['postgres'] = `skipped: ${url.replace(/\/\/[^@]*@/, '//')} not reachable`;
    return figures;
  }
  const schema = `bench_tickets_${randomBytes(4).toString('hex')}`;
  const admin = postgresDb({ connectionString: url, maxConnections: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const postgres = postgresDb({ connectionString: url, schema, maxConnections: 2 });
  try {
    await migrate(postgres);
    Object.assign(figures, await measure(postgres, 'postgres'));
  } finally {
    await postgres.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
  return figures;
}

/** 10,000 tickets for the measured customer and 20,000 spread over 100 others, in two statements. */
async function seed(db: Db): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `WITH c AS (INSERT INTO customers (name) SELECT 'Customer ' || g FROM generate_series(0, 100) g RETURNING id, name)
     SELECT id FROM c WHERE name = 'Customer 0'`,
  );
  const customerId = rows[0]!.id;
  await db.exec(`INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('acme', 'api_token', 'active'), ('globex', 'api_token', 'active')`);
  await db.query(
    `WITH conn AS (SELECT array_agg(id ORDER BY subdomain) AS ids FROM zendesk_connections),
          cust AS (SELECT array_agg(id ORDER BY name) AS ids FROM customers WHERE id <> $1::uuid)
     INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, match_method, subject, status, priority, escalated,
       requester_email, requester_name, assignee_name, tags, custom_fields, sla_policy_metrics, zendesk_created_at, zendesk_updated_at, resolved_at)
     SELECT conn.ids[1 + g % 2], g,
            CASE WHEN g <= $2 THEN $1::uuid ELSE cust.ids[1 + g % 100] END,
            'email_domain',
            CASE WHEN g % 11 = 0 THEN 'Refund request ' || g ELSE 'Question about feature ' || g END,
            (ARRAY['new', 'open', 'pending', 'hold', 'solved', 'closed', 'closed', 'solved', 'deleted'])[1 + g % 9],
            (ARRAY['urgent', 'high', 'normal', 'normal', 'low', NULL])[1 + g % 6],
            g % 6 = 0 OR g % 13 = 0,
            'person' || g || '@example.com', 'Person ' || g, 'Agent ' || (g % 20),
            CASE WHEN g % 4 = 0 THEN ARRAY['vip', 'billing'] ELSE ARRAY['bug'] END,
            jsonb_build_array(jsonb_build_object('id', 360001, 'value', 'plan-' || (g % 3))),
            CASE WHEN g % 3 = 0 THEN jsonb_build_array(jsonb_build_object('metric', 'first_reply_time', 'stage', 'active',
                   'breach_at', to_char((now() + ((g % 48) - 24) * interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))) END,
            now() - (g * interval '7 minutes'),
            now() - (g * interval '7 minutes') + ((g * 37) % 5000) * interval '1 minute',
            CASE WHEN g % 9 IN (4, 5, 6, 7) THEN now() - (g * interval '3 minutes') END
       FROM generate_series(1, $2::int + $3::int) g, conn, cust`,
    [customerId, TICKETS, OTHER_TICKETS],
  );
  await db.exec('ANALYZE zendesk_tickets');
  return customerId;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function measure(db: Db, engine: string): Promise<Figures> {
  const seedStart = performance.now();
  const customerId = await seed(db);
  const seedMs = performance.now() - seedStart;
  const deps = { db, config: loadConfig({}) };
  const request = (sort: TicketSort, order: 'desc' | 'asc', filter: TicketFilter = NO_FILTER, cursor: TicketCursor | null = null, limit = 50): TicketListRequest => ({
    customerId,
    filter,
    sort,
    order,
    limit,
    cursor,
  });
  /** The cursor after `skip` tickets, found by walking pages of 200. */
  const cursorAt = async (base: TicketListRequest, skip: number): Promise<TicketCursor> => {
    let cursor: TicketCursor | null = null;
    for (let seen = 0; seen < skip; ) {
      const page = await listCustomerTickets(deps, { ...base, cursor, limit: Math.min(200, skip - seen) });
      seen += page.tickets.length;
      const next = page.nextCursor === null ? null : decodeCursor(page.nextCursor, base.sort, base.order);
      if (next === null || 'error' in next) throw new Error(`no page after ${seen} tickets`);
      cursor = next;
    }
    return cursor!;
  };
  const scenarios: Array<[string, TicketListRequest]> = [
    ['first page (updated desc, 50)', request('updated', 'desc')],
    ['filtered page (status=open, priority=urgent,high)', request('updated', 'desc', { ...NO_FILTER, statuses: [...OPEN_STATUSES], priorities: ['urgent', 'high'] })],
    ['filtered page (slaBreached=true, q=refund)', request('updated', 'desc', { ...NO_FILTER, slaBreached: true, q: 'refund' })],
    ['filtered page matching nothing (q=zzz: reads all 10,000)', request('updated', 'desc', { ...NO_FILTER, q: 'zzz' })],
    ['first page (priority desc)', request('priority', 'desc')],
    ['deep page (updated desc, after 8,000)', request('updated', 'desc', NO_FILTER, await cursorAt(request('updated', 'desc'), 8_000))],
    ['deep page (created asc, after 8,000)', request('created', 'asc', NO_FILTER, await cursorAt(request('created', 'asc'), 8_000))],
  ];
  const figures: Figures = { [`${engine} seed ${TICKETS + OTHER_TICKETS} tickets (ms)`]: Math.round(seedMs) };
  for (const [name, scenario] of scenarios) {
    const times: number[] = [];
    let count = 0;
    for (let run = 0; run < WARMUP + RUNS; run += 1) {
      const start = performance.now();
      const page = await listCustomerTickets(deps, scenario);
      const elapsed = performance.now() - start;
      count = page.tickets.length;
      if (run >= WARMUP) times.push(elapsed);
    }
    times.sort((a, b) => a - b);
    figures[`${engine} ${name}: p50 / p95 (ms), ${count} tickets`] = `${percentile(times, 50).toFixed(1)} / ${percentile(times, 95).toFixed(1)}`;
  }
  Object.assign(figures, await measureHistory(db, engine, customerId));
  figures[`${engine} first page plan uses`] = await indexesUsed(db, { customerId, filter: NO_FILTER, sort: 'updated', order: 'desc', take: 51, after: null });
  figures[`${engine} created asc page plan uses`] = await indexesUsed(db, { customerId, filter: NO_FILTER, sort: 'created', order: 'asc', take: 51, after: null });
  figures[`${engine} priority page plan uses`] = await indexesUsed(db, { customerId, filter: NO_FILTER, sort: 'priority', order: 'desc', take: 51, after: null });
  return figures;
}

/** History: 5 events for each ticket (150,000); the big customer's first page and a page after 20,000, and a small customer's first page. */
async function measureHistory(db: Db, engine: string, customerId: string): Promise<Figures> {
  await db.query(
    `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, from_value, to_value, occurred_at, source)
     SELECT t.connection_id, t.zendesk_ticket_id, (ARRAY['created', 'status_changed', 'priority_changed', 'escalated', 'solved'])[n], 'a', 'b',
            t.zendesk_created_at + n * interval '17 minutes', 'import'
       FROM zendesk_tickets t, generate_series(1, 5) n
      WHERE t.customer_id IS NOT NULL`,
  );
  await db.exec('ANALYZE zendesk_ticket_events');
  const deps = { db, config: loadConfig({}) };
  const base = { customerId, zendeskTicketId: null, connectionId: null, limit: 50, cursor: null };
  let deep: HistoryCursor | null = null;
  for (let seen = 0; seen < 20_000; seen += 200) {
    const page = await listCustomerHistory(deps, { ...base, limit: 200, cursor: deep });
    const next = page.nextCursor === null ? null : decodeHistoryCursor(page.nextCursor);
    if (next === null || 'error' in next) throw new Error('history ended early');
    deep = next;
  }
  const { rows } = await db.query<{ customer_id: string }>(`SELECT customer_id FROM zendesk_tickets WHERE customer_id <> $1 LIMIT 1`, [customerId]);
  const small = { ...base, customerId: rows[0]!.customer_id };
  const figures: Figures = {};
  for (const [name, request] of [
    ['history first page (50 of 50,000 events)', base],
    ['history deep page (after 20,000 events)', { ...base, cursor: deep }],
    ['history first page, customer with 200 tickets (1,000 events)', small],
  ] as const) {
    const times: number[] = [];
    for (let run = 0; run < WARMUP + RUNS; run += 1) {
      const start = performance.now();
      await listCustomerHistory(deps, request);
      if (run >= WARMUP) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    figures[`${engine} ${name}: p50 / p95 (ms)`] = `${percentile(times, 50).toFixed(1)} / ${percentile(times, 95).toFixed(1)}`;
  }
  return figures;
}

/** The index names in the page query's plan. */
async function indexesUsed(db: Db, query: Parameters<typeof ticketPageSql>[0]): Promise<string> {
  const { text, params } = ticketPageSql(query);
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
  const plan = JSON.stringify(rows[0]?.['QUERY PLAN'] ?? '');
  const names = [...new Set([...plan.matchAll(/"Index Name":\s*"([^"]+)"/g)].map((m) => m[1]))];
  return names.join(', ') || 'no index';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [figure, value] of Object.entries(await benchTickets())) console.log(`${figure}: ${value}`);
}
