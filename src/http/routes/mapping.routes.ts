import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/mapping.ts';
import type { Deps } from '../../deps.ts';
import { listMappings } from '../../modules/matching/matching.repo.ts';
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
      async () => listMappings(deps.db),
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
