/**
 * The answers that ask instead of guessing: which of several fitting accounts, which account when
 * a command needs one, and what was understood of a message that could not be answered. Every
 * choice is a message that asks the command about one customer alone.
 */
import { suggestCustomers } from '../../matching/suggestions.ts';
import type { AnswerContext } from '../answer-context.ts';
import type { CommandIntent } from '../chat-parser.ts';
import { selectOwnCustomers } from '../chat.repo.ts';
import { accountChoices, choicesAsSuggestions, commandMessage, customerSuggestions, GENERAL_SUGGESTIONS, referenceFor } from '../quick-actions.ts';
import { customerRef, type AnswerContent, type ChatChoice } from '../views.ts';
import { EXAMPLES } from './help.ts';

const OWN_CUSTOMERS_OFFERED = 10;

/** How the "not understood" answer restates the command it did understand. */
const COMMAND_PHRASES: Record<CommandIntent, string> = {
  list_tickets: 'you want tickets',
  escalated_tickets: 'you want escalated tickets',
  support_health: 'you want support health',
  csat: 'you want CSAT',
  ticket_history: 'you want ticket history',
  sla_breaches: 'you want SLA breaches',
  subscribe_alerts: 'you want alerts',
  unsubscribe_alerts: 'you want to stop alerts',
  help: 'you want help',
};

/** Several customers fit the name equally well: the user picks one. */
export function answerAmbiguousAccount(ctx: AnswerContext): AnswerContent {
  const { parsed, index } = ctx;
  const command = parsed.command!;
  const choices = accountChoices(index, command, parsed.entities, parsed.accounts);
  const labels = choices.map((c) => c.label);
  const question = `Which account do you mean: ${labels.length === 2 ? `${labels[0]} or ${labels[1]}` : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`}?`;
  return {
    reply: question,
    data: { kind: 'choices', reason: 'ambiguous_account', command, question, choices },
    suggestions: choicesAsSuggestions(choices),
  };
}

/** The command needs a customer and none was named: a CSM is offered their own customers. */
export async function answerAccountNeeded(ctx: AnswerContext, command: CommandIntent): Promise<AnswerContent> {
  const { deps, user, index } = ctx;
  const own = user.role === 'csm' ? await selectOwnCustomers(deps.db, user.id, OWN_CUSTOMERS_OFFERED) : [];
  const question = `Which account? Name a customer, e.g. "${commandMessage(command, ctx.parsed.entities, own[0]?.name ?? 'Acme')}".`;
  const choices = accountChoices(index, command, ctx.parsed.entities, own.map((c) => ({ customerId: c.id, name: c.name })));
  return {
    reply: question,
    data: { kind: 'choices', reason: 'account_needed', command, question, choices },
    suggestions: choices.length > 0 ? choicesAsSuggestions(choices.slice(0, 4)) : GENERAL_SUGGESTIONS,
  };
}

/** What was understood (a command, an account, a name nobody has) and what to ask instead. */
export function answerNotUnderstood(ctx: AnswerContext): AnswerContent {
  const { parsed, index } = ctx;
  const command = parsed.command;
  const resolved = parsed.accounts.length === 1 ? parsed.accounts[0]! : null;
  const customer = resolved ? customerRef(resolved.customerId, resolved.name) : null;
  let choices: ChatChoice[] = [];
  let reply: string;
  if (command && parsed.unknownAccount) {
    // Near names, offered (never picked): bigram similarity over every customer, only on this path.
    const near = suggestCustomers({ name: parsed.unknownAccount, domains: parsed.unknownAccount.includes('.') ? [parsed.unknownAccount] : [] }, [...index.customers], 3);
    choices = near.map((s) => ({ label: s.name, message: commandMessage(command, parsed.entities, referenceFor(index, s.customerId)), customerId: s.customerId }));
    reply = `I understood ${COMMAND_PHRASES[command]}, but no account matches "${parsed.unknownAccount}".${choices.length > 0 ? ` Did you mean ${choices.map((c) => c.label).join(' or ')}?` : ''} Name the customer as it is in CSCX, or by its domain (e.g. acme.com).`;
  } else if (customer) {
    reply = `I understood the account ${customer.name}, but not what you want to know about it. You can ask for its open tickets, ticket history, CSAT or support health.`;
  } else if (parsed.accounts.length > 1) {
    choices = accountChoices(index, 'list_tickets', { ...parsed.entities, status: 'open' }, parsed.accounts);
    reply = `I understood an account (${choices.map((c) => c.label).join(' or ')}), but not what you want to know about it. Pick one for its open tickets, or ask for its ticket history, CSAT or support health.`;
  } else {
    reply = `Sorry, I did not understand that. I answer questions about support tickets, escalations, SLA breaches, CSAT, support health and alerts. Try "${EXAMPLES[0]}" or "${EXAMPLES[1]}", or ask for help.`;
  }
  return {
    reply,
    data: {
      kind: 'unknown',
      understood: { command, customer, unknownAccount: parsed.unknownAccount, corrections: parsed.corrections },
      choices,
      examples: EXAMPLES,
    },
    suggestions: customer ? customerSuggestions(index, customer.id, null) : choices.length > 0 ? choicesAsSuggestions(choices) : GENERAL_SUGGESTIONS,
  };
}
