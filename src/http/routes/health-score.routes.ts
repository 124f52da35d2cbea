import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/health-score.ts';
import type { Deps } from '../../deps.ts';
import { getCustomerHealth, getHealthWeights, setHealthWeights } from '../../modules/health/health.service.ts';

export function healthScoreRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/health/weights',
      { config: { roles: ['admin', 'leader'] }, schema: { response: { 200: contract.getHealthWeights.response } } },
      async () => getHealthWeights(deps.db),
    );

    app.put(
      '/api/health/weights',
      {
        config: { roles: ['admin'] },
        schema: { body: contract.setHealthWeights.body, response: { 200: contract.setHealthWeights.response } },
      },
      async (request) => {
        const recomputed = await setHealthWeights(deps, request.body, request.user?.id ?? null);
        return { weights: await getHealthWeights(deps.db), recomputed };
      },
    );

    app.get(
      '/api/customers/:id/health',
      {
        // Any signed-in role.
        config: {},
        schema: {
          params: contract.getCustomerHealth.params,
          querystring: contract.getCustomerHealth.query,
          response: { 200: contract.getCustomerHealth.response },
        },
      },
      async (request) => getCustomerHealth(deps, request.params.id, request.query.days),
    );
  };
}
