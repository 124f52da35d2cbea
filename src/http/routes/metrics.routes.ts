import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getCustomerMetrics as contract } from '../../contracts/metrics.ts';
import type { Deps } from '../../deps.ts';
import { getCustomerMetrics, type CustomerMetricsAnswer } from '../../modules/metrics/metrics.service.ts';

const BASE = '/api/integrations/zendesk/metrics';

export function metricsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      `${BASE}/:customerId`,
      {
        // Any signed-in role.
        config: {},
        schema: {
          params: contract.params,
          querystring: contract.query,
          response: { 200: contract.response },
        },
      },
      async (request): Promise<CustomerMetricsAnswer> =>
        getCustomerMetrics(deps, request.params.customerId, request.query.days),
    );
  };
}
