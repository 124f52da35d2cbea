import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { getSlaTargets, setSlaTargets, slaTargetsSchema } from '../../modules/metrics/sla-targets.ts';

const PATH = '/api/integrations/zendesk/sla-targets';

/** Fallback SLA targets per priority, for tickets without a Zendesk SLA policy. Leaders read; admins change. */
export function slaTargetsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(PATH, { config: { roles: ['admin', 'leader'] }, schema: { response: { 200: z.object({ targets: slaTargetsSchema }) } } }, async () => ({
      targets: await getSlaTargets(deps.db),
    }));
    app.put(
      PATH,
      {
        config: { roles: ['admin'] },
        schema: { body: z.object({ targets: slaTargetsSchema }), response: { 200: z.object({ targets: slaTargetsSchema, customersToRecompute: z.number().int() }) } },
      },
      async (request) => {
        const { customersToRecompute } = await setSlaTargets(deps.db, request.body.targets);
        return { targets: await getSlaTargets(deps.db), customersToRecompute };
      },
    );
  };
}
