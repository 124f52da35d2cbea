import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEmulator, ADMIN, basicAuth, testEmulator } from '../testing/test-emulator.ts';
import { surveyResponses } from './csat-survey.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('updated CSAT survey responses', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator();
  });
  afterAll(() => t.emulator.close());

  async function walk(first: string): Promise<Json[]> {
    const items: Json[] = [];
    let url: string | null = first;
    while (url) {
      const page = await t.request('GET', url.replace(/^https?:\/\/[^/]+/, ''));
      expect(page.status).toBe(200);
      items.push(...page.json.survey_responses);
      url = page.json.meta.has_more ? page.json.links.next : null;
    }
    return items;
  }

  it('generates responses for solved tickets across the 5-point scale, some with comments, legacy ratings unchanged', async () => {
    const all = [...surveyResponses(t.state()).values()];
    expect(all.length).toBeGreaterThan(10);
    expect(new Set(all.map((r) => r.rating))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(all.some((r) => r.comment !== null)).toBe(true);
    expect(all.some((r) => r.comment === null)).toBe(true);
    for (const r of all) {
      const ticket = t.state().account.tickets.get(r.ticket_id)!;
      expect(['solved', 'closed']).toContain(ticket.status);
    }
    const legacy = await t.request('GET', '/acme/api/v2/satisfaction_ratings.json?score=received');
    expect(legacy.status).toBe(200);
    expect(legacy.json.satisfaction_ratings.length).toBeGreaterThan(0);
  });

  it('lists them with the documented shape and cursor pagination', async () => {
    const first = await t.request('GET', '/acme/api/v2/guide/survey_responses?page[size]=10');
    expect(first.status).toBe(200);
    expect(first.json.survey_responses).toHaveLength(10);
    expect(first.json.meta.has_more).toBe(true);
    const one = first.json.survey_responses[0];
    expect(Object.keys(one).sort()).toEqual(['answers', 'expires_at', 'id', 'responder_id', 'subject_zrns', 'subjects', 'survey']);
    expect(one.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(one.subject_zrns[0]).toMatch(/^zen:ticket:\d+$/);
    expect(one.subjects[0]).toEqual({ id: one.subject_zrns[0].slice('zen:ticket:'.length), type: 'ticket', zrn: one.subject_zrns[0] });
    expect(one.survey).toMatchObject({ state: 'enabled', version: expect.any(Number) });
    const rating = one.answers.find((a: Json) => a.type === 'rating_scale');
    expect(rating.rating).toBeGreaterThanOrEqual(1);
    expect(rating.question.options).toHaveLength(5);
    const comment = one.answers.find((a: Json) => a.question.alias === 'comment');
    expect(['open_ended', 'skipped']).toContain(comment.type);

    const all = await walk('/acme/api/v2/guide/survey_responses?page[size]=25');
    expect(all.map((r) => r.id)).toEqual([...surveyResponses(t.state()).values()].map((r) => r.id));
  });

  it('filters by ticket and creation time; admins only', async () => {
    const some = [...surveyResponses(t.state()).values()][3]!;
    const byTicket = await t.request('GET', `/acme/api/v2/guide/survey_responses?filter[subject_zrns]=zen:ticket:${some.ticket_id}`);
    expect(byTicket.json.survey_responses.map((r: Json) => r.id)).toEqual([some.id]);
    const since = Math.floor(Date.parse(some.created_at) / 1000);
    const after = await t.request('GET', `/acme/api/v2/guide/survey_responses?filter[created_at_start]=${since}`);
    expect(after.json.survey_responses.every((r: Json) => Date.parse(r.answers[0].created_at) >= since * 1000)).toBe(true);
    expect((await t.request('GET', '/acme/api/v2/guide/survey_responses?filter[created_at_start]=soon')).status).toBe(400);
    const shown = await t.request('GET', `/acme/api/v2/guide/en-us/survey_responses/${some.id}`);
    expect(shown.json.survey_response.id).toBe(some.id);
    const endUser = [...t.state().account.users.values()].find((u) => u.role === 'end-user')!;
    const refused = await t.request('GET', '/acme/api/v2/guide/survey_responses', { auth: basicAuth(endUser.email!) });
    expect(refused.status).toBeGreaterThanOrEqual(401);
  });

  it('the test control adds a response to a ticket, with its comment', async () => {
    const ticket = [...t.state().account.tickets.values()].find((x) => x.status === 'solved' && !x.deleted)!;
    const added = await t.request('POST', '/_emulator/survey_responses', { auth: null, body: { subdomain: 'acme', ticket_id: ticket.id, rating: 2, comment: 'Slow answers' } });
    expect(added.status).toBe(200);
    expect(added.json.survey_response.subject_zrns).toEqual([`zen:ticket:${ticket.id}`]);
    const listed = await t.request('GET', `/acme/api/v2/guide/survey_responses?filter[subject_zrns]=zen:ticket:${ticket.id}`, { auth: ADMIN });
    const mine = listed.json.survey_responses.find((r: Json) => r.id === added.json.survey_response.id);
    expect(mine.answers.find((a: Json) => a.type === 'rating_scale').rating).toBe(2);
    expect(mine.answers.find((a: Json) => a.type === 'open_ended').value).toBe('Slow answers');
    const bad = await t.request('POST', '/_emulator/survey_responses', { auth: null, body: { subdomain: 'acme', ticket_id: ticket.id, rating: 4, scale: 3 } });
    expect(bad.status).toBe(400);
  });
});
