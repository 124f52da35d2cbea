/**
 * Zendesk's updated CSAT (docs/zendesk.md, CSAT survey responses): List Survey Responses,
 * GET /api/v2/guide/survey_responses (admins), filtered by `filter[created_at_start]` (Unix
 * seconds) and read with cursor pagination (`page[size]`, `page[after]`; `meta.has_more`,
 * `meta.after_cursor`). It counts against the account's plan limit (the client paces it).
 *
 * A response names its ticket in `subject_zrns` / `subjects` (`zen:ticket:123`); its rating is the
 * answer with a numeric `rating`, its scale the rating question's number of options (5 when the
 * answer does not list them), its comment the open-ended answer's `value`. The rating answer's
 * exact shape is UNCONFIRMED (the official example shows only a skipped comment), so this reads it
 * leniently; a response without a rating (all skipped) or without a ticket is left out.
 */
import { z } from 'zod';
import type { ZendeskClient } from './client.ts';

export const SURVEY_RESPONSES_PAGE_SIZE = 100;
const DEFAULT_SCALE = 5;

const answerSchema = z
  .object({
    type: z.string(),
    rating: z.number().int().optional(),
    value: z.unknown().optional(),
    question: z.object({ alias: z.string().optional(), type: z.string().optional(), options: z.array(z.unknown()).optional() }).loose().optional(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
  })
  .loose();

const surveyResponseSchema = z
  .object({
    id: z.string().min(1),
    answers: z.array(answerSchema),
    responder_id: z.number().int().nullable().optional(),
    subject_zrns: z.array(z.string()).optional(),
    subjects: z.array(z.object({ id: z.string(), type: z.string() }).loose()).optional(),
    expires_at: z.string().nullable().optional(),
  })
  .loose();

export const surveyResponsesPageSchema = z.object({
  survey_responses: z.array(surveyResponseSchema),
  meta: z.object({ has_more: z.boolean(), after_cursor: z.string().nullable().optional() }).loose().optional(),
  links: z.object({ next: z.string().nullable().optional() }).loose().optional(),
});
export type SurveyResponsesPage = z.infer<typeof surveyResponsesPageSchema>;
type RawSurveyResponse = z.infer<typeof surveyResponseSchema>;

/** One response as we store it (zendesk_csat_responses). */
export interface CsatResponse {
  id: string;
  ticketId: number;
  responderId: number | null;
  score: number;
  scale: number;
  comment: string | null;
  respondedAt: string;
  updatedAt: string;
}

function ticketIdOf(raw: RawSurveyResponse): number | null {
  for (const subject of raw.subjects ?? []) {
    if (subject.type === 'ticket' && /^\d+$/.test(subject.id)) return Number(subject.id);
  }
  for (const zrn of raw.subject_zrns ?? []) {
    const match = /^zen:ticket:(\d+)$/.exec(zrn);
    if (match) return Number(match[1]);
  }
  return null;
}

/** The stored form of a response, or null when it has no ticket or no rating. */
export function csatResponseOf(raw: RawSurveyResponse): CsatResponse | null {
  const ticketId = ticketIdOf(raw);
  const rating = raw.answers.find((a) => typeof a.rating === 'number');
  if (ticketId === null || !rating || rating.rating === undefined || !rating.created_at) return null;
  const options = rating.question?.options?.length;
  const scale = options && options >= 2 ? options : DEFAULT_SCALE;
  if (rating.rating < 1 || rating.rating > scale) return null;
  const comment = raw.answers.find((a) => a !== rating && a.type === 'open_ended' && typeof a.value === 'string' && a.value.trim() !== '');
  return {
    id: raw.id,
    ticketId,
    responderId: raw.responder_id ?? null,
    score: rating.rating,
    scale,
    comment: comment ? (comment.value as string) : null,
    respondedAt: rating.created_at,
    updatedAt: raw.answers.reduce((latest, a) => (a.updated_at && Date.parse(a.updated_at) > Date.parse(latest) ? a.updated_at : latest), rating.updated_at ?? rating.created_at),
  };
}

export function fetchSurveyResponsesPage(client: ZendeskClient, createdAfter: number, pageAfter: string | null, pageSize = SURVEY_RESPONSES_PAGE_SIZE): Promise<SurveyResponsesPage> {
  return client.request('GET', '/api/v2/guide/survey_responses.json', {
    query: {
      'filter[created_at_start]': createdAfter,
      'page[size]': pageSize,
      'page[after]': pageAfter ?? undefined,
    },
    schema: surveyResponsesPageSchema,
  });
}
