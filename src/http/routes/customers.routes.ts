import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TICKET_PRIORITIES, type TicketPriority } from '../../contracts/vocabulary.ts';
import type { z } from 'zod';
import * as contract from '../../contracts/customers.ts';
import type { connectionFreshness, customerOverview as overviewRow, healthSummary } from '../../contracts/customers.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { rematchAll } from '../../modules/matching/matching.service.ts';
import { getCustomerView, listCustomerViews, MAX_CUSTOMERS_PER_CALL, upsertCustomers } from '../../modules/customers/customers.service.ts';

// ---- the UI's customer overview: each customer's support picture in one set-based query ----

/** By rank (ticket_priority_rank): 0 is none, then the priorities from the least urgent. */
const PRIORITY_NAMES = ['none', ...[...TICKET_PRIORITIES].reverse()] as ['none', ...TicketPriority[]];

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

interface HealthDbRow {
  overall: number | null;
  support: number | null;
  base: number | null;
  overall_7d: number | null;
  health_day: string | null;
}

/** The latest health row of customer `c` (h) and the one 7 days before it (hp), for healthOf(). */
const LATEST_HEALTH_JOINS = `
       LEFT JOIN LATERAL (
         SELECT d.overall_score, d.support_score, d.base_score, d.day FROM customer_health_daily d WHERE d.customer_id = c.id ORDER BY d.day DESC LIMIT 1
       ) h ON true
       LEFT JOIN LATERAL (
         SELECT d.overall_score FROM customer_health_daily d WHERE d.customer_id = c.id AND d.day <= h.day - 7 ORDER BY d.day DESC LIMIT 1
       ) hp ON true`;
const LATEST_HEALTH_COLUMNS = 'h.overall_score AS overall, h.support_score AS support, h.base_score AS base, h.day::text AS health_day, hp.overall_score AS overall_7d';

function healthOf(row: HealthDbRow): z.infer<typeof healthSummary> {
  if (!row.health_day) return null;
  const overall = num(row.overall);
  const before = num(row.overall_7d);
  return { overall, support: num(row.support), base: num(row.base), change7d: overall !== null && before !== null ? Math.round((overall - before) * 100) / 100 : null, date: row.health_day };
}

/** The current health of each of these customers (absent: no such customer). */
async function latestHealth(db: Deps['db'], customerIds: readonly string[]): Promise<Map<string, z.infer<typeof healthSummary>>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await db.query<HealthDbRow & { id: string }>(
    `SELECT c.id, ${LATEST_HEALTH_COLUMNS} FROM customers c ${LATEST_HEALTH_JOINS} WHERE c.id = ANY($1::uuid[])`,
    [customerIds],
  );
  return new Map(rows.map((row) => [row.id, healthOf(row)]));
}

/** The customers' views with their current health (the service answers them without). */
async function withHealth<T extends { id: string }>(db: Deps['db'], views: T[]): Promise<Array<T & { health: z.infer<typeof healthSummary> }>> {
  const health = await latestHealth(db, views.map((view) => view.id));
  return views.map((view) => ({ ...view, health: health.get(view.id) ?? null }));
}

interface OverviewDbRow extends HealthDbRow {
  id: string;
  external_id: string | null;
  name: string;
  domains: string[];
  csm_id: string | null;
  csm_name: string | null;
  csm_email: string | null;
  open_tickets: number | null;
  worst: number | null;
  escalated_open: number | null;
  escalations: number | null;
  csat: number | null;
  csat_ratings: number | null;
  sla: number | null;
  last_activity: Date | null;
}

/**
 * Every customer (or one, or a CSM's) with open tickets by worst priority, open escalations, the
 * latest health and metrics rows and the last ticket change: index lookups per customer.
 */
async function customerOverview(db: Deps['db'], filter: { customerId?: string; csmId?: string }): Promise<Array<z.infer<typeof overviewRow>>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.customerId) where.push(`c.id = $${params.push(filter.customerId)}::uuid`);
  if (filter.csmId) where.push(`c.csm_id = $${params.push(filter.csmId)}::uuid`);
  const { rows } = await db.query<OverviewDbRow>(
    `SELECT c.id, c.external_id, c.name, c.domains, c.csm_id, u.name AS csm_name, u.email AS csm_email,
            o.open_tickets, o.worst, o.escalated_open,
            ${LATEST_HEALTH_COLUMNS},
            m.escalations, m.csat_score AS csat, m.csat_ratings, m.sla_compliance AS sla,
            (SELECT max(t.zendesk_updated_at) FROM zendesk_tickets t WHERE t.customer_id = c.id) AS last_activity
       FROM customers c
       LEFT JOIN users u ON u.id = c.csm_id
       LEFT JOIN LATERAL (
         SELECT count(*)::int AS open_tickets, count(*) FILTER (WHERE t.escalated)::int AS escalated_open,
                max(ticket_priority_rank(t.priority)) AS worst
           FROM zendesk_tickets t WHERE t.customer_id = c.id AND ticket_is_open(t.status)
       ) o ON true${LATEST_HEALTH_JOINS}
       LEFT JOIN LATERAL (
         SELECT z.escalations, z.csat_score, z.csat_ratings, z.sla_compliance FROM zendesk_metrics z WHERE z.customer_id = c.id ORDER BY z.metric_date DESC LIMIT 1
       ) m ON true
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY lower(c.name), c.id`,
    params,
  );
  return rows.map((row) => ({
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    domains: row.domains,
    csm: row.csm_id ? { id: row.csm_id, name: row.csm_name ?? '', email: row.csm_email ?? '' } : null,
    openTickets: row.open_tickets ?? 0,
    worstOpenPriority: row.open_tickets ? PRIORITY_NAMES[row.worst ?? 0] ?? 'none' : null,
    escalatedOpen: row.escalated_open ?? 0,
    escalations30d: num(row.escalations),
    health: healthOf(row),
    csat: num(row.csat),
    csatRatings: row.csat_ratings ?? 0,
    slaCompliance: num(row.sla),
    lastActivityAt: row.last_activity?.toISOString() ?? null,
  }));
}

