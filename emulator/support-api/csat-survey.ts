/**
 * Zendesk's updated CSAT (2024 onwards): survey responses on a rating scale with an optional
 * comment, beside the legacy good/bad satisfaction ratings (which keep working). Documented at
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/csat_survey_responses:
 *
 * - a response: `id` (string), `answers[]`, `expires_at` (after it the responder cannot edit),
 *   `responder_id`, `subject_zrns[]` (e.g. `zen:ticket:123`), `subjects[{id, type, zrn}]`,
 *   `survey{id, version, state: enabled|disabled}`;
 * - List Survey Responses, `GET /api/v2/guide/survey_responses` (admins), filters
 *   `filter[responder_ids]`, `filter[subject_zrns]` (comma-separated), `filter[created_at_start]`,
 *   `filter[created_at_end]` (Unix epoch);
 * - Show Survey Response, `GET /api/v2/guide/{locale}/survey_responses/{id}`.
 *
 * The official example shows only a skipped open-ended answer (alias `comment`, "Anything else you
 * would like to share about your experience?"). The rating answer's shape (`type: "rating_scale"`
 * with a numeric `rating` and the question's `options[{rating, label}]`) and the list's pagination
 * (cursor: `page[size]`, `page[after]`, `meta.has_more`/`after_cursor`, `links.next`, as the other
 * Zendesk lists) are UNCONFIRMED: the emulator's choice, read leniently by the product.
 *
 * The emulator keeps responses apart from the ticket: adding one does not rewrite the ticket's
 * legacy `satisfaction_rating` (Zendesk maps the new scale back to good/bad there, per a
 * third-party article; the official statement of that mapping is UNCONFIRMED).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalidPaginationParameter, recordNotFound } from '../faults/errors.ts';
import { createRandom } from '../generation/random.ts';
import { paginate, queryValue } from './pagination.ts';
import { API, type Services, guard, queryOf, renderContextOf } from './routes/support.ts';
import type { AccountState } from './state.ts';
import { isoSeconds, msOf } from './time.ts';

export type SurveyScale = 2 | 3 | 5;

/** One survey response as the emulator keeps it (rendered by renderSurveyResponse). */
export interface SurveyResponse {
  /** Creation order, for the list's cursor. */
  seq: number;
  id: string;
  ticket_id: number;
  responder_id: number;
  rating: number;
  scale: SurveyScale;
  comment: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

/** Responses of one account, by id in creation order. */
const responsesOf = new WeakMap<AccountState, Map<string, SurveyResponse>>();

export function surveyResponses(state: AccountState): Map<string, SurveyResponse> {
  let map = responsesOf.get(state);
  if (!map) {
    map = new Map();
    responsesOf.set(state, map);
  }
  return map;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** "The email channel gives end users 28 days by default" (support.zendesk.com/hc/en-us/articles/4408886173338). */
const EDIT_WINDOW_MS = 28 * DAY_MS;
const SURVEY_ID = '01J58KJ9RAE0D2EK7HRVM7Z8F2';
const SURVEY_VERSION = 3;
const RATING_QUESTION_ID = '01GFYBENPDGN1R6NAA4WRDNVFQ';
const COMMENT_QUESTION_ID = '01GFYBENPDGN1R6NAA4WRDNVFR';
const LABELS: Record<SurveyScale, string[]> = {
  2: ['Bad', 'Good'],
  3: ['Unsatisfied', 'Neutral', 'Satisfied'],
  5: ['Very unsatisfied', 'Unsatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
};
const COMMENTS: Record<'low' | 'mid' | 'high', string[]> = {
  low: ['Took far too long to get an answer.', 'The issue is still not fixed.', 'Nobody read what I wrote.'],
  mid: ['Fine in the end, but slow.', 'Got there eventually.'],
  high: ['Quick and friendly, thanks!', 'Solved on the first reply.', 'Great help from the team.'],
};
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-like id (the format of Zendesk's survey response ids), derived from the time and a sequence. */
function responseId(createdMs: number, seq: number, salt: number): string {
  let time = Math.floor(createdMs);
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  let tail = '';
  let n = (seq * 2_654_435_761 + salt) >>> 0;
  for (let i = 0; i < 16; i += 1) {
    tail += CROCKFORD[n % 32];
    n = Math.floor(n / 32) + ((seq + i) * 7 + salt) % 97;
  }
  return head + tail;
}

function commentFor(rating: number, scale: SurveyScale, pick: (items: readonly string[]) => string): string {
  const share = rating / scale;
  return pick(share <= 0.4 ? COMMENTS.low : share < 0.8 ? COMMENTS.mid : COMMENTS.high);
}

/** Adds a response to a ticket now (the test control, and generation). */
export function addSurveyResponse(
  state: AccountState,
  input: { ticketId: number; rating: number; scale: SurveyScale; comment: string | null; createdMs: number; responderId?: number },
): SurveyResponse {
  const map = surveyResponses(state);
  const seq = map.size + 1;
  const ticket = state.account.tickets.get(input.ticketId);
  const at = isoSeconds(input.createdMs);
  const response: SurveyResponse = {
    seq,
    id: responseId(input.createdMs, seq, state.account.account_id % 997),
    ticket_id: input.ticketId,
    responder_id: input.responderId ?? ticket?.requester_id ?? state.account.admin_user_id,
    rating: input.rating,
    scale: input.scale,
    comment: input.comment,
    created_at: at,
    updated_at: at,
    expires_at: isoSeconds(input.createdMs + EDIT_WINDOW_MS),
  };
  map.set(response.id, response);
  return response;
}

/**
 * Seed data: the account moved to the updated CSAT, so some solved tickets whose legacy survey
 * went unanswered (`offered`) have a 5-point survey response instead, across the whole scale, about
 * half with a comment. A random stream of its own keeps the rest of the generated account unchanged.
 */
export function generateSurveyResponses(state: AccountState, seed: number, nowMs: number): void {
  const random = createRandom((seed ^ 0x5eed_c5a7) >>> 0);
  const candidates = [...state.account.tickets.values()]
    .filter((t) => !t.deleted && (t.status === 'solved' || t.status === 'closed') && t.satisfaction_state === 'offered' && t.satisfaction_rating_id !== null)
    .filter((t) => state.account.satisfaction_ratings.get(t.satisfaction_rating_id!)?.score === 'offered');
  const planned: Array<{ ticketId: number; rating: number; comment: string | null; createdMs: number }> = [];
  for (const ticket of candidates) {
    if (!random.chance(0.7)) continue;
    const solvedMs = state.timelines.get(ticket.id)?.solvedMs ?? msOf(ticket.updated_at);
    const createdMs = Math.min(solvedMs + random.int(60, 48 * 60) * MINUTE_MS, nowMs - MINUTE_MS);
    const rating = random.weighted({ r1: 8, r2: 8, r3: 14, r4: 30, r5: 40 } as const);
    const value = Number(rating.slice(1));
    planned.push({ ticketId: ticket.id, rating: value, comment: random.chance(0.5) ? commentFor(value, 5, random.pick) : null, createdMs });
  }
  planned.sort((a, b) => a.createdMs - b.createdMs || a.ticketId - b.ticketId);
  for (const p of planned) addSurveyResponse(state, { ...p, scale: 5 });
}

/** A response as the API renders it. */
export function renderSurveyResponse(response: SurveyResponse): Record<string, unknown> {
  const zrn = `zen:ticket:${response.ticket_id}`;
  const labels = LABELS[response.scale];
  const ratingAnswer = {
    type: 'rating_scale',
    question: {
      id: RATING_QUESTION_ID,
      type: 'rating_scale',
      alias: 'rating',
      headline: { type: 'static', value: 'How would you rate your experience?' },
      options: labels.map((label, index) => ({ rating: index + 1, label: { type: 'static', value: label } })),
    },
    rating: response.rating,
    created_at: response.created_at,
    updated_at: response.updated_at,
  };
  const commentQuestion = {
    alias: 'comment',
    headline: { type: 'static', value: 'Anything else you would like to share about your experience?' },
    id: COMMENT_QUESTION_ID,
    type: 'open_ended',
  };
  const commentAnswer =
    response.comment === null
      ? { created_at: response.created_at, question: commentQuestion, type: 'skipped', updated_at: response.updated_at }
      : { created_at: response.created_at, question: commentQuestion, type: 'open_ended', value: response.comment, updated_at: response.updated_at };
  return {
    answers: [ratingAnswer, commentAnswer],
    expires_at: response.expires_at,
    id: response.id,
    responder_id: response.responder_id,
    subject_zrns: [zrn],
    subjects: [{ id: String(response.ticket_id), type: 'ticket', zrn }],
    survey: { id: SURVEY_ID, state: 'enabled', version: SURVEY_VERSION },
  };
}

function listFilter(raw: string | undefined, name: string): string[] | null {
  if (raw === undefined) return null;
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw invalidPaginationParameter(`${name} is empty`);
  return parts;
}

function epochFilter(raw: string | undefined, name: string): number | null {
  if (raw === undefined) return null;
  if (!/^\d{1,12}$/.test(raw)) throw invalidPaginationParameter(`${name} is not a Unix epoch time`);
  return Number(raw) * 1000;
}

const controlBody = z.object({
  subdomain: z.string().default('acme'),
  ticket_id: z.number().int().positive(),
  rating: z.number().int().min(1),
  scale: z.union([z.literal(2), z.literal(3), z.literal(5)]).default(5),
  comment: z.string().max(10_000).nullable().default(null),
});

export function registerSurveyResponseRoutes(app: FastifyInstance, services: Services): void {
  const adminsOnly = guard(services, 'admin', null);

  app.get(`${API}/guide/survey_responses`, { preHandler: adminsOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const zrns = listFilter(queryValue(query, 'filter[subject_zrns]'), 'filter[subject_zrns]');
    const responders = listFilter(queryValue(query, 'filter[responder_ids]'), 'filter[responder_ids]');
    const start = epochFilter(queryValue(query, 'filter[created_at_start]'), 'filter[created_at_start]');
    const end = epochFilter(queryValue(query, 'filter[created_at_end]'), 'filter[created_at_end]');
    const matching = [...surveyResponses(ctx.state).values()].filter((r) => {
      const created = msOf(r.created_at);
      // Served once a response exists (generated ones may lie ahead of a manual clock).
      if (created > ctx.nowMs) return false;
      if (zrns && !zrns.includes(`zen:ticket:${r.ticket_id}`)) return false;
      if (responders && !responders.includes(String(r.responder_id))) return false;
      if (start !== null && created < start) return false;
      if (end !== null && created > end) return false;
      return true;
    });
    const items = matching.map((r) => ({ id: r.seq, response: r }));
    const page = paginate(items, query['page[size]'] === undefined && query['page[after]'] === undefined && query['page[before]'] === undefined ? { ...query, 'page[size]': '100' } : query, {
      url: `${ctx.baseUrl}/api/v2/guide/survey_responses`,
      defaultSort: 'created_at',
      cursorSorts: { created_at: (i) => i.response.created_at, id: (i) => i.id },
      offsetSorts: {},
    });
    return { survey_responses: page.items.map((i) => renderSurveyResponse(i.response)), ...page.envelope };
  });

  app.get<{ Params: { subdomain: string; locale: string; id: string } }>(`${API}/guide/:locale/survey_responses/:id`, { preHandler: adminsOnly }, async (request) => {
    const ctx = renderContextOf(services, request);
    const response = surveyResponses(ctx.state).get(request.params.id);
    if (!response || msOf(response.created_at) > ctx.nowMs) throw recordNotFound();
    return { survey_response: renderSurveyResponse(response) };
  });

  /**
   * `POST /_emulator/survey_responses` (not Zendesk's API): a requester answers the ticket's
   * updated CSAT survey now. Body `{ "subdomain": "acme", "ticket_id": 1, "rating": 2, "scale": 5,
   * "comment": "Too slow" }`; answers the response as the API renders it.
   */
  app.post('/_emulator/survey_responses', async (request, reply) => {
    const parsed = controlBody.safeParse(request.body ?? {});
    const state = parsed.success ? services.store.state(parsed.data.subdomain) : undefined;
    const ticket = parsed.success ? state?.account.tickets.get(parsed.data.ticket_id) : undefined;
    if (!parsed.success || !state || !ticket || ticket.deleted || parsed.data.rating > parsed.data.scale) {
      return reply.code(400).send({ error: 'expected {"subdomain","ticket_id","rating" (1 to scale),"scale" (2, 3 or 5),"comment"} of a known ticket' });
    }
    const response = addSurveyResponse(state, { ticketId: ticket.id, rating: parsed.data.rating, scale: parsed.data.scale, comment: parsed.data.comment, createdMs: services.clock.nowMs() });
    return { survey_response: renderSurveyResponse(response) };
  });
}
