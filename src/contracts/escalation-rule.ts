/** What "escalated" means for one connection: leaders read the rule, admins change it. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { connectionParams } from './connections.ts';
import { TICKET_PRIORITIES } from './vocabulary.ts';

/** The rule as an admin sends it (tags are compared in lower case). */
export const escalationRuleBody = z.strictObject({
  priorities: z.array(z.enum(TICKET_PRIORITIES)).max(TICKET_PRIORITIES.length),
  tags: z
    .array(z.string().trim().min(1, 'must not be empty').max(80).regex(/^\S+$/, 'must be one tag without spaces').transform((tag) => tag.toLowerCase()))
    .max(50),
  groupIds: z.array(z.number().int().positive()).max(50),
  customField: z.strictObject({ id: z.number().int().positive(), values: z.array(z.string().min(1).max(200)).min(1).max(50) }).nullable(),
});

export const escalationRule = z.object({
  priorities: z.array(z.enum(TICKET_PRIORITIES)),
  tags: z.array(z.string()),
  groupIds: z.array(z.number()),
  customField: z.object({ id: z.number(), values: z.array(z.string()) }).nullable(),
});
export type EscalationRule = z.output<typeof escalationRule>;

const PATH = '/api/integrations/zendesk/connections/:id/escalation-rule';
export const getEscalationRule = endpoint({ method: 'GET', path: PATH, params: connectionParams, response: z.object({ rule: escalationRule, default: escalationRule }) });
export const setEscalationRule = endpoint({
  method: 'PUT',
  path: PATH,
  params: connectionParams,
  body: escalationRuleBody,
  response: z.object({ rule: escalationRule, ticketsChanged: z.number().int() }),
});
