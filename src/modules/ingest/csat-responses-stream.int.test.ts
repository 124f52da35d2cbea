/**
 * Following Zendesk's updated-CSAT survey responses against the emulator: the catch-up stores every
 * response with its ticket, score, scale and comment; a run cut short resumes from its committed
 * position; the admins' negative-CSAT threshold decides which responses raise an alert, once per
 * response, with the comment in the details; a bad threshold is refused with nothing written.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { surveyResponses } from '../../../emulator/support-api/csat-survey.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { connectWithApiToken, zendeskClientFor } from '../connections/connections.service.ts';
import { alertHeadline } from '../alerts/alert-message.ts';
import { computeCustomerMetrics } from '../metrics/metrics.service.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { csatResponsesPosition } from './csat-responses.repo.ts';
import { followCsatResponses } from './csat-responses-stream.ts';
import { runSync } from './sync.service.ts';

const API_TOKEN = 'csat-responses-token';
const MINUTE_MS = 60_000;

describe('updated CSAT survey responses (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let connectionId: string;
  let customerId: string;
  let adminKey: string;
  /** Solved (then closed) tickets of the customer, to answer in the tests. */
  let free: number[];

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, subdomains: ['acme'], tickets: 300, users: 60, organizations: 6, apiToken: API_TOKEN, seed: 7, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    app = await buildApp(deps);
    const state = zendesk.store.state('acme')!;
    const domains = [...state.account.organizations.values()].flatMap((o) => o.domain_names);
    customerId = (await deps.db.query<{ id: string }>('INSERT INTO customers (name, domains) VALUES ($1, $2) RETURNING id', ['Acme', domains])).rows[0]!.id;
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 'test')).key;
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
    expect((await runSync(deps, connectionId)).outcome).toBe('synced'); // the import: responses follow in catch-ups
    const answered = new Set([...surveyResponses(state).values()].map((r) => r.ticket_id));
    const matched = new Set(
      (await deps.db.query<{ id: string }>(
        `SELECT zendesk_ticket_id::text AS id FROM zendesk_tickets WHERE connection_id = $1 AND customer_id = $2 AND status IN ('solved', 'closed') ORDER BY status DESC, zendesk_ticket_id`,
        [connectionId, customerId],
      )).rows.map((r) => Number(r.id)),
    );
    // Solved before closed, those without a generated response first (a new response on one that has one works the same).
    free = [...[...matched].filter((id) => !answered.has(id)), ...[...matched].filter((id) => answered.has(id))];
    expect(free.length).toBeGreaterThanOrEqual(6);
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  const stored = async () =>
    (await deps.db.query<{ id: string; ticket: string; score: number; scale: number; comment: string | null }>(
      `SELECT zendesk_response_id AS id, zendesk_ticket_id::text AS ticket, score, scale, comment FROM zendesk_csat_responses WHERE connection_id = $1 ORDER BY zendesk_response_id`,
      [connectionId],
    )).rows.map((r) => ({ id: r.id, ticket: Number(r.ticket), score: r.score, scale: r.scale, comment: r.comment }));
  const expected = () =>
    [...surveyResponses(zendesk.store.state('acme')!).values()]
      .filter((r) => Date.parse(r.created_at) <= clock.nowMs())
      .map((r) => ({ id: r.id, ticket: r.ticket_id, score: r.rating, scale: r.scale, comment: r.comment }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  const respond = async (ticketId: number, rating: number, comment: string | null) => {
    const answer = await fetch(`${zendesk.url}/_emulator/survey_responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subdomain: 'acme', ticket_id: ticketId, rating, comment }),
    });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { survey_response: { id: string } }).survey_response.id;
  };
  const responseAlerts = async () =>
    (await deps.db.query<{ key: string; details: { comment?: string; score?: number; responseId?: string } }>(
      `SELECT dedupe_key AS key, details FROM alerts WHERE type = 'negative_csat' AND details ? 'responseId' ORDER BY dedupe_key`,
    )).rows;
  const rules = (method: 'GET' | 'PUT', payload?: unknown) =>
    app.inject({ method, url: '/api/alerts/rules', headers: { authorization: `Bearer ${adminKey}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const catchUp = async () => {
    clock.advance(MINUTE_MS);
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
  };

  it('a run cut short resumes from its committed position; the catch-up stores every response', async () => {
    const client = await zendeskClientFor(deps, connectionId);
    const first = await followCsatResponses(deps.db, client, connectionId, { maxPages: 1, pageSize: 5 });
    expect(first).toMatchObject({ pages: 1, responses: 5, caughtUp: false });
    expect((await csatResponsesPosition(deps.db, connectionId))?.pageAfter).toEqual(expect.any(String));
    expect(await stored()).toHaveLength(5);
    const second = await followCsatResponses(deps.db, client, connectionId, { maxPages: 1, pageSize: 5 });
    expect(second.responses).toBe(5);
    expect(await stored()).toHaveLength(10);

    await catchUp();
    const all = expected();
    expect(all.length).toBeGreaterThan(10);
    expect(await stored()).toEqual(all);
    expect(new Set(all.map((r) => r.score)).size).toBeGreaterThanOrEqual(4);
    expect(all.some((r) => r.comment !== null)).toBe(true);
    // The generated responses are older than the connection's alert window: no alert for history.
    expect(await responseAlerts()).toEqual([]);
  });

  it('counts the responses in the customer CSAT figure as Zendesk reads them', async () => {
    const { rows } = await deps.db.query<{ good: number; n: number }>(
      `SELECT count(*) FILTER (WHERE good)::int AS good, count(*)::int AS n FROM (
         SELECT DISTINCT ON (t.id) good FROM (
           SELECT t.id, csat_response_is_good(r.score, r.scale) AS good, r.responded_at AS at, 1 AS pri
             FROM zendesk_csat_responses r JOIN zendesk_tickets t ON t.connection_id = r.connection_id AND t.zendesk_ticket_id = r.zendesk_ticket_id
            WHERE t.customer_id = $1 AND t.status <> 'deleted' AND r.responded_at >= now() - interval '90 days'
           UNION ALL
           SELECT t.id, e.to_value = 'good', e.occurred_at, 0
             FROM zendesk_ticket_events e JOIN zendesk_tickets t ON t.connection_id = e.connection_id AND t.zendesk_ticket_id = e.zendesk_ticket_id
            WHERE t.customer_id = $1 AND t.status <> 'deleted' AND e.kind = 'rated' AND e.to_value IN ('good', 'bad') AND e.occurred_at >= now() - interval '90 days'
              AND NOT EXISTS (SELECT 1 FROM zendesk_csat_responses x WHERE x.connection_id = t.connection_id AND x.zendesk_ticket_id = t.zendesk_ticket_id)
         ) t ORDER BY t.id, t.at DESC) x`,
      [customerId],
    );
    const withResponses = (await deps.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM zendesk_csat_responses r JOIN zendesk_tickets t ON t.connection_id = r.connection_id AND t.zendesk_ticket_id = r.zendesk_ticket_id
        WHERE t.customer_id = $1 AND r.responded_at >= now() - interval '90 days'`,
      [customerId],
    )).rows[0]!.n;
    expect(withResponses).toBeGreaterThan(0);
    const m = await computeCustomerMetrics(deps.db, customerId, new Date());
    expect(m.csatRatings).toBe(rows[0]!.n);
    expect(m.csat).toBeCloseTo(rows[0]!.good / rows[0]!.n, 9);
  });

  it('raises one alert per negative response under the threshold, with its comment; a new threshold changes what is negative', async () => {
    expect((await rules('GET')).json().negativeCsat).toEqual({ maxScore: 2 });
    const low = await respond(free[0]!, 2, 'Nobody answered for days');
    const middling = await respond(free[1]!, 3, 'Meh');
    const fine = await respond(free[2]!, 4, null);
    await catchUp();
    const first = await responseAlerts();
    expect(first.map((a) => a.details.responseId)).toEqual([low]);
    expect(first[0]!.details).toMatchObject({ comment: 'Nobody answered for days', score: 2, scale: 5, maxScore: 2 });
    expect(first[0]!.key).toBe(`negative_csat:${connectionId}:${free[0]}:response:${low}`);
    expect(alertHeadline('negative_csat', first[0]!.details)).toBe('A customer rated a ticket 2 of 5');

    // Reading every response again raises nothing twice.
    await deps.db.query('UPDATE zendesk_csat_response_cursors SET created_after = 0, page_after = NULL WHERE connection_id = $1', [connectionId]);
    await catchUp();
    expect(await responseAlerts()).toHaveLength(1);

    const saved = await rules('PUT', { ticketSpike: (await rules('GET')).json().ticketSpike, negativeCsat: { maxScore: 3 } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().negativeCsat).toEqual({ maxScore: 3 });
    const alsoLow = await respond(free[3]!, 3, 'Slow again');
    await catchUp();
    const after = await responseAlerts();
    expect(after.map((a) => a.details.responseId).sort()).toEqual([low, alsoLow].sort());
    expect(after.find((a) => a.details.responseId === alsoLow)!.details).toMatchObject({ comment: 'Slow again', score: 3, maxScore: 3 });
    // Responses judged before the change stay as they were (3 of 5 under the old threshold; 4 of 5 is never negative).
    expect(after.map((a) => a.details.responseId)).not.toContain(middling);
    expect(after.map((a) => a.details.responseId)).not.toContain(fine);
    const listed = await app.inject({ method: 'GET', url: '/api/alerts?type=negative_csat', headers: { authorization: `Bearer ${adminKey}` } });
    expect(listed.json().alerts.filter((a: { details: { responseId?: string } }) => a.details.responseId === alsoLow)).toHaveLength(1);
  });

  it("leaves a response alone when the ticket's legacy rating already raised its alert (Zendesk mirrors the response), not when that was earlier", async () => {
    const legacyAlert = (ticketId: number, at: Date) =>
      deps.db.query(
        `INSERT INTO alerts (dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, details, occurred_at)
         VALUES ($1, 'negative_csat', $2, $3, $4, '{"comment":"legacy"}'::jsonb, $5)`,
        [`negative_csat:${connectionId}:${ticketId}:legacy`, customerId, connectionId, ticketId, at],
      );
    const mirrored = await respond(free[4]!, 1, 'Awful');
    const mirroredAt = Date.parse(surveyResponses(zendesk.store.state('acme')!).get(mirrored)!.created_at);
    await legacyAlert(free[4]!, new Date(mirroredAt + 1000));
    await legacyAlert(free[5]!, new Date(mirroredAt - 3_600_000));
    const later = await respond(free[5]!, 1, 'Worse than last time');
    await catchUp();
    const ids = (await responseAlerts()).map((a) => a.details.responseId);
    expect(ids).not.toContain(mirrored);
    expect(ids).toContain(later);
  });

  it('refuses a threshold outside 1 to 4, or not a whole number, and writes nothing', async () => {
    const before = (await rules('GET')).json();
    for (const negativeCsat of [{ maxScore: 5 }, { maxScore: 0 }, { maxScore: 2.5 }, { maxScore: 'two' }, { maxScore: 2, extra: true }, {}]) {
      const refused = await rules('PUT', { ticketSpike: { threshold: 9, windowHours: 9 }, negativeCsat });
      expect(refused.statusCode, JSON.stringify(negativeCsat)).toBe(400);
      expect(refused.json().error.message).toMatch(/negativeCsat/);
    }
    expect((await rules('GET')).json()).toEqual(before);
  });
});
