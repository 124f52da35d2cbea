/**
 * `POST /_emulator/archive` (not Zendesk's API): archives tickets now instead of 120 days after
 * they closed, so that tests and demos can see an archived ticket leave the lists and stay in
 * the exports. Body `{ "subdomain": "acme", "ticket_ids": [1, 2] }`; answers the archived ids.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from './support.ts';

const archiveBody = z.object({ subdomain: z.string().default('acme'), ticket_ids: z.array(z.number().int().positive()) });

export function registerArchiveControl(app: FastifyInstance, services: Services): void {
  app.post('/_emulator/archive', async (request, reply) => {
    const parsed = archiveBody.safeParse(request.body ?? {});
    const state = parsed.success ? services.store.state(parsed.data.subdomain) : undefined;
    if (!parsed.success || !state) return reply.code(400).send({ error: 'expected {"subdomain","ticket_ids":[...]} of a known account' });
    const archived = parsed.data.ticket_ids.filter((id) => state.account.tickets.has(id));
    for (const id of archived) state.archivedNow.add(id);
    return { archived };
  });
}
