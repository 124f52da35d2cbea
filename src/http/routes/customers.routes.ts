import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { rematchAll } from '../../modules/matching/matching.service.ts';
import { getCustomerView, listCustomerViews, MAX_CUSTOMERS_PER_CALL, upsertCustomers } from '../../modules/customers/customers.service.ts';

const customerView = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  domains: z.array(z.string()),
  csm: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
  baseHealthScore: z.number().nullable(),
  /** Tickets new, open, pending or on hold. */
  openTickets: z.number().int(),
  /** The support health signal: filled by the metrics issue, null until then. */
  health: z.null(),
});

const upsertBody = z.object({
  // Each entry is checked by the service (customerInputSchema: externalId, name, domains,
  // csmEmail, baseHealthScore), which names a bad one as customers[3].domains[0], the way
  // people count entries, and refuses the whole call.
  customers: z.array(z.unknown(), { error: 'must be a list of customers' }),
});

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
        return { ...result, ticketsRematched: rematched.length };
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
        return listCustomerViews(deps.db, { query: q, csmId: mine === 'true' ? request.user!.id : null, limit, cursor });
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
      async (request) => ({ customer: await getCustomerView(deps.db, request.params.id) }),
    );
  };
}
