import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import * as contract from '../../contracts/customers.ts';
import type { connectionFreshness, healthSummary } from '../../contracts/customers.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { rematchAll } from '../../modules/matching/matching.service.ts';
import { getCustomerView, listCustomerViews, MAX_CUSTOMERS_PER_CALL, upsertCustomers } from '../../modules/customers/customers.service.ts';
import { selectCustomerOverview, selectLastTicketSyncAt } from '../../modules/customers/customers.repo.ts';
import { listConnectionFreshness } from '../../modules/connections/connections.repo.ts';
import { selectLatestHealth } from '../../modules/health/health.repo.ts';

/** The customers' views with their current health (the service answers them without). */
async function withHealth<T extends { id: string }>(db: Deps['db'], views: T[]): Promise<Array<T & { health: z.infer<typeof healthSummary> }>> {
  const health = await selectLatestHealth(db, views.map((view) => view.id));
  return views.map((view) => ({ ...view, health: health.get(view.id) ?? null }));
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
          params: contract.getCustomerOverview.params,
          response: { 200: contract.getCustomerOverview.response },
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
