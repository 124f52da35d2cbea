import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../support-api/time.ts';
import { ADMIN_EMAIL, type TestEmulator, agentOf, basicAuth, requesterOf, testEmulator } from '../testing/test-emulator.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const path = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

describe('ticket metric events export and SLA policies', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator({ tickets: 300 });
  });
  afterAll(() => t.emulator.close());

  /** Follows next_page from `start_time` until a page comes back short; returns every event served. */
  async function readAll(startTime: number): Promise<{ events: Json[]; endTime: number }> {
    const events: Json[] = [];
    let url = `/acme/api/v2/incremental/ticket_metric_events.json?start_time=${startTime}`;
    for (;;) {
      const response = await t.request('GET', url);
      expect(response.status, url).toBe(200);
      events.push(...response.json.ticket_metric_events);
      if (response.json.count < 100) return { events, endTime: response.json.end_time };
      url = path(response.json.next_page);
    }
  }
  const unique = (events: Json[]): Json[] => [...new Map(events.map((e) => [e.id, e])).values()];
  const eventsOf = (events: Json[], ticketId: number): Json[] => events.filter((e) => e.ticket_id === ticketId);

  it('serves every generated event, in time order, 100 a page, without loss across pages', async () => {
    const first = await t.request('GET', '/acme/api/v2/incremental/ticket_metric_events.json?start_time=0');
    expect(Object.keys(first.json).sort()).toEqual(['count', 'end_time', 'next_page', 'ticket_metric_events']);
    expect(first.json.count).toBeGreaterThanOrEqual(100);
    const { events } = await readAll(0);
    const all = [...t.state().sla.events.values()];
    const served = unique(events);
    expect(served).toHaveLength(all.length);
    const times = events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(served.some((e) => e.type === 'breach')).toBe(true);
    const apply = served.find((e) => e.type === 'apply_sla');
    expect(Object.keys(apply.sla).sort()).toEqual(['business_hours', 'policy', 'target']);
  });

  it('keeps the slas side-load consistent with the events', () => {
    const state = t.state();
    for (const ticket of state.account.tickets.values()) {
      for (const metric of ticket.sla_policy_metrics.filter((m) => m.metric === 'first_reply_time')) {
        const fulfilled = [...state.sla.events.values()].some((e) => e.ticket_id === ticket.id && e.metric === 'reply_time' && e.instance_id === 1 && e.type === 'fulfill');
        expect(metric.stage === 'achieved', `ticket ${ticket.id}`).toBe(fulfilled);
      }
    }
  });

  it('is for admins only and wants a start_time', async () => {
    const agent = agentOf(t.state());
    const asAgent = await t.request('GET', '/acme/api/v2/incremental/ticket_metric_events.json?start_time=0', { auth: basicAuth(agent.email as string) });
    expect(asAgent.status).toBe(403);
    expect((await t.request('GET', '/acme/api/v2/incremental/ticket_metric_events.json')).status).toBe(422);
  });

  it('a ticket fulfilled in time, one fulfilled late, one breached by the passage of time, and a pause', async () => {
    const state = t.state();
    const { user } = requesterOf(state, () => true);
    const agent = agentOf(state);
    const { endTime: resumeFrom } = await readAll(0);
    const create = async (priority: string): Promise<number> => {
      const response = await t.request('POST', '/acme/api/v2/tickets.json', {
        body: { ticket: { subject: `SLA ${priority}`, priority, comment: { body: 'Help' }, requester_id: user.id } },
      });
      expect(response.status).toBe(201);
      return response.json.ticket.id;
    };
    const reply = (id: number, status?: string) =>
      t.request('PUT', `/acme/api/v2/tickets/${id}.json`, {
        body: { ticket: { status, comment: { body: 'On it', public: true, author_id: agent.id } } },
        auth: basicAuth(ADMIN_EMAIL),
      });

    const inTime = await create('urgent'); // first reply target 60 min
    const late = await create('urgent');
    const waiting = await create('high'); // first reply target 4 h
    t.clock.advance(30 * MINUTE_MS);
    await reply(inTime, 'pending'); // replied in time; requester wait pauses
    t.clock.advance(60 * MINUTE_MS);
    await reply(late);
    t.clock.advance(5 * HOUR_MS);

    const { events } = await readAll(resumeFrom);
    const kinds = (id: number, metric: string) => eventsOf(unique(events), id).filter((e) => e.metric === metric).map((e) => e.type);
    expect(kinds(inTime, 'reply_time')).toEqual(['activate', 'apply_sla', 'fulfill']);
    expect(kinds(late, 'reply_time')).toEqual(['activate', 'apply_sla', 'breach', 'fulfill']);
    expect(kinds(waiting, 'reply_time')).toEqual(['activate', 'apply_sla', 'breach']);
    expect(kinds(inTime, 'requester_wait_time')).toEqual(['activate', 'apply_sla', 'pause']);
    const breach = eventsOf(events, waiting).find((e) => e.type === 'breach');
    const created = Date.parse(state.account.tickets.get(waiting)!.created_at);
    expect(Date.parse(breach.time)).toBe(created + 4 * HOUR_MS);
    expect(breach.deleted).toBe(false);

    const snapshot = (id: number): Record<string, Json> => Object.fromEntries(state.account.tickets.get(id)!.sla_policy_metrics.map((m) => [m.metric, m]));
    expect(snapshot(inTime).first_reply_time.stage).toBe('achieved');
    expect(snapshot(inTime).requester_wait_time).toEqual({ metric: 'requester_wait_time', stage: 'paused', breach_at: null });
    expect(snapshot(waiting).first_reply_time).toMatchObject({ stage: 'active', breach_at: breach.time });

    // The requester answers: the wait resumes with its paused time kept, and a next reply starts.
    await t.request('PUT', `/acme/api/v2/tickets/${inTime}.json`, { body: { ticket: { comment: { body: 'Still broken', author_id: user.id } } } });
    const wait = snapshot(inTime).requester_wait_time;
    // 8 h target, 30 min measured before the pause.
    expect(wait.stage).toBe('active');
    expect(Date.parse(wait.breach_at as string)).toBe(t.clock.nowMs() - (t.clock.nowMs() % 1000) + 8 * HOUR_MS - 30 * MINUTE_MS);
    expect(snapshot(inTime).next_reply_time.stage).toBe('active');
  });
});
