/**
 * Merge Tickets into Target Ticket and Show Job Status (OAS MergeTicketsIntoTargetTicket,
 * ShowJobStatus). Zendesk queues the merge and answers a `job_status`; the emulator does the work
 * at once, so the answer says "queued" and every later Show Job Status says "completed".
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordInvalid, recordNotFound } from '../../faults/errors.ts';
import { mergeSources, mergeTickets } from '../merge.ts';
import { resourceUrl } from '../render.ts';
import type { JobStatus } from '../state.ts';
import { API, type Services, type TicketParams, accountOf, guard, liveTicket } from './support.ts';

const mergeBody = z.object({
  ids: z.array(z.number().int().positive()),
  source_comment: z.string().optional(),
  target_comment: z.string().optional(),
  source_comment_is_public: z.boolean().optional(),
  target_comment_is_public: z.boolean().optional(),
});

function renderJob(baseUrl: string, job: JobStatus): Record<string, unknown> {
  return { ...job, url: resourceUrl(baseUrl, `job_statuses/${job.id}`) };
}

export function registerMergeRoutes(app: FastifyInstance, services: Services): void {
  const agents = guard(services, 'agent', 'tickets');

  app.post<{ Params: TicketParams }>(`${API}/tickets/:ticket_id/merge`, { preHandler: agents }, async (request) => {
    const state = accountOf(services, request);
    const target = liveTicket(state, request.params.ticket_id);
    const parsed = mergeBody.safeParse(request.body);
    if (!parsed.success) throw recordInvalid({ ids: [{ description: 'Ids: is invalid', error: 'InvalidValue' }] });
    const sources = mergeSources(state, target, parsed.data);
    mergeTickets(services.store, state, target, sources, parsed.data, request.zendeskAuth!.user);
    const id = randomBytes(16).toString('hex');
    const done: JobStatus = {
      id,
      status: 'completed',
      total: sources.length,
      progress: sources.length,
      message: `Completed at ${new Date(services.clock.nowMs()).toISOString()}`,
      results: sources.map((source) => ({ action: 'merge', id: source.id, status: 'Merged', success: true })),
    };
    state.jobStatuses.set(id, done);
    const baseUrl = services.ctx.baseUrl(state.account.subdomain);
    return { job_status: renderJob(baseUrl, { id, status: 'queued', total: sources.length, progress: 0, message: null, results: [] }) };
  });

  app.get<{ Params: { subdomain: string; job_id: string } }>(`${API}/job_statuses/:job_id`, { preHandler: agents }, async (request) => {
    const state = accountOf(services, request);
    const job = state.jobStatuses.get(request.params.job_id);
    if (!job) throw recordNotFound();
    return { job_status: renderJob(services.ctx.baseUrl(state.account.subdomain), job) };
  });
}
