/** Fallback SLA targets per priority, for tickets without a Zendesk SLA policy. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

const minutes = z.number().int('must be whole minutes').positive('must be more than 0').max(525_600, 'must be at most a year').nullable();
const target = z.strictObject({ firstReplyMinutes: minutes, resolutionMinutes: minutes });
export const slaTargets = z.strictObject({ urgent: target, high: target, normal: target, low: target });
export type SlaTargets = z.output<typeof slaTargets>;

const PATH = '/api/integrations/zendesk/sla-targets';
export const getSlaTargets = endpoint({ method: 'GET', path: PATH, response: z.object({ targets: slaTargets }) });
export const setSlaTargets = endpoint({
  method: 'PUT',
  path: PATH,
  body: z.object({ targets: slaTargets }),
  response: z.object({ targets: slaTargets, customersToRecompute: z.number().int() }),
});
