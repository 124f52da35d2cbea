/**
 * Rankings across the caller's customers (a CSM's own, everyone's for leaders and admins), asked
 * without naming a customer: the customers with SLA breaches, the lowest support scores, the lowest
 * CSAT. Each card lists customers; the quick actions go on to the first of them.
 */
import { csmIdOf, scopeOf, type AnswerContext } from '../answer-context.ts';
import { selectCustomersWithBreaches, selectLowestCsat, selectLowestHealth } from '../chat.repo.ts';
import { commandMessage, customerSuggestions, GENERAL_SUGGESTIONS, referenceFor } from '../quick-actions.ts';
import { percent, plural, round } from '../reply-format.ts';
import { customerRef, type AnswerContent } from '../views.ts';

const PORTFOLIO_SHOWN = 10;

export async function answerCustomersWithBreaches(ctx: AnswerContext): Promise<AnswerContent> {
  const { deps, parsed, user } = ctx;
  const scope = scopeOf(user);
  const result = await selectCustomersWithBreaches(deps.db, csmIdOf(user), PORTFOLIO_SHOWN);
  const whose = scope === 'mine' ? 'your customers' : 'customers';
  const reply =
    result.total === 0
      ? `None of ${whose} has an SLA breach on an open ticket right now.`
      : `${plural(result.total, scope === 'mine' ? 'of your customers has' : 'customer has', scope === 'mine' ? 'of your customers have' : 'customers have')} SLA breaches: ${plural(result.tickets, 'open ticket')} past an SLA target. ${result.customers
          .slice(0, 3)
          .map((c) => `${c.customerName} (${c.breached})`)
          .join(', ')}${result.total > 3 ? ', ...' : ''}.`;
  const first = result.customers[0];
  return {
    reply,
    data: {
      kind: 'portfolio',
      metric: 'sla_breaches',
      scope,
      total: result.total,
      customers: result.customers.map((c) => ({ ...customerRef(c.customerId, c.customerName), value: c.breached, detail: plural(c.breached, 'breached ticket') })),
    },
    // The worst customer's breached tickets replace the general "SLA breaches" action just answered.
    suggestions: first
      ? [{ label: `${first.customerName}'s breached tickets`, message: commandMessage('sla_breaches', parsed.entities, referenceFor(ctx.index, first.customerId)) }, ...GENERAL_SUGGESTIONS.filter((s) => s.label !== 'SLA breaches')]
      : GENERAL_SUGGESTIONS,
  };
}

export async function answerLowestHealth(ctx: AnswerContext): Promise<AnswerContent> {
  const { deps, user } = ctx;
  const scope = scopeOf(user);
  const result = await selectLowestHealth(deps.db, csmIdOf(user), PORTFOLIO_SHOWN);
  const whose = scope === 'mine' ? 'your customers' : 'all customers';
  const reply =
    result.total === 0
      ? `No support scores yet for ${whose}. Name a customer for its details, e.g. "support health for Acme".`
      : `The lowest support scores among ${whose}: ${result.customers.slice(0, 3).map((c) => `${c.customerName} ${round(c.value)}/100`).join(', ')}. Name one for the explanation.`;
  return {
    reply,
    data: {
      kind: 'portfolio',
      metric: 'support_score',
      scope,
      total: result.total,
      customers: result.customers.map((c) => ({ ...customerRef(c.customerId, c.customerName), value: round(c.value), detail: `support ${round(c.value)}/100, overall ${c.extra === null ? 'n/a' : `${round(c.extra)}/100`} (${c.day})` })),
    },
    suggestions: result.customers[0] ? customerSuggestions(ctx.index, result.customers[0].customerId, null) : GENERAL_SUGGESTIONS,
  };
}

export async function answerLowestCsat(ctx: AnswerContext): Promise<AnswerContent> {
  const { deps, user } = ctx;
  const scope = scopeOf(user);
  const result = await selectLowestCsat(deps.db, csmIdOf(user), PORTFOLIO_SHOWN);
  const whose = scope === 'mine' ? 'your customers' : 'all customers';
  const reply =
    result.total === 0
      ? `No CSAT ratings in the last 90 days for ${whose}.`
      : `The lowest CSAT (last 90 days) among ${whose}: ${result.customers.slice(0, 3).map((c) => `${c.customerName} ${percent(c.value)}`).join(', ')}.`;
  return {
    reply,
    data: {
      kind: 'portfolio',
      metric: 'csat',
      scope,
      total: result.total,
      customers: result.customers.map((c) => ({ ...customerRef(c.customerId, c.customerName), value: c.value, detail: `CSAT ${percent(c.value)} over ${plural(c.extra ?? 0, 'rating')} (${c.day})` })),
    },
    suggestions: result.customers[0] ? customerSuggestions(ctx.index, result.customers[0].customerId, 'csat') : GENERAL_SUGGESTIONS,
  };
}
