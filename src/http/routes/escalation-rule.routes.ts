import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { DEFAULT_ESCALATION_RULE, escalationRuleOf, escalationRuleSchema, saveEscalationRule } from '../../modules/ingest/escalation-rule.ts';

const params = z.object({ id: z.uuid('is not a connection id') });
const ruleView = z.object({
  priorities: z.array(z.string()),
  tags: z.array(z.string()),
  groupIds: z.array(z.number()),
  customField: z.object({ id: z.number(), values: z.array(z.string()) }).nullable(),
});

/**
 * What "escalated" means for one connection (metrics, the escalated flag, escalation alerts).
 * Leaders read it (the UI shows the rule beside the figures); admins change it.
 */
export function escalationRuleRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/integrations/zendesk/connections/:id/escalation-rule',
      { config: { roles: ['admin', 'leader'] }, schema: { params, response: { 200: z.object({ rule: ruleView, default: ruleView }) } } },
      async (request) => ({ rule: await escalationRuleOf(deps.db, request.params.id), default: DEFAULT_ESCALATION_RULE }),
    );

    app.put(
      '/api/integrations/zendesk/connections/:id/escalation-rule',
      {
        config: { roles: ['admin'] },
        schema: { params, body: escalationRuleSchema, response: { 200: z.object({ rule: ruleView, ticketsChanged: z.number().int() }) } },
      },
      async (request) => {
        const rule = request.body;
        // The rule and the flags it gives change together, or not at all.
        const { ticketsChanged } = await deps.db.transaction((tx) => saveEscalationRule(tx, request.params.id, rule));
        request.log.info({ connectionId: request.params.id, ticketsChanged }, 'escalation rule changed');
        return { rule, ticketsChanged };
      },
    );
  };
}
