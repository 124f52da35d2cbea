import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { bearerMatches } from '../../observability/metrics-access.ts';

/**
 * GET /metrics: Prometheus's text format. With METRICS_TOKEN set, the route is open to whoever
 * sends that token as a bearer token (what a Prometheus scrape config can do: scrapers cannot sign
 * in); without it, only admins (their API key) may read it.
 */
export function prometheusRoutes(deps: Deps): FastifyPluginAsync {
  const token = deps.config.METRICS_TOKEN;
  return async (app) => {
    app.get('/metrics', { config: token ? { public: true } : { roles: ['admin'] } }, async (request, reply) => {
      if (token && !bearerMatches(request.headers.authorization, token)) {
        throw new AppError('unauthorized', 'send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"');
      }
      if (!deps.metrics) throw new AppError('not_found', 'this process collects no metrics');
      return reply.type(deps.metrics.contentType).send(await deps.metrics.render());
    });
  };
}
