/** Matching tickets to customers: the mappings an admin sets and what is still unmatched. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

const customerId = z.uuid('is not a customer id').nullable();
export const mapping = z.discriminatedUnion(
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
export type MappingInput = z.input<typeof mapping>;

export const applyMappingsBody = z.object({ mappings: z.array(mapping).min(1, 'needs at least one mapping').max(1000, 'takes at most 1000 mappings') });

export const matchSuggestion = z.object({ customerId: z.string(), name: z.string(), score: z.number() });
export type MatchSuggestion = z.output<typeof matchSuggestion>;

export const mappings = z.object({
  organizations: z.array(z.object({ subdomain: z.string(), zendeskOrganizationId: z.number(), name: z.string().nullable(), customerId: z.string(), customerName: z.string() })),
  customFields: z.array(z.object({ subdomain: z.string(), fieldId: z.number(), matchOn: z.string() })),
});

export const unmatchedQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const unmatched = z.object({
  total: z.number(),
  byOrganization: z.array(
    z.object({ subdomain: z.string(), zendeskOrganizationId: z.number(), name: z.string().nullable(), domains: z.array(z.string()), tickets: z.number(), suggestions: z.array(matchSuggestion) }),
  ),
  byRequesterDomain: z.array(z.object({ domain: z.string(), freeMail: z.boolean(), tickets: z.number(), subdomains: z.array(z.string()), suggestions: z.array(matchSuggestion) })),
  withoutOrganizationOrEmail: z.number(),
});
export type Unmatched = z.output<typeof unmatched>;

export const applyMappings = endpoint({
  method: 'PUT',
  path: '/api/integrations/zendesk/mapping',
  body: applyMappingsBody,
  response: z.object({ applied: z.number(), ticketsRematched: z.number(), affectedCustomerIds: z.array(z.string()) }),
});
export const getMappings = endpoint({ method: 'GET', path: '/api/integrations/zendesk/mapping', response: mappings });
export const listUnmatched = endpoint({ method: 'GET', path: '/api/integrations/zendesk/unmatched', query: unmatchedQuery, response: unmatched });
