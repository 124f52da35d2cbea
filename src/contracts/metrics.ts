/** A customer's support metrics: today's figures and the daily series. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { rangeParam } from './params.ts';

export const METRICS_RANGES = [30, 90, 365] as const;
/** The trailing windows every figure is also given over (days). */
export const METRICS_WINDOWS = [7, 30, 90] as const;

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

export const windowMetrics = z
  .object({
    days: z.number(),
    from: z.string().describe('Start of the window, included: asOf - days x 24 h (ISO 8601)'),
    to: z.string().describe('End of the window, excluded: asOf (ISO 8601)'),
    resolved: z.number().describe('Tickets whose latest solve lies in the window (merge sources left out)'),
    avgResolutionHours: z.number().nullable(),
    medianResolutionHours: z.number().nullable(),
    escalations: z.number().describe('Tickets whose first escalation lies in the window'),
    csat: z.number().nullable().describe('good / (good + bad) over the latest ratings given in the window; null without any'),
    csatRatings: z.number(),
    slaCompliance: z.number().nullable().describe('met / (met + breached) over the SLA outcomes in the window; null without any'),
    slaMeasured: z.number(),
    slaMet: z.number(),
    slaBreached: z.number(),
    createdTickets: z.number().describe('Tickets created in the window (merge sources left out)'),
  })
  .describe('Every figure over one trailing window [asOf - days x 24 h, asOf), computed live');
export type WindowMetrics = z.output<typeof windowMetrics>;

export const customerMetrics = z.object({
  asOf: z.string().describe('When `current` was computed (ISO 8601)'),
  window: z.object({ from: z.string(), to: z.string(), days: z.number() }).describe('The days `daily` spans (UTC dates, inclusive)'),
  current: currentMetrics,
  windows: z.object({ '7': windowMetrics, '30': windowMetrics, '90': windowMetrics }).describe('Every figure over the trailing 7, 30 and 90 days as of `asOf`'),
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
