import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { SIGNAL_NAMES } from '../../modules/health/health-score.ts';
import { getCustomerHealth, getHealthWeights, HEALTH_RANGES, setHealthWeights } from '../../modules/health/health.service.ts';

const share = z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

const weightsView = z.object({ openTickets: z.number(), escalations: z.number(), csat: z.number(), sla: z.number(), supportComponent: z.number() });

const weightsBody = z
  .strictObject({ openTickets: share, escalations: share, csat: share, sla: share, supportComponent: share })
  .superRefine((weights, ctx) => {
    const sum = SIGNAL_NAMES.reduce((total, name) => total + weights[name], 0);
    if (Math.abs(sum - 1) > 0.001) {
      ctx.addIssue({
        code: 'custom',
        message: `the signal weights openTickets + escalations + csat + sla must sum to 1 (they sum to ${Math.round(sum * 10000) / 10000})`,
      });
    }
  });

const signalView = z.object({
  name: z.enum(SIGNAL_NAMES),
  value: z.number().nullable(),
  baseline: z.number().optional(),
  baselineSource: z.enum(['median90d', 'size', 'tickets30d']).optional(),
  subscore: z.number().nullable(),
  weight: z.number(),
  configuredWeight: z.number(),
  points: z.number(),
});

const daysParam = z
  .string({ error: 'must be given once, as text' })
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return 30;
    const days = HEALTH_RANGES.find((range) => String(range) === text);
    if (days === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a range; use ${HEALTH_RANGES.join(', ')}` });
      return z.NEVER;
    }
    return days;
  });

export function healthScoreRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/health/weights',
      { config: { roles: ['admin', 'leader'] }, schema: { response: { 200: weightsView } } },
      async () => getHealthWeights(deps.db),
    );

    app.put(
      '/api/health/weights',
      {
        config: { roles: ['admin'] },
        schema: { body: weightsBody, response: { 200: z.object({ weights: weightsView, recomputed: z.number() }) } },
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
          params: z.object({ id: z.uuid('is not a customer id') }),
          querystring: z.object({ days: daysParam }),
          response: {
            200: z.object({
              current: z.object({
                date: z.string(),
                overall: z.number().nullable(),
                support: z.number().nullable(),
                base: z.number().nullable(),
                supportWeight: z.number(),
                signals: z.array(signalView),
              }),
              daily: z.array(z.object({ date: z.string(), overall: z.number().nullable(), support: z.number().nullable() })),
            }),
          },
        },
      },
      async (request) => getCustomerHealth(deps, request.params.id, request.query.days),
    );
  };
}
