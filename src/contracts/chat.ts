/** The chat assistant: a question in, an answer with a card to render and follow-up suggestions out. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { ALERT_TYPES, TICKET_PRIORITIES } from './vocabulary.ts';

export const CHAT_MESSAGE_MAX_LENGTH = 500;
export const CHAT_INTENTS = [
  'list_tickets',
  'escalated_tickets',
  'support_health',
  'subscribe_alerts',
  'unsubscribe_alerts',
  'csat',
  'ticket_history',
  'sla_breaches',
  'help',
  'clarify',
  'unknown',
] as const;
export const CHAT_STATUSES = ['open', 'new', 'pending', 'hold', 'solved', 'closed', 'all'] as const;

export const chatBody = z.strictObject(
  {
    message: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
      .trim()
      .min(1, 'is empty; ask something, e.g. "Show support tickets for Acme" or "help"')
      .max(CHAT_MESSAGE_MAX_LENGTH, `is longer than ${CHAT_MESSAGE_MAX_LENGTH} characters`),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (the only field is "message")` : 'must be a JSON object {"message": "..."}') },
);

/** A question to offer: a button label and the message it sends. */
export const chatSuggestion = z.object({ label: z.string(), message: z.string() });
export type ChatSuggestion = z.output<typeof chatSuggestion>;

export const chatAnswer = z.object({
  intent: z.enum(CHAT_INTENTS),
  entities: z.object({
    customerId: z.string().nullable(),
    alertType: z.enum(ALERT_TYPES).nullable(),
    status: z.enum(CHAT_STATUSES).nullable(),
    priority: z.enum(TICKET_PRIORITIES).nullable(),
    since: z.object({ label: z.string(), from: z.string(), days: z.number() }).nullable(),
  }),
  reply: z.string(),
  // The card the UI renders, by `kind`: tickets, metrics, csat, portfolio, history, subscriptions,
  // choices, help, unknown (shapes: ChatData in src/modules/chat/views.ts).
  data: z.looseObject({ kind: z.string() }),
  suggestions: z.array(chatSuggestion),
});
export type ChatAnswer = z.output<typeof chatAnswer>;

export const askChat = endpoint({ method: 'POST', path: '/api/chat', body: chatBody, response: chatAnswer });
