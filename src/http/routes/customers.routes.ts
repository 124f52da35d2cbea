import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TICKET_PRIORITIES } from '../../contracts/vocabulary.ts';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { rematchAll } from '../../modules/matching/matching.service.ts';
import { getCustomerView, listCustomerViews, MAX_CUSTOMERS_PER_CALL, upsertCustomers } from '../../modules/customers/customers.service.ts';
import { selectCustomerOverview, selectLastTicketSyncAt } from '../../modules/customers/customers.repo.ts';
import { listConnectionFreshness } from '../../modules/connections/connections.repo.ts';
import { selectLatestHealth } from '../../modules/health/health.repo.ts';

/**
 * A customer's current health: the latest daily score (overall, its support part, the CRM's base),
 * the change of the overall score over 7 days and the day it is of; null before the first score.
 * Read as stored (the daily job and weight changes write it): reads never compute it.
 */
const healthSummary = z
  .object({ overall: z.number().nullable(), support: z.number().nullable(), base: z.number().nullable(), change7d: z.number().nullable(), date: z.string() })
  .nullable();

const customerView = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  domains: z.array(z.string()),
  csm: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
  baseHealthScore: z.number().nullable(),
  /** Tickets new, open, pending or on hold. */
  openTickets: z.number().int(),
  health: healthSummary,
});

const upsertBody = z.object({
  // Each entry is checked by the service (customerInputSchema: externalId, name, domains,
  // csmEmail, baseHealthScore), which names a bad one as customers[3].domains[0], the way
  // people count entries, and refuses the whole call.
  customers: z.array(z.unknown(), { error: 'must be a list of customers' }),
});

// ---- the UI's customer overview: each customer's support picture in one set-based query ----

const overviewRow = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  domains: z.array(z.string()),
  csm: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  openTickets: z.number().int(),
  /** Priority of the worst open ticket (none: open tickets without a priority); null: no open ticket. */
  worstOpenPriority: z.enum(['none', ...TICKET_PRIORITIES]).nullable(),
  escalatedOpen: z.number().int(),
  escalations30d: z.number().int().nullable(),
  health: healthSummary,
  csat: z.number().nullable(),
  csatRatings: z.number().int(),
  slaCompliance: z.number().nullable(),
  lastActivityAt: z.string().nullable(),
});

/** The customers' views with their current health (the service answers them without). */
async function withHealth<T extends { id: string }>(db: Deps['db'], views: T[]): Promise<Array<T & { health: z.infer<typeof healthSummary> }>> {
  const health = await selectLatestHealth(db, views.map((view) => view.id));
  return views.map((view) => ({ ...view, health: health.get(view.id) ?? null }));
}

const connectionFreshness = z.object({ subdomain: z.string(), status: z.string(), state: z.string().nullable(), lastSyncedAt: z.string().nullable() });

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
          body: upsertBody,
          response: {
            200: z.object({
              customers: z.array(customerView),
              created: z.number().int(),
              updated: z.number().int(),
              unchanged: z.number().int(),
              csmsCreated: z.array(z.string()),
              ticketsRematched: z.number().int(),
            }),
          },
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
          querystring: z.object({
            q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
            mine: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
            limit: z.coerce
              .number({ error: 'must be a number from 1 to 200' })
              .int('must be a whole number from 1 to 200')
              .min(1, 'must be a number from 1 to 200')
              .max(200, 'must be a number from 1 to 200')
              .default(50),
            cursor: z.string().max(2000, 'is not a cursor from this list').optional(),
          }),
          response: { 200: z.object({ customers: z.array(customerView), nextCursor: z.string().nullable() }) },
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
          querystring: z.object({ mine: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false') }),
          response: {
            200: z.object({ customers: z.array(overviewRow), connections: z.array(connectionFreshness), asOf: z.string().nullable() }),
          },
        },
      },
      async (request) => {
        const [customers, connections] = [
          await selectCustomerOverview(deps.db, request.query.mine === 'true' ? { csmId: request.user!.id } : {}),
          await listConnectionFreshness(deps.db),
        ];
        return { customers, connections, asOf: asOf(connections) };
      },
    );

    app.get(
      '/api/customers/:id/overview',
      {
        schema: {
          params: z.object({ id: z.uuid('is not a customer id') }),
          response: {
            200: z.object({ customer: overviewRow, connections: z.array(connectionFreshness), asOf: z.string().nullable(), lastTicketSyncAt: z.string().nullable() }),
          },
        },
      },
      async (request) => {
        const [customer] = await selectCustomerOverview(deps.db, { customerId: request.params.id });
        if (!customer) throw new AppError('not_found', `no customer ${request.params.id}`);
        const connections = await listConnectionFreshness(deps.db);
        const lastTicketSyncAt = await selectLastTicketSyncAt(deps.db, request.params.id);
        return { customer, connections, asOf: asOf(connections), lastTicketSyncAt: lastTicketSyncAt?.toISOString() ?? null };
      },
    );

    app.get(
      '/api/customers/:id',
      {
        schema: {
          params: z.object({ id: z.uuid('is not a customer id') }),
          response: { 200: z.object({ customer: customerView }) },
        },
      },
      async (request) => {
        const [customer] = await withHealth(deps.db, [await getCustomerView(deps.db, request.params.id)]);
        return { customer: customer! };
      },
    );
  };
}
