/**
 * Satisfaction Ratings API (OAS): list and show are for admins; a rating is created by "the end
 * user listed as the ticket requester" (an admin may act as that user with X-On-Behalf-Of, or the
 * requester may sign in with the account's API token).
 */
import type { FastifyInstance } from 'fastify';
import type { ZSatisfactionRating } from '../../contract.ts';
import { forbidden, recordNotFound } from '../../faults/errors.ts';
import { type Query, paginate, queryValue } from '../pagination.ts';
import { renderSatisfactionRating, resourceUrl } from '../render.ts';
import { readRating } from '../ticket-input.ts';
import { msOf } from '../time.ts';
import { API, type Services, type TicketParams, countBody, guard, idParam, liveTicket, queryOf, renderContextOf, singleRecord } from './support.ts';

type RatingParams = { subdomain: string; satisfaction_rating_id: string };

/**
 * The `score` filter: offered, unoffered, received, received_with(out)_comment, good, bad and
 * their with(out)_comment forms; "an unqualified score such as `good` ... include[s] all the
 * records with and without comments" (OAS ListSatisfactionRatings).
 */
export function scoreMatches(filter: string, rating: ZSatisfactionRating): boolean {
  const received = rating.score === 'good' || rating.score === 'bad';
  const hasComment = rating.comment !== null && rating.comment !== '';
  const [base = '', qualifier] = filter.split(/_(?=with)/);
  const scoreOk = base === 'received' ? received : rating.score === base;
  if (!scoreOk) return false;
  if (qualifier === 'with_comment') return hasComment;
  if (qualifier === 'without_comment') return !hasComment;
  return qualifier === undefined;
}

/** `start_time` / `end_time`: oldest and most recent rating, Unix seconds, on `created_at`. */
function inTimeRange(query: Query, rating: ZSatisfactionRating): boolean {
  const created = msOf(rating.created_at) / 1000;
  const start = queryValue(query, 'start_time');
  const end = queryValue(query, 'end_time');
  if (start !== undefined && created < Number(start)) return false;
  if (end !== undefined && created > Number(end)) return false;
  return true;
}

export function registerSatisfactionRoutes(app: FastifyInstance, services: Services): void {
  const adminsOnly = guard(services, 'admin', null);
  const anyUser = guard(services, 'end-user', 'tickets');

  const matching = (ratings: Iterable<ZSatisfactionRating>, query: Query): ZSatisfactionRating[] => {
    const score = queryValue(query, 'score');
    return [...ratings].filter((rating) => (score === undefined || scoreMatches(score, rating)) && inTimeRange(query, rating));
  };

  app.get(`${API}/satisfaction_ratings`, { preHandler: adminsOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const page = paginate(matching(ctx.state.account.satisfaction_ratings.values(), query), query, {
      url: resourceUrl(ctx.baseUrl, 'satisfaction_ratings'),
      defaultSort: 'id',
      presorted: true,
      cursorSorts: { id: (r) => r.id, created_at: (r) => r.created_at, updated_at: (r) => r.updated_at },
      offsetSorts: { id: (r) => r.id, created_at: (r) => r.created_at },
    });
    return { satisfaction_ratings: page.items.map((rating) => renderSatisfactionRating(ctx, rating)), ...page.envelope };
  });

  app.get(`${API}/satisfaction_ratings/count`, { preHandler: adminsOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    return countBody(matching(ctx.state.account.satisfaction_ratings.values(), queryOf(request)).length, ctx.nowMs);
  });

  app.get<{ Params: RatingParams }>(`${API}/satisfaction_ratings/:satisfaction_rating_id`, { preHandler: adminsOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const rating = ctx.state.account.satisfaction_ratings.get(idParam(request.params.satisfaction_rating_id));
    if (!rating) throw recordNotFound();
    return { satisfaction_rating: singleRecord(services, renderSatisfactionRating(ctx, rating)) };
  });

  app.post<{ Params: TicketParams }>(`${API}/tickets/:ticket_id/satisfaction_rating`, { preHandler: anyUser }, async (request) => {
    const ctx = renderContextOf(services, request);
    const ticket = liveTicket(ctx.state, request.params.ticket_id);
    const actor = request.zendeskAuth!.user;
    // "Only the end user listed as the ticket requester can create a satisfaction rating" (OAS).
    if (actor.role !== 'end-user' || actor.id !== ticket.requester_id) throw forbidden();
    const rating = services.store.rateTicket(ctx.state.account.subdomain, ticket, readRating(request.body), actor);
    return { satisfaction_rating: singleRecord(services, renderSatisfactionRating(ctx, rating)) };
  });
}