/** Each connection's last completed catch-up: the Zendesk data is complete up to then (webhooks bring changes sooner). */
async function connectionsFreshness(db: Deps['db']): Promise<Array<z.infer<typeof connectionFreshness>>> {
  const { rows } = await db.query<{ subdomain: string; status: string; phase: string | null; last_synced_at: Date | null }>(
    `SELECT c.subdomain, c.status, s.phase, s.last_synced_at FROM zendesk_connections c LEFT JOIN zendesk_sync_state s ON s.connection_id = c.id ORDER BY c.subdomain`,
  );
  return rows.map((row) => ({ subdomain: row.subdomain, status: row.status, state: row.phase, lastSyncedAt: row.last_synced_at?.toISOString() ?? null }));
}

/** The oldest last sync among active connections: every connection's data is at least this fresh. */
function asOf(connections: Array<z.infer<typeof connectionFreshness>>): string | null {
  const times = connections.filter((c) => c.status === 'active' && c.lastSyncedAt).map((c) => c.lastSyncedAt as string);
  return times.length ? times.sort()[0]! : null;
}

// 5,000 customers with a few domains each come to about 1 MiB, the app's default limit.
const UPSERT_BODY_LIMIT = 10 * 1024 * 1024;

export function customerRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/customers',
      {
        config: { roles: ['admin'] },
        bodyLimit: UPSERT_BODY_LIMIT,
        schema: {
          description: `Bulk upsert by externalId (up to ${MAX_CUSTOMERS_PER_CALL} a call), all or nothing; answers the customers in the order given.`,
          body: contract.upsertCustomers.body,
          response: { 200: contract.upsertCustomers.response },
        },
      },
      async (request) => {
        const result = await upsertCustomers(deps.db, request.body.customers);
        // New or changed customers (their domains) can claim tickets: re-match, set-based.
        const rematched = result.created + result.updated > 0 ? await rematchAll(deps.db, deps.config.FREE_MAIL_DOMAINS) : [];
        return { ...result, customers: await withHealth(deps.db, result.customers), ticketsRematched: rematched.length };
      },
    );

    app.get(
      '/api/customers',
      {
        schema: {
          querystring: contract.listCustomers.query,
          response: { 200: contract.listCustomers.response },
        },
      },
      async (request) => {
        const { q, mine, limit, cursor } = request.query;
        const page = await listCustomerViews(deps.db, { query: q, csmId: mine === 'true' ? request.user!.id : null, limit, cursor });
        return { ...page, customers: await withHealth(deps.db, page.customers) };
      },
    );

    app.get(
      '/api/customers/overview',
      {
        schema: {
          querystring: contract.getCustomersOverview.query,
          response: { 200: contract.getCustomersOverview.response },
        },
      },
      async (request) => {
        const [customers, connections] = [
          await customerOverview(deps.db, request.query.mine === 'true' ? { csmId: request.user!.id } : {}),
          await connectionsFreshness(deps.db),
        ];
        return { customers, connections, asOf: asOf(connections) };
      },
    );

    app.get(
      '/api/customers/:id/overview',
      {
        schema: {
          params: contract.getCustomerOverview.params,
          response: { 200: contract.getCustomerOverview.response },
        },
      },
      async (request) => {
        const [customer] = await customerOverview(deps.db, { customerId: request.params.id });
        if (!customer) throw new AppError('not_found', `no customer ${request.params.id}`);
        const connections = await connectionsFreshness(deps.db);
        const { rows } = await deps.db.query<{ at: Date | null }>('SELECT max(last_synced_at) AS at FROM zendesk_tickets WHERE customer_id = $1', [request.params.id]);
        return { customer, connections, asOf: asOf(connections), lastTicketSyncAt: rows[0]?.at?.toISOString() ?? null };
      },
    );

    app.get(
      '/api/customers/:id',
      {
        schema: {
          params: contract.getCustomer.params,
          response: { 200: contract.getCustomer.response },
        },
      },
      async (request) => {
        const [customer] = await withHealth(deps.db, [await getCustomerView(deps.db, request.params.id)]);
        return { customer: customer! };
      },
    );
  };
}
