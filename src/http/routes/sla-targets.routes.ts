import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/sla-targets.ts';
import type { Deps } from '../../deps.ts';
import { getSlaTargets, setSlaTargets } from '../../modules/metrics/sla-targets.ts';

const PATH = '/api/integrations/zendesk/sla-targets';

/** Fallback SLA targets per priority, for tickets without a Zendesk SLA policy. Leaders read; admins change. */
export function slaTargetsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(PATH, { config: { roles: ['admin', 'leader'] }, schema: { response: { 200: contract.getSlaTargets.response } } }, async () => ({
      targets: await getSlaTargets(deps.db),
    }));
    app.put(
      PATH,
      {
        config: { roles: ['admin'] },
        schema: { body: contract.setSlaTargets.body, response: { 200: contract.setSlaTargets.response } },
      },
      async (request) => {
        const { customersToRecompute } = await setSlaTargets(deps.db, request.body.targets);
        return { targets: await getSlaTargets(deps.db), customersToRecompute };
      },
    );
  };
}
