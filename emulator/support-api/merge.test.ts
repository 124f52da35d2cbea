import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZTicket } from '../contract.ts';
import { type TestEmulator, testEmulator } from '../testing/test-emulator.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const path = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

describe('merging tickets', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator({ tickets: 200 });
  });
  afterAll(() => t.emulator.close());

  const open = (): ZTicket[] =>
    [...t.state().account.tickets.values()].filter((x) => !x.deleted && x.support_type === 'agent' && ['open', 'pending', 'new'].includes(x.status));

  async function eventsSince(startTime: number): Promise<Loose[]> {
    const events: Loose[] = [];
    let url = `/acme/api/v2/incremental/ticket_events.json?start_time=${startTime}`;
    for (;;) {
      const page = await t.request('GET', url);
      events.push(...page.json.ticket_events);
      if (page.json.end_of_stream) return events;
      url = path(page.json.next_page);
    }
  }

  it('closes the sources with closed_by_merge and a comment, comments on the target, and reports the job completed', async () => {
    const [target, first, second] = open() as [ZTicket, ZTicket, ZTicket];
    const startTime = Math.floor(t.clock.nowMs() / 1000) - 60;
    t.clock.advance(1_000);
    const merged = await t.request('POST', `/acme/api/v2/tickets/${target.id}/merge.json`, {
      body: { ids: [first.id, second.id], source_comment: 'Closing in favor of the target', target_comment: 'Combining', target_comment_is_public: true },
    });
    expect(merged.status).toBe(200);
    expect(merged.json.job_status).toMatchObject({ status: 'queued', url: expect.stringContaining(`/job_statuses/${merged.json.job_status.id}`) });
    const job = await t.request('GET', path(merged.json.job_status.url));
    expect(job.json.job_status).toMatchObject({ status: 'completed', total: 2, progress: 2 });

    for (const source of [first, second]) {
      const shown = (await t.request('GET', `/acme/api/v2/tickets/${source.id}.json`)).json.ticket;
      expect(shown.status).toBe('closed');
      expect(shown.tags).toContain('closed_by_merge');
      const comments = (await t.request('GET', `/acme/api/v2/tickets/${source.id}/comments.json`)).json.comments;
      expect(comments.at(-1)).toMatchObject({ body: 'Closing in favor of the target', public: false });
    }
    const targetComments = (await t.request('GET', `/acme/api/v2/tickets/${target.id}/comments.json`)).json.comments;
    expect(targetComments.at(-1)).toMatchObject({ body: 'Combining', public: true });
    expect(t.state().account.tickets.get(target.id)!.status).not.toBe('closed');

    // Both exports show the merge once it is a minute old.
    t.clock.advance(61_000);
    const tickets = (await t.request('GET', `/acme/api/v2/incremental/tickets.json?start_time=${startTime}`)).json.tickets.map((x: Loose) => x.id);
    expect(tickets).toEqual(expect.arrayContaining([target.id, first.id, second.id]));
    const events = await eventsSince(startTime);
    const targetAudit = events.find((event) => event.ticket_id === target.id);
    expect(targetAudit.merged_ticket_ids).toEqual([first.id, second.id]);
    for (const source of [first, second]) {
      const audit = events.find((event) => event.ticket_id === source.id);
      expect(audit.child_events).toContainEqual(expect.objectContaining({ status: 'closed', event_type: 'Change' }));
      expect(audit.child_events).toContainEqual(expect.objectContaining({ added_tags: ['closed_by_merge'], event_type: 'Change' }));
      expect(audit.child_events).toContainEqual(expect.objectContaining({ comment_present: true, comment_public: false }));
    }
  });

  it('refuses unknown ids, a merge into itself and a closed target or source, changing nothing', async () => {
    const [target, source] = open() as [ZTicket, ZTicket];
    const closed = [...t.state().account.tickets.values()].find((x) => x.status === 'closed' && !x.deleted)!;
    const before = structuredClone([target, source]);
    const unknownTarget = await t.request('POST', '/acme/api/v2/tickets/999999/merge.json', { body: { ids: [source.id] } });
    expect(unknownTarget.status).toBe(404);
    expect(unknownTarget.json).toEqual({ error: 'RecordNotFound', description: 'Not found' });
    const unknownSource = await t.request('POST', `/acme/api/v2/tickets/${target.id}/merge.json`, { body: { ids: [source.id, 999999] } });
    expect(unknownSource.status).toBe(404);
    const itself = await t.request('POST', `/acme/api/v2/tickets/${target.id}/merge.json`, { body: { ids: [target.id] } });
    expect(itself.status).toBe(422);
    expect(itself.json.error).toBe('RecordInvalid');
    const closedTarget = await t.request('POST', `/acme/api/v2/tickets/${closed.id}/merge.json`, { body: { ids: [source.id] } });
    expect(closedTarget.status).toBe(422);
    expect(closedTarget.json.details.status[0].description).toBe('closed prevents ticket update');
    const closedSource = await t.request('POST', `/acme/api/v2/tickets/${target.id}/merge.json`, { body: { ids: [closed.id] } });
    expect(closedSource.status).toBe(422);
    expect((await t.request('POST', `/acme/api/v2/tickets/${target.id}/merge.json`, { body: { ids: [] } })).status).toBe(422);
    expect((await t.request('POST', `/acme/api/v2/tickets/${target.id}/merge.json`, { body: {} })).status).toBe(422);
    expect([t.state().account.tickets.get(target.id), t.state().account.tickets.get(source.id)]).toEqual(before);
    expect((await t.request('GET', '/acme/api/v2/job_statuses/unknown.json')).status).toBe(404);
  });
});

