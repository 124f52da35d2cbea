import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../deps.ts';
import { askChat } from '../../contracts/chat.ts';
import { answerChat } from '../../modules/chat/chat.service.ts';

export function chatRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/chat',
      {
        // Any signed-in role: views across customers are a CSM's own customers, leaders' and admins' all.
        config: {},
        schema: { body: askChat.body, response: { 200: askChat.response } },
      },
      async (request) => answerChat(deps, request.user!, request.body.message),
    );
  };
}
