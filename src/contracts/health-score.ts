/** Health scores: the signal weights and a customer's score over time. */
import { z } from 'zod';
import { customerParams } from './customers.ts';
import { endpoint } from './endpoint.ts';
import { rangeParam } from './params.ts';

export const SIGNAL_NAMES = ['openTickets', 'escalations', 'csat', 'sla'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];
export const HEALTH_RANGES = [30, 90, 365] as const;

const share = z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

export const healthWeights = z.object({ openTickets: z.number(), escalations: z.number(), csat: z.number(), sla: z.number(), supportComponent: z.number() });
export type HealthWeights = z.output<typeof healthWeights>;

export const setHealthWeightsBody = z
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

export const signal = z.object({
  name: z.enum(SIGNAL_NAMES),
  value: z.number().nullable(),
  baseline: z.number().optional(),
  baselineSource: z.enum(['median90d', 'size', 'tickets30d']).optional(),
  subscore: z.number().nullable(),
  weight: z.number(),
  configuredWeight: z.number(),
  points: z.number(),
});
export type Signal = z.output<typeof signal>;

export const customerHealth = z.object({
  current: z.object({
    date: z.string(),
    overall: z.number().nullable(),
    support: z.number().nullable(),
    base: z.number().nullable(),
    supportWeight: z.number(),
    signals: z.array(signal),
  }),
  daily: z.array(z.object({ date: z.string(), overall: z.number().nullable(), support: z.number().nullable() })),
});
export type CustomerHealth = z.output<typeof customerHealth>;

export const customerHealthQuery = z.object({ days: rangeParam(HEALTH_RANGES) });

export const getHealthWeights = endpoint({ method: 'GET', path: '/api/health/weights', response: healthWeights });
export const setHealthWeights = endpoint({
  method: 'PUT',
  path: '/api/health/weights',
  body: setHealthWeightsBody,
  response: z.object({ weights: healthWeights, recomputed: z.number() }),
});
export const getCustomerHealth = endpoint({
  method: 'GET',
  path: '/api/customers/:id/health',
  params: customerParams,
  query: customerHealthQuery,
  response: customerHealth,
});
