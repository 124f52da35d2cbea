import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { ALERT_TYPES } from '../../contracts/vocabulary.ts';
import { CHAT_INTENTS, CHAT_PRIORITIES, CHAT_STATUSES } from '../../modules/chat/chat-parser.ts';
import { answerChat, CHAT_MESSAGE_MAX_LENGTH } from '../../modules/chat/chat.service.ts';

const body = z.strictObject(
  {
    message: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
      .trim()
      .min(1, 'is empty; ask something, e.g. "Show support tickets for Acme" or "help"')
      .max(CHAT_MESSAGE_MAX_LENGTH, `is longer than ${CHAT_MESSAGE_MAX_LENGTH} characters`),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (the only field is "message")` : 'must be a JSON object {"message": "..."}') },
);

const answer = z.object({
  intent: z.enum(CHAT_INTENTS),
  entities: z.object({
    customerId: z.string().nullable(),
    alertType: z.enum(ALERT_TYPES).nullable(),
    status: z.enum(CHAT_STATUSES).nullable(),
    priority: z.enum(CHAT_PRIORITIES).nullable(),
    since: z.object({ label: z.string(), from: z.string(), days: z.number() }).nullable(),
  }),
  reply: z.string(),
  // The card the UI renders, by `kind`: tickets, metrics, csat, portfolio, history, subscriptions,
  // choices, help, unknown (shapes: ChatData in src/modules/chat/views.ts).
  data: z.looseObject({ kind: z.string() }),
  suggestions: z.array(z.object({ label: z.string(), message: z.string() })),
});

export function chatRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/chat',
      {
        // Any signed-in role: views across customers are a CSM's own customers, leaders' and admins' all.
        config: {},
        schema: { body, response: { 200: answer } },
      },
      async (request) => answerChat(deps, request.user!, request.body.message),
    );
  };
}
