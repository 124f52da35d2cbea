import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/mapping.ts';
import type { Deps } from '../../deps.ts';
import { applyMappings, listUnmatched } from '../../modules/matching/matching.service.ts';

export function mappingRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      '/api/integrations/zendesk/mapping',
      {
        config: { roles: ['admin'] },
        schema: {
          body: contract.applyMappings.body,
          response: { 200: contract.applyMappings.response },
        },
      },
      async (request) => applyMappings(deps, request.user!, request.body.mappings),
    );

    app.get(
      '/api/integrations/zendesk/mapping',
      {
        config: { roles: ['admin', 'leader'] },
        schema: {
          response: { 200: contract.getMappings.response },
        },
      },
      async () => {
        const organizations = await deps.db.query<{ subdomain: string; org: number; name: string | null; customer_id: string; customer_name: string }>(
          `SELECT c.subdomain, m.zendesk_organization_id AS org, o.name, m.customer_id, cu.name AS customer_name
             FROM zendesk_organization_mappings m
             JOIN zendesk_connections c ON c.id = m.connection_id
             JOIN customers cu ON cu.id = m.customer_id
             LEFT JOIN zendesk_organizations o ON o.connection_id = m.connection_id AND o.zendesk_organization_id = m.zendesk_organization_id
            ORDER BY c.subdomain, o.name`,
        );
        const fields = await deps.db.query<{ subdomain: string; field_id: number; match_on: string }>(
          `SELECT c.subdomain, r.field_id, r.match_on FROM zendesk_custom_field_rules r JOIN zendesk_connections c ON c.id = r.connection_id ORDER BY c.subdomain`,
        );
        return {
          organizations: organizations.rows.map((r) => ({ subdomain: r.subdomain, zendeskOrganizationId: r.org, name: r.name, customerId: r.customer_id, customerName: r.customer_name })),
          customFields: fields.rows.map((r) => ({ subdomain: r.subdomain, fieldId: r.field_id, matchOn: r.match_on })),
        };
      },
    );

    app.get(
      '/api/integrations/zendesk/unmatched',
      {
        config: { roles: ['admin', 'leader'] },
        schema: {
          querystring: contract.listUnmatched.query,
          response: { 200: contract.listUnmatched.response },
        },
      },
      async (request) => listUnmatched(deps, request.query.limit),
    );
  };
}
