import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { listMappings } from '../../modules/matching/matching.repo.ts';
import { applyMappings, listUnmatched } from '../../modules/matching/matching.service.ts';

const customerId = z.uuid('is not a customer id').nullable();
const mappingSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('organization'), subdomain: z.string().trim().toLowerCase(), zendeskOrganizationId: z.number().int().positive(), customerId }),
    z.object({ kind: z.literal('domain'), domain: z.string().trim().min(1, 'is required'), customerId }),
    z.object({
      kind: z.literal('custom_field'),
      subdomain: z.string().trim().toLowerCase(),
      fieldId: z.number().int().positive().nullable(),
      matchOn: z.enum(['id', 'external_id', 'name'], { error: 'must be id, external_id or name' }),
    }),
  ],
  { error: 'must be "organization", "domain" or "custom_field"' },
);

const suggestion = z.object({ customerId: z.string(), name: z.string(), score: z.number() });

export function mappingRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      '/api/integrations/zendesk/mapping',
      {
        config: { roles: ['admin'] },
        schema: {
          body: z.object({ mappings: z.array(mappingSchema).min(1, 'needs at least one mapping').max(1000, 'takes at most 1000 mappings') }),
          response: { 200: z.object({ applied: z.number(), ticketsRematched: z.number(), affectedCustomerIds: z.array(z.string()) }) },
        },
      },
      async (request) => applyMappings(deps, request.user!, request.body.mappings),
    );

    app.get(
      '/api/integrations/zendesk/mapping',
      {
        config: { roles: ['admin', 'leader'] },
        schema: {
          response: {
            200: z.object({
              organizations: z.array(z.object({ subdomain: z.string(), zendeskOrganizationId: z.number(), name: z.string().nullable(), customerId: z.string(), customerName: z.string() })),
              customFields: z.array(z.object({ subdomain: z.string(), fieldId: z.number(), matchOn: z.string() })),
            }),
          },
        },
      },
      async () => listMappings(deps.db),
    );

    app.get(
      '/api/integrations/zendesk/unmatched',
      {
        config: { roles: ['admin', 'leader'] },
        schema: {
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: {
            200: z.object({
              total: z.number(),
              byOrganization: z.array(
                z.object({ subdomain: z.string(), zendeskOrganizationId: z.number(), name: z.string().nullable(), domains: z.array(z.string()), tickets: z.number(), suggestions: z.array(suggestion) }),
              ),
              byRequesterDomain: z.array(z.object({ domain: z.string(), freeMail: z.boolean(), tickets: z.number(), subdomains: z.array(z.string()), suggestions: z.array(suggestion) })),
              withoutOrganizationOrEmail: z.number(),
            }),
          },
        },
      },
      async (request) => listUnmatched(deps, request.query.limit),
    );
  };
}