describe('archived tickets', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator({ tickets: 300 });
  });
  afterAll(() => t.emulator.close());

  async function listed(url: string): Promise<number[]> {
    const ids: number[] = [];
    let next: string | null = url;
    while (next) {
      const page: Loose = (await t.request('GET', next)).json;
      ids.push(...page.tickets.map((x: Loose) => x.id));
      next = page.meta?.has_more ? path(page.links.next) : null;
    }
    return ids;
  }

  it('a ticket closed 120 days ago leaves the lists but stays in show and in both exports', async () => {
    const state = t.state();
    const nowMs = t.clock.nowMs();
    const old = [...state.account.tickets.values()].find(
      (x) => x.status === 'closed' && !x.deleted && x.support_type === 'agent' && state.timelines.get(x.id)!.statusUpdatedMs < nowMs - 121 * 86_400_000,
    )!;
    const recent = [...state.account.tickets.values()].find(
      (x) => x.status === 'closed' && !x.deleted && x.support_type === 'agent' && state.timelines.get(x.id)!.statusUpdatedMs > nowMs - 100 * 86_400_000,
    )!;
    const list = await listed('/acme/api/v2/tickets.json?page[size]=100');
    expect(list).not.toContain(old.id);
    expect(list).toContain(recent.id);
    const byOrganization = old.organization_id === null ? [] : await listed(`/acme/api/v2/organizations/${old.organization_id}/tickets.json?page[size]=100`);
    expect(byOrganization).not.toContain(old.id);
    expect((await t.request('GET', `/acme/api/v2/tickets/${old.id}.json`)).status).toBe(200);
    const exported = (await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0')).json.tickets.map((x: Loose) => x.id);
    expect(exported).toContain(old.id);
    const events = (await t.request('GET', `/acme/api/v2/incremental/ticket_events.json?start_time=${Math.floor(Date.parse(old.created_at) / 1000)}`)).json;
    expect(events.ticket_events.some((event: Loose) => event.ticket_id === old.id)).toBe(true);
  });

  it('the archive control archives a ticket now', async () => {
    const ticket = [...t.state().account.tickets.values()].find((x) => x.status === 'solved' && !x.deleted && x.support_type === 'agent')!;
    expect(await listed('/acme/api/v2/tickets.json?page[size]=100')).toContain(ticket.id);
    const archived = await t.request('POST', '/_emulator/archive', { auth: null, body: { subdomain: 'acme', ticket_ids: [ticket.id] } });
    expect(archived.json).toEqual({ archived: [ticket.id] });
    expect(await listed('/acme/api/v2/tickets.json?page[size]=100')).not.toContain(ticket.id);
    const exported = (await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0')).json.tickets.map((x: Loose) => x.id);
    expect(exported).toContain(ticket.id);
    expect((await t.request('POST', '/_emulator/archive', { auth: null, body: { subdomain: 'nowhere', ticket_ids: [1] } })).status).toBe(400);
  });
});
