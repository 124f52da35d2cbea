/**
 * The messages the chat offers to send next (quick actions and choices). Each is a message the
 * parser reads back to the very command and customer it stands for, so that a click asks exactly
 * what its label says.
 */
import type { AccountIndex } from './account-index.ts';
import { parseMessage, type ChatEntities, type CommandIntent } from './chat-parser.ts';
import type { ChatChoice, ChatSuggestion } from './views.ts';

/** For answers about no customer in particular, or when no customer-specific action fits. */
export const GENERAL_SUGGESTIONS: ChatSuggestion[] = [
  { label: 'View open tickets', message: 'show open tickets' },
  { label: 'Escalated tickets', message: 'are there any escalated tickets?' },
  { label: 'Check CSAT scores', message: 'check CSAT scores' },
  { label: 'SLA breaches', message: 'which customers have SLA breaches?' },
];

/**
 * How a message names this customer so that it parses back to it alone: its name, else one of its
 * domains (two customers may share a name), else its name anyway.
 */
export function referenceFor(index: AccountIndex, id: string): string {
  const customer = index.customer(id);
  if (!customer) return id;
  const resolves = (text: string) => {
    const parsed = parseMessage(`CSAT for ${text}`, index);
    return parsed.accounts.length === 1 && parsed.accounts[0]?.customerId === id;
  };
  if (resolves(customer.name)) return customer.name;
  for (const domain of customer.domains) if (resolves(domain)) return domain;
  return customer.name;
}

/** The canonical message of a command about one customer (choices and quick actions send it). */
export function commandMessage(command: CommandIntent, entities: ChatEntities, reference: string): string {
  switch (command) {
    case 'list_tickets': {
      const words = [entities.status === 'all' ? 'all' : entities.status, entities.priority].filter(Boolean).join(' ');
      const since = entities.since ? ` from ${entities.since.label}` : '';
      return `show ${words ? `${words} ` : ''}tickets${since} for ${reference}`;
    }
    case 'escalated_tickets':
      return `escalated tickets for ${reference}`;
    case 'support_health':
      return `support health for ${reference}`;
    case 'csat':
      return `CSAT for ${reference}`;
    case 'ticket_history':
      return `ticket history for ${reference}`;
    case 'sla_breaches':
      return `SLA breaches for ${reference}`;
    default:
      return reference;
  }
}

/** Up to four follow-ups about one customer, leaving out the command just answered (`except`). */
export function customerSuggestions(index: AccountIndex, id: string, except: CommandIntent | null): ChatSuggestion[] {
  const reference = referenceFor(index, id);
  const none: ChatEntities = { customerId: id, alertType: null, status: null, priority: null, since: null };
  const all: Array<[CommandIntent, string, string]> = [
    ['list_tickets', 'View open tickets', `show open tickets for ${reference}`],
    ['ticket_history', 'See ticket history', commandMessage('ticket_history', none, reference)],
    ['csat', 'Check CSAT scores', commandMessage('csat', none, reference)],
    ['support_health', 'Support health', commandMessage('support_health', none, reference)],
    ['escalated_tickets', 'Escalated tickets', commandMessage('escalated_tickets', none, reference)],
  ];
  return all.filter(([intent]) => intent !== except).slice(0, 4).map(([, label, message]) => ({ label, message }));
}

/** One choice per customer, each with the message that asks `command` about it alone; labels tell same-named customers apart by domain. */
export function accountChoices(index: AccountIndex, command: CommandIntent, entities: ChatEntities, accounts: ReadonlyArray<{ customerId: string; name: string }>): ChatChoice[] {
  const names = accounts.map((a) => a.name.toLowerCase());
  return accounts.map((account) => {
    const customer = index.customer(account.customerId);
    const shared = names.filter((n) => n === account.name.toLowerCase()).length > 1;
    const label = customer && shared && customer.domains[0] ? `${account.name} (${customer.domains[0]})` : account.name;
    return { label, message: commandMessage(command, entities, referenceFor(index, account.customerId)), customerId: account.customerId };
  });
}

/** Choices offered as quick actions too (same label, same message). */
export const choicesAsSuggestions = (choices: readonly ChatChoice[]): ChatSuggestion[] => choices.map((c) => ({ label: c.label, message: c.message }));
