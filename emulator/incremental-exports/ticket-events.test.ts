import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEmulator, basicAuth, testEmulator } from '../testing/test-emulator.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const path = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

describe('ticket events export', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator({ tickets: 600 });
  });
  afterAll(() => t.emulator.close());

  /** Follows next_page until end_of_stream; returns the events and the start_time to poll from next. */
  async function walk(first: string): Promise<{ pages: Loose[]; events: Loose[]; next: string }> {
    const pages: Loose[] = [];
    let url = first;
    for (;;) {
      const response = await t.request('GET', url);
      expect(response.status, url).toBe(200);
      pages.push(response.json);
      url = path(response.json.next_page);
      if (response.json.end_of_stream) return { pages, events: pages.flatMap((page) => page.ticket_events), next: url };
    }
  }

  it('pages through every audit of the generated history, in time order, 1000 a page', async () => {
    const { pages, events } = await walk('/acme/api/v2/incremental/ticket_events.json?start_time=0');
    const agentTickets = new Set([...t.state().account.tickets.values()].filter((x) => x.support_type === 'agent').map((x) => x.id));
    const state = t.state();
    const expected = [...Array(state.audits.index.length).keys()]
      .map((position) => state.audits.get(state.audits.index.at(position)!.id)!)
      .filter((audit) => agentTickets.has(audit.ticket_id))
      .map((audit) => audit.id);
    expect(expected.length).toBeGreaterThan(1000);
    const ids: number[] = events.map((event: Loose) => event.id);
    expect(new Set(ids)).toEqual(new Set(expected));
    // Pages end on a whole second and the next resumes at that second (start_time = end_time), so
    // only the audits of a page's last second come again: a reader keeps them once by id.
    const repeats = ids.filter((id, index) => ids.indexOf(id) !== index);
    const boundaries = new Set(pages.slice(0, -1).map((page) => page.end_time));
    expect(events.filter((event: Loose) => repeats.includes(event.id)).every((event: Loose) => boundaries.has(event.timestamp))).toBe(true);
    expect(events.every((event: Loose) => agentTickets.has(event.ticket_id))).toBe(true);
    const stamps = events.map((event: Loose) => event.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page.count).toBe(page.ticket_events.length);
      // 1000 a page, except that a page never splits one second (it would resume inside it).
      const overflow = page.ticket_events.slice(1000);
      expect(overflow.every((event: Loose) => event.timestamp === page.end_time)).toBe(true);
      if (page.count < 1000) expect(page.end_of_stream).toBe(true);
      expect(page.next_page).toContain(`start_time=${page.end_time}`);
    }
    expect(pages.slice(0, -1).every((page) => !page.end_of_stream)).toBe(true);
  });

  it('resuming from a page end_time loses nothing and repeats only the events of that second', async () => {
    const whole = new Set((await walk('/acme/api/v2/incremental/ticket_events.json?start_time=0')).events.map((event: Loose) => event.id as number));
    const first = await t.request('GET', '/acme/api/v2/incremental/ticket_events.json?start_time=0&per_page=300');
    const firstIds: number[] = first.json.ticket_events.map((event: Loose) => event.id);
    const rest = (await walk(`/acme/api/v2/incremental/ticket_events.json?start_time=${first.json.end_time}`)).events;
    const seen = new Set([...firstIds, ...rest.map((event: Loose) => event.id)]);
    expect(seen).toEqual(whole);
    // Items of the boundary second come again; a reader drops them by id.
    const repeated = rest.filter((event: Loose) => firstIds.includes(event.id));
    expect(repeated.every((event: Loose) => event.timestamp === first.json.end_time)).toBe(true);
  });

  it('a solved ticket shows its creation, its status changes up to solved at the timeline times, and its rating', async () => {
    const state = t.state();
    const rated = [...state.account.satisfaction_ratings.values()].find((rating) => {
      const ticket = state.account.tickets.get(rating.ticket_id);
      return (rating.score === 'good' || rating.score === 'bad') && ticket?.support_type === 'agent' && ticket.status === 'closed';
    })!;
    const timeline = state.timelines.get(rated.ticket_id)!;
    const { events } = await walk('/acme/api/v2/incremental/ticket_events.json?start_time=0');
    const mine = events.filter((event: Loose) => event.ticket_id === rated.ticket_id);
    const children = mine.flatMap((event: Loose) => event.child_events.map((child: Loose) => ({ ...child, at: event.created_at })));
    expect(children.find((child: Loose) => child.event_type === 'Create' && child.status === 'new')).toBeDefined();
    const solved = children.filter((child: Loose) => child.event_type === 'Change' && child.status === 'solved');
    expect(solved.at(-1).at).toBe(new Date(Math.floor(timeline.solvedMs! / 1000) * 1000).toISOString().replace('.000', ''));
    expect(children.find((child: Loose) => child.status === 'closed')?.previous_value).toBe('solved');
    expect(children.find((child: Loose) => child.satisfaction_score !== undefined)).toMatchObject({ satisfaction_score: rated.score, previous_value: 'offered' });
    const comment = children.find((child: Loose) => child.event_type === 'Comment');
    expect(comment).toMatchObject({ comment_present: true, comment_public: true });
    expect(comment.body).toBeUndefined();
    expect(mine[0]).toMatchObject({ event_type: 'Audit', merged_ticket_ids: [], updater_id: expect.any(Number), system: expect.any(Object) });
  });

  it('include=comment_events carries the comments whole, and next_page keeps it', async () => {
    const page = await t.request('GET', '/acme/api/v2/incremental/ticket_events.json?start_time=0&include=comment_events&per_page=50');
    const comment = page.json.ticket_events.flatMap((event: Loose) => event.child_events).find((child: Loose) => child.event_type === 'Comment');
    expect(comment).toMatchObject({ type: 'Comment', body: expect.any(String), public: expect.any(Boolean), audit_id: expect.any(Number) });
    expect(page.json.next_page).toContain('include=comment_events');
  });

  it('an API update appears once it is a minute old, with the changed fields as keys', async () => {
    const { next } = await walk('/acme/api/v2/incremental/ticket_events.json?start_time=0');
    const ticket = [...t.state().account.tickets.values()].find((x) => !x.deleted && x.status === 'open' && x.support_type === 'agent')!;
    t.clock.advance(1_000);
    const update = await t.request('PUT', `/acme/api/v2/tickets/${ticket.id}.json`, {
      body: { ticket: { status: 'pending', priority: 'urgent', tags: [...ticket.tags, 'vip'], comment: { body: 'On it', public: false } } },
    });
    expect(update.status).toBe(200);
    const tooSoon = await walk(next);
    expect(tooSoon.events.filter((event: Loose) => event.ticket_id === ticket.id && event.id === update.json.audit.id)).toEqual([]);
    t.clock.advance(60_000);
    const later = (await walk(next)).events.filter((event: Loose) => event.id === update.json.audit.id);
    expect(later).toHaveLength(1);
    const children = later[0].child_events;
    expect(children).toContainEqual(expect.objectContaining({ event_type: 'Change', status: 'pending', previous_value: 'open' }));
    expect(children).toContainEqual(expect.objectContaining({ event_type: 'Change', priority: 'urgent' }));
    expect(children).toContainEqual(expect.objectContaining({ event_type: 'Change', added_tags: ['vip'], removed_tags: [] }));
    expect(children).toContainEqual(expect.objectContaining({ event_type: 'Comment', comment_present: true, comment_public: false }));
  });

  it('is for admins, and counts against the export rate limit', async () => {
    const agent = [...t.state().account.users.values()].find((user) => user.role === 'agent')!;
    const asAgent = await t.request('GET', '/acme/api/v2/incremental/ticket_events.json?start_time=0', { auth: basicAuth(agent.email!) });
    expect(asAgent.status).toBe(403);
    const limited = await testEmulator({ tickets: 20, rateLimits: 'realistic' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await limited.request('GET', '/acme/api/v2/incremental/ticket_events.json?start_time=0')).status);
      expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
      expect(statuses[10]).toBe(429);
    } finally {
      await limited.emulator.close();
    }
  });
});
