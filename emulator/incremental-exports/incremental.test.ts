import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEmulator, testEmulator } from '../testing/test-emulator.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Page = any;

const path = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

describe('incremental ticket export', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator();
  });
  afterAll(() => t.emulator.close());

  /** Walks a cursor export until end_of_stream; returns the pages and the cursor to poll from next. */
  async function walk(first: string): Promise<{ pages: Page[]; cursor: string }> {
    const pages: Page[] = [];
    let url = first;
    for (;;) {
      const response = await t.request('GET', url);
      expect(response.status, url).toBe(200);
      pages.push(response.json);
      if (response.json.end_of_stream) return { pages, cursor: response.json.after_cursor };
      url = path(response.json.after_url);
    }
  }
  const idsOf = (pages: Page[]): number[] => pages.flatMap((page) => page.tickets.map((x: Page) => x.id));

  it('a full cursor walk serves every non-AI ticket exactly once, deleted ones as "deleted"', async () => {
    const state = t.state();
    const { pages, cursor } = await walk('/acme/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=100');
    const ids = idsOf(pages);
    const expected = [...state.account.tickets.values()].filter((x) => x.support_type === 'agent').map((x) => x.id);
    expect(ids).toHaveLength(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    const deleted = pages.flatMap((page) => page.tickets).filter((x: Page) => state.account.tickets.get(x.id)?.deleted);
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((x: Page) => x.status === 'deleted')).toBe(true);
    // Ordered by generated_timestamp.
    const stamps = pages.flatMap((page) => page.tickets.map((x: Page) => x.generated_timestamp));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    const last = pages[pages.length - 1];
    expect(last.after_cursor).toBe(cursor);
    expect(typeof cursor).toBe('string');
    expect(last.after_url).toMatch(/\/acme\/api\/v2\/incremental\/tickets\/cursor\.json\?per_page=100&cursor=/);
    expect(pages.slice(0, -1).every((page) => page.tickets.length === 100 && !page.end_of_stream)).toBe(true);
  });

  it('serves 1000 per page by default and at most', async () => {
    const first = await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=5000');
    expect(first.json.tickets.length).toBeLessThanOrEqual(1000);
    expect(first.json.tickets.length).toBeGreaterThan(900);
  });

  it('an update after the walk shows up on the next poll from the stored cursor, once it is a minute old', async () => {
    const { cursor } = await walk('/acme/api/v2/incremental/tickets/cursor.json?start_time=0');
    const state = t.state();
    const ticket = [...state.account.tickets.values()].find((x) => !x.deleted && x.status === 'pending' && x.support_type === 'agent')!;
    t.clock.advance(1_000);
    const update = await t.request('PUT', `/acme/api/v2/tickets/${ticket.id}.json`, { body: { ticket: { status: 'open' } } });
    expect(update.status).toBe(200);

    const tooSoon = await t.request('GET', `/acme/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(cursor)}`);
    expect(tooSoon.json.tickets).toEqual([]);
    expect(tooSoon.json.end_of_stream).toBe(true);
    expect(tooSoon.json.after_cursor).toBe(cursor);

    t.clock.advance(60_000);
    const { pages, cursor: next } = await walk(`/acme/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(cursor)}`);
    expect(idsOf(pages)).toEqual([ticket.id]);
    expect(pages[0].tickets[0].status).toBe('open');
    const quiet = await t.request('GET', `/acme/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(next)}`);
    expect(quiet.json.tickets).toEqual([]);
  });

  it('never serves what changed within the last minute', async () => {
    const nowSeconds = Math.floor(t.clock.nowMs() / 1000);
    const created = await t.request('POST', '/acme/api/v2/tickets.json', { body: { ticket: { subject: 'fresh', comment: { body: 'just now' } } } });
    const id = created.json.ticket.id;
    const { pages } = await walk(`/acme/api/v2/incremental/tickets/cursor.json?start_time=${nowSeconds - 3600}`);
    expect(idsOf(pages)).not.toContain(id);
    for (const page of pages) for (const x of page.tickets) expect(x.generated_timestamp).toBeLessThanOrEqual(nowSeconds - 60);
    t.clock.advance(59_000);
    expect(idsOf((await walk(`/acme/api/v2/incremental/tickets/cursor.json?start_time=${nowSeconds - 3600}`)).pages)).not.toContain(id);
    t.clock.advance(2_000);
    expect(idsOf((await walk(`/acme/api/v2/incremental/tickets/cursor.json?start_time=${nowSeconds - 3600}`)).pages)).toContain(id);
  });

  it('refuses a start_time less than a minute old, and a missing one, with 422 InvalidValue', async () => {
    const nowSeconds = Math.floor(t.clock.nowMs() / 1000);
    for (const query of [`start_time=${nowSeconds - 30}`, `start_time=${nowSeconds + 3600}`, '']) {
      for (const endpoint of ['tickets', 'tickets/cursor']) {
        const response = await t.request('GET', `/acme/api/v2/incremental/${endpoint}.json?${query}`);
        expect(response.status, `${endpoint}?${query}`).toBe(422);
        expect(response.json.error).toBe('InvalidValue');
      }
    }
    expect((await t.request('GET', `/acme/api/v2/incremental/tickets.json?start_time=${nowSeconds - 60}`)).status).toBe(200);
    expect((await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?cursor=garbage')).status).toBe(422);
  });

  it('shows a ticket deleted through the API as deleted, and leaves deleted tickets out with exclude_deleted=true', async () => {
    const ticket = [...t.state().account.tickets.values()].find((x) => !x.deleted && x.support_type === 'agent')!;
    const since = Math.floor(t.clock.nowMs() / 1000) - 120;
    await t.request('DELETE', `/acme/api/v2/tickets/${ticket.id}.json`);
    t.clock.advance(61_000);
    const exported = await walk(`/acme/api/v2/incremental/tickets/cursor.json?start_time=${since}`);
    expect(exported.pages.flatMap((p) => p.tickets).find((x: Page) => x.id === ticket.id)?.status).toBe('deleted');
    const excluded = await walk(`/acme/api/v2/incremental/tickets/cursor.json?start_time=0&exclude_deleted=true`);
    const states = excluded.pages.flatMap((p) => p.tickets).map((x: Page) => x.status);
    expect(states).not.toContain('deleted');
  });

  it('includes AI-agent tickets only with support_type_scope=all or ai_agent', async () => {
    const aiIds = [...t.state().account.tickets.values()].filter((x) => x.support_type === 'ai_agent').map((x) => x.id);
    expect(aiIds.length).toBeGreaterThan(0);
    const all = idsOf((await walk('/acme/api/v2/incremental/tickets/cursor.json?start_time=0&support_type_scope=all')).pages);
    for (const id of aiIds) expect(all).toContain(id);
    const onlyAi = idsOf((await walk('/acme/api/v2/incremental/tickets/cursor.json?start_time=0&support_type_scope=ai_agent')).pages);
    expect(new Set(onlyAi)).toEqual(new Set(aiIds));
  });

  it('compares start_time with generated_timestamp, not updated_at', async () => {
    const ticket = [...t.state().account.tickets.values()].find(
      (x) => x.support_type === 'agent' && x.generated_timestamp > Math.floor(Date.parse(x.updated_at) / 1000) + 60,
    )!;
    const between = Math.floor(Date.parse(ticket.updated_at) / 1000) + 30;
    const ids = idsOf((await walk(`/acme/api/v2/incremental/tickets/cursor.json?start_time=${between}`)).pages);
    expect(ids).toContain(ticket.id);
  });

  it('time-based: pages resume at end_time via next_page and cover every ticket', async () => {
    const expected = new Set([...t.state().account.tickets.values()].filter((x) => x.support_type === 'agent').map((x) => x.id));
    const seen = new Set<number>();
    let url = '/acme/api/v2/incremental/tickets.json?start_time=0&per_page=100';
    for (let guard = 0; guard < 1000; guard++) {
      const response = await t.request('GET', url);
      expect(response.status).toBe(200);
      const page = response.json;
      expect(page.count).toBe(page.tickets.length);
      for (const x of page.tickets) seen.add(x.id);
      expect(page.next_page).toContain(`start_time=${page.end_time}`);
      if (page.tickets.length > 0) expect(page.end_time).toBe(page.tickets.at(-1).generated_timestamp);
      if (page.end_of_stream) break;
      url = path(page.next_page);
    }
    expect(seen).toEqual(expected);
  });

  it('side-loads users, organizations and metric_sets', async () => {
    const page = (await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=50&include=users,organizations,metric_sets')).json;
    const userIds = new Set(page.users.map((u: Page) => u.id));
    for (const x of page.tickets) expect(userIds.has(x.requester_id)).toBe(true);
    const orgIds = new Set(page.organizations.map((o: Page) => o.id));
    for (const x of page.tickets) if (x.organization_id !== null) expect(orgIds.has(x.organization_id)).toBe(true);
    expect(page.metric_sets.length).toBeGreaterThan(0);
    expect(page.after_url).toContain('include=users%2Corganizations%2Cmetric_sets');
  });
});

describe('incremental user and organization exports', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator();
  });
  afterAll(() => t.emulator.close());

  it('walks every user with the cursor export, and picks up a user created later', async () => {
    const all = [...t.state().account.users.keys()];
    const seen: number[] = [];
    let url = '/acme/api/v2/incremental/users/cursor.json?start_time=0&per_page=40';
    let cursor = '';
    for (;;) {
      const page = (await t.request('GET', url)).json;
      seen.push(...page.users.map((u: Page) => u.id));
      cursor = page.after_cursor;
      if (page.end_of_stream) break;
      url = path(page.after_url);
    }
    expect(seen.sort()).toEqual(all.sort());
    await t.request('POST', '/acme/api/v2/tickets.json', { body: { ticket: { comment: { body: 'hi' }, requester: { name: 'Late Comer', email: 'late.comer@gmail.com' } } } });
    t.clock.advance(61_000);
    const next = (await t.request('GET', `/acme/api/v2/incremental/users/cursor.json?cursor=${encodeURIComponent(cursor)}`)).json;
    expect(next.users.map((u: Page) => u.email)).toEqual(['late.comer@gmail.com']);
  });

  it('exports organizations and users by time', async () => {
    const orgs = (await t.request('GET', '/acme/api/v2/incremental/organizations.json?start_time=0')).json;
    expect(orgs.organizations).toHaveLength(t.state().account.organizations.size);
    expect(orgs.end_of_stream).toBe(true);
    const users = (await t.request('GET', '/acme/api/v2/incremental/users.json?start_time=0&per_page=1000&include=organizations')).json;
    expect(users.count).toBe(users.users.length);
    expect(Array.isArray(users.organizations)).toBe(true);
  });
});
