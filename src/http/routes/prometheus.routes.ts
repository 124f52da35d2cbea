import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';

/**
 * GET /metrics: Prometheus's text format, for admins (their API key, or their session) and, when
 * METRICS_TOKEN is set, for whoever sends that token as a bearer token (what a Prometheus scrape
 * config can do: scrapers cannot sign in). Other roles get 403, callers with neither 401.
 */
export function prometheusRoutes(deps: Deps): FastifyPluginAsync {
  const token = deps.config.METRICS_TOKEN;
  const hint = 'send the metrics token (METRICS_TOKEN) or an admin\'s API key as "Authorization: Bearer <token or key>"';
  return async (app) => {
    app.get('/metrics', { config: { roles: ['admin'], ...(token ? { staticBearer: { token, hint } } : {}) } }, async (_request, reply) => {
      if (!deps.metrics) throw new AppError('not_found', 'this process collects no metrics');
      return reply.type(deps.metrics.contentType).send(await deps.metrics.render());
    });
  };
}
