/** A customer's support metrics: today's figures and the daily series. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { rangeParam } from './params.ts';

export const METRICS_RANGES = [30, 90, 365] as const;

export const dailyMetrics = z.object({
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

export const currentMetrics = dailyMetrics.extend({
  openByPriority: z.object({ urgent: z.number(), high: z.number(), normal: z.number(), low: z.number(), none: z.number() }),
});

export const customerMetrics = z.object({
  asOf: z.string().describe('When `current` was computed (ISO 8601)'),
  window: z.object({ from: z.string(), to: z.string(), days: z.number() }).describe('The days `daily` spans (UTC dates, inclusive)'),
  current: currentMetrics,
  daily: z.array(dailyMetrics),
});
export type CustomerMetrics = z.output<typeof customerMetrics>;

export const getCustomerMetrics = endpoint({
  method: 'GET',
  path: '/api/integrations/zendesk/metrics/:customerId',
  params: z.object({ customerId: z.uuid('is not a customer id') }),
  query: z.object({ days: rangeParam(METRICS_RANGES) }),
  response: customerMetrics,
});
