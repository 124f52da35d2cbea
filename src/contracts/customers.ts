/** Customers: the bulk upsert from the CRM, the list, one customer, and the UI's support overview. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { trueOrFalse } from './params.ts';
import { TICKET_PRIORITIES } from './vocabulary.ts';

/**
 * A customer's current health: the latest daily score (overall, its support part, the CRM's base),
 * the change of the overall score over 7 days and the day it is of; null before the first score.
 * Read as stored (the daily job and weight changes write it): reads never compute it.
 */
export const healthSummary = z
  .object({ overall: z.number().nullable(), support: z.number().nullable(), base: z.number().nullable(), change7d: z.number().nullable(), date: z.string() })
  .nullable();

export const customer = z.object({
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

export const upsertCustomersBody = z.object({
  // Each entry is checked by the service (customerInputSchema: externalId, name, domains,
  // csmEmail, baseHealthScore), which names a bad one as customers[3].domains[0], the way
  // people count entries, and refuses the whole call.
  customers: z.array(z.unknown(), { error: 'must be a list of customers' }),
});

/** One customer's support picture, as the customer list and page of the UI show it. */
export const customerOverview = z.object({
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
export type CustomerOverview = z.output<typeof customerOverview>;

/** How fresh a connection's data is: its last completed catch-up. */
export const connectionFreshness = z.object({ subdomain: z.string(), status: z.string(), state: z.string().nullable(), lastSyncedAt: z.string().nullable() });

export const customersOverviewAnswer = z.object({ customers: z.array(customerOverview), connections: z.array(connectionFreshness), asOf: z.string().nullable() });
export type CustomersOverviewAnswer = z.output<typeof customersOverviewAnswer>;
export const customerOverviewAnswer = z.object({
  customer: customerOverview,
  connections: z.array(connectionFreshness),
  asOf: z.string().nullable(),
  lastTicketSyncAt: z.string().nullable(),
});

export const customerParams = z.object({ id: z.uuid('is not a customer id') });
export const listCustomersQuery = z.object({
  q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  mine: trueOrFalse('must be true or false').default('false'),
  limit: z.coerce
    .number({ error: 'must be a number from 1 to 200' })
    .int('must be a whole number from 1 to 200')
    .min(1, 'must be a number from 1 to 200')
    .max(200, 'must be a number from 1 to 200')
    .default(50),
  cursor: z.string().max(2000, 'is not a cursor from this list').optional(),
});
export const customersOverviewQuery = z.object({ mine: trueOrFalse('must be true or false').default('false') });

export const upsertCustomers = endpoint({
  method: 'POST',
  path: '/api/customers',
  body: upsertCustomersBody,
  response: z.object({
    customers: z.array(customer),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    csmsCreated: z.array(z.string()),
    ticketsRematched: z.number().int(),
  }),
});
export const listCustomers = endpoint({
  method: 'GET',
  path: '/api/customers',
  query: listCustomersQuery,
  response: z.object({ customers: z.array(customer), nextCursor: z.string().nullable() }),
});
export const getCustomersOverview = endpoint({ method: 'GET', path: '/api/customers/overview', query: customersOverviewQuery, response: customersOverviewAnswer });
export const getCustomerOverview = endpoint({ method: 'GET', path: '/api/customers/:id/overview', params: customerParams, response: customerOverviewAnswer });
export const getCustomer = endpoint({ method: 'GET', path: '/api/customers/:id', params: customerParams, response: z.object({ customer }) });
