/**
 * Chat commands: a message is parsed (chat-parser.ts, offline and deterministic), then answered
 * from our own data through the same services as the API (tickets, metrics, health, alert
 * subscriptions), or, across customers, through chat.repo.ts. This file only routes an intent to
 * its answer (answers/*); the shapes sent back are in views.ts, the quick actions in quick-actions.ts.
 */
import type { User } from '../users/users.repo.ts';
import { accountIndexFor } from './account-cache.ts';
import type { AnswerContext, ReadDeps } from './answer-context.ts';
import { answerAccountCsat, answerAccountHealth, answerAccountHistory } from './answers/account.ts';
import { answerSubscription } from './answers/alerts.ts';
import { answerAccountNeeded, answerAmbiguousAccount, answerNotUnderstood } from './answers/clarify.ts';
import { answerHelp } from './answers/help.ts';
import { answerCustomersWithBreaches, answerLowestCsat, answerLowestHealth } from './answers/portfolio.ts';
import { answerCustomerTickets, answerPortfolioTickets } from './answers/tickets.ts';
import { parseMessage } from './chat-parser.ts';
import type { AnswerContent, ChatAnswer } from './views.ts';
import { CHAT_MESSAGE_MAX_LENGTH } from '../../contracts/chat.ts';

export type { ChatAnswer, ChatChoice, ChatCustomerRef, ChatData, ChatSuggestion, ChatTicket } from './views.ts';

export { CHAT_MESSAGE_MAX_LENGTH };

/**
 * A command about a customer answers for that customer; without one, across the caller's customers
 * where that makes sense (tickets, rankings), else it asks which account.
 */
async function answerIntent(ctx: AnswerContext): Promise<AnswerContent> {
  const { parsed } = ctx;
  const customerId = parsed.entities.customerId;
  switch (parsed.intent) {
    case 'list_tickets':
    case 'escalated_tickets':
      return customerId ? answerCustomerTickets(ctx, parsed.intent, customerId) : answerPortfolioTickets(ctx, parsed.intent);
    case 'sla_breaches':
      return customerId ? answerCustomerTickets(ctx, parsed.intent, customerId) : answerCustomersWithBreaches(ctx);
    case 'support_health':
      return customerId ? answerAccountHealth(ctx, customerId) : answerLowestHealth(ctx);
    case 'csat':
      return customerId ? answerAccountCsat(ctx, customerId) : answerLowestCsat(ctx);
    case 'ticket_history':
      return customerId ? answerAccountHistory(ctx, customerId) : answerAccountNeeded(ctx, 'ticket_history');
    case 'subscribe_alerts':
      return answerSubscription(ctx, true);
    case 'unsubscribe_alerts':
      return answerSubscription(ctx, false);
    case 'help':
      return answerHelp();
    case 'clarify':
      return answerAmbiguousAccount(ctx);
    case 'unknown':
      return answerNotUnderstood(ctx);
  }
}

/** Parses the message and answers it for this user. */
export async function answerChat(deps: ReadDeps, user: User, message: string, options: { now?: Date; indexMaxAgeMs?: number } = {}): Promise<ChatAnswer> {
  const now = options.now ?? new Date();
  const index = await accountIndexFor(deps.db, { maxAgeMs: options.indexMaxAgeMs });
  const parsed = parseMessage(message, index, { now });
  const content = await answerIntent({ deps, user, index, parsed, now });
  return { intent: parsed.intent, entities: parsed.entities, ...content };
}
