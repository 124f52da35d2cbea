import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/escalation-rule.ts';
import type { Deps } from '../../deps.ts';
import { DEFAULT_ESCALATION_RULE, escalationRuleOf, saveEscalationRule } from '../../modules/ingest/escalation-rule.ts';

/**
 * What "escalated" means for one connection (metrics, the escalated flag, escalation alerts).
 * Leaders read it (the UI shows the rule beside the figures); admins change it.
 */
export function escalationRuleRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/integrations/zendesk/connections/:id/escalation-rule',
      { config: { roles: ['admin', 'leader'] }, schema: { params: contract.getEscalationRule.params, response: { 200: contract.getEscalationRule.response } } },
      async (request) => ({ rule: await escalationRuleOf(deps.db, request.params.id), default: DEFAULT_ESCALATION_RULE }),
    );

    app.put(
      '/api/integrations/zendesk/connections/:id/escalation-rule',
      {
        config: { roles: ['admin'] },
        schema: { params: contract.setEscalationRule.params, body: contract.setEscalationRule.body, response: { 200: contract.setEscalationRule.response } },
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
