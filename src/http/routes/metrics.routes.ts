import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { getCustomerMetrics, METRICS_RANGES, type CurrentMetrics, type DailyMetrics } from '../../modules/metrics/metrics.service.ts';

const BASE = '/api/integrations/zendesk/metrics';

const dailyView = z.object({
  date: z.string(),
  openTickets: z.number(),
  avgResolutionHours: z.number().nullable(),
  medianResolutionHours: z.number().nullable(),
  resolved30d: z.number(),
  avgResolutionHours90d: z.number().nullable(),
  medianResolutionHours90d: z.number().nullable(),
  resolved90d: z.number(),
  escalations30d: z.number(),
  csat: z.number().nullable(),
  csatRatings: z.number(),
  slaCompliance: z.number().nullable(),
  slaMeasured: z.number(),
});

const currentView = dailyView.extend({
  openByPriority: z.object({ urgent: z.number(), high: z.number(), normal: z.number(), low: z.number(), none: z.number() }),
});

const daysParam = z
  .string({ error: 'must be given once, as text' })
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return 30;
    const days = METRICS_RANGES.find((range) => String(range) === text);
    if (days === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a range; use ${METRICS_RANGES.join(', ')}` });
      return z.NEVER;
    }
    return days;
  });

export function metricsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      `${BASE}/:customerId`,
      {
        // Any signed-in role.
        config: {},
        schema: {
          params: z.object({ customerId: z.uuid('is not a customer id') }),
          querystring: z.object({ days: daysParam }),
          response: { 200: z.object({ current: currentView, daily: z.array(dailyView) }) },
        },
      },
      async (request): Promise<{ current: CurrentMetrics; daily: DailyMetrics[] }> =>
        getCustomerMetrics(deps, request.params.customerId, request.query.days),
    );
  };
}
