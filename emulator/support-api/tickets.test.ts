import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketChangeEvent } from '../contract.ts';
import { isArchived } from './state.ts';
import { type TestEmulator, agentOf, basicAuth, requesterOf, testEmulator } from '../testing/test-emulator.ts';

describe('tickets', () => {
  let t: TestEmulator;
  const events: TicketChangeEvent[] = [];
  beforeAll(async () => {
    t = await testEmulator();
    t.emulator.ctx.events.on('ticket-change', (event: TicketChangeEvent) => events.push(event));
  });
  afterAll(() => t.emulator.close());

  it('emits nothing for the seed data', () => {
    expect(events).toEqual([]);
  });

  it('shows a ticket, and 404 RecordNotFound for unknown and deleted ones', async () => {
    const state = t.state();
    const live = [...state.account.tickets.values()].find((x) => !x.deleted)!;
    const shown = await t.request('GET', `/acme/api/v2/tickets/${live.id}`);
    expect(shown.json.ticket.id).toBe(live.id);
    expect(shown.json.ticket.url).toBe(`http://127.0.0.1:4010/acme/api/v2/tickets/${live.id}.json`);
    for (const id of ['999999', [...state.account.tickets.values()].find((x) => x.deleted)!.id, 'abc']) {
      const response = await t.request('GET', `/acme/api/v2/tickets/${id}.json`);
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: 'RecordNotFound', description: 'Not found' });
    }
  });

  it('shows many, side-loads users, organizations, groups and metric_sets', async () => {
    const response = await t.request('GET', '/acme/api/v2/tickets/show_many.json?ids=1,2,3&include=users,organizations,groups,metric_sets');
    const ids = response.json.tickets.map((x: { id: number }) => x.id);
    expect(ids.every((id: number) => [1, 2, 3].includes(id))).toBe(true);
    const requesterIds = response.json.tickets.map((x: { requester_id: number }) => x.requester_id);
    const userIds = response.json.users.map((u: { id: number }) => u.id);
    for (const id of requesterIds) expect(userIds).toContain(id);
    expect(response.json.groups.length).toBeGreaterThan(0);
    expect(response.json.metric_sets.map((m: { ticket_id: number }) => m.ticket_id)).toEqual(ids);
    expect(Array.isArray(response.json.organizations)).toBe(true);
  });

  it('counts live agent tickets', async () => {
    const expected = [...t.state().account.tickets.values()].filter((x) => !x.deleted && x.support_type === 'agent').length;
    const response = await t.request('GET', '/acme/api/v2/tickets/count.json');
    expect(response.json.count.value).toBe(expected);
  });

  it('creates a ticket for an inline requester: new end user, mapped to the organization of their domain', async () => {
    const state = t.state();
    const org = [...state.account.organizations.values()].find((o) => o.domain_names.length > 0)!;
    const email = `Brand.New@${org.domain_names[0]}`;
    const before = events.length;
    const response = await t.request('POST', '/acme/api/v2/tickets.json', {
      body: {
        ticket: {
          subject: 'Export is broken',
          comment: { body: 'Since this morning', public: true },
          requester: { name: 'Brand New', email },
          priority: 'high',
          tags: ['Billing', 'vip vip'],
          custom_fields: [{ id: 360000000001, value: 'cust_000042' }],
        },
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe(response.json.ticket.url);
    const ticket = response.json.ticket;
    const user = state.usersByEmail.get(email.toLowerCase())!;
    expect(user).toMatchObject({ name: 'Brand New', role: 'end-user', organization_id: org.id });
    expect(ticket).toMatchObject({ status: 'new', priority: 'high', requester_id: user.id, organization_id: org.id, tags: ['billing', 'vip'] });
    expect(ticket.custom_fields).toContainEqual({ id: 360000000001, value: 'cust_000042' });
    expect(ticket.description).toBe('Since this morning');
    expect(events.slice(before).map((e) => e.kind)).toEqual(['created']);
    expect(events[before]!.comment?.body).toBe('Since this morning');
    // The same email finds the same user.
    const again = await t.request('POST', '/acme/api/v2/tickets.json', { body: { ticket: { comment: { body: 'x' }, requester: { email } } } });
    expect(again.json.ticket.requester_id).toBe(user.id);
  });

  it('refuses invalid tickets with 422 RecordInvalid, field by field', async () => {
    const blank = await t.request('POST', '/acme/api/v2/tickets.json', { body: { ticket: { subject: 'no body' } } });
    expect(blank.status).toBe(422);
    expect(blank.json).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors' });
    expect(blank.json.details.base[0].description).toMatch(/Description/);
    const bad = await t.request('POST', '/acme/api/v2/tickets.json', {
      body: { ticket: { comment: { body: 'x' }, status: 'bogus', priority: 'extreme', type: 'saga' } },
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.json.details).sort()).toEqual(['priority', 'status', 'type']);
  });

  it('updates status, priority, tags, assignee and adds a comment; the change is emitted with the previous state', async () => {
    const state = t.state();
    const agent = agentOf(state);
    const ticket = [...state.account.tickets.values()].find((x) => !x.deleted && x.status === 'open')!;
    const previousStamp = ticket.generated_timestamp;
    t.clock.advance(5_000);
    const before = events.length;
    const response = await t.request('PUT', `/acme/api/v2/tickets/${ticket.id}.json`, {
      body: {
        ticket: {
          status: 'pending',
          priority: 'urgent',
          tags: ['escalated'],
          assignee_id: agent.id,
          comment: { body: 'Looking into it', public: false },
          additional_tags: ['ignored'],
        },
      },
    });
    expect(response.status).toBe(200);
    expect(response.json.ticket).toMatchObject({ status: 'pending', priority: 'urgent', tags: ['escalated'], assignee_id: agent.id });
    expect(response.json.ticket.generated_timestamp).toBeGreaterThan(previousStamp);
    const event = events[before]!;
    expect(event).toMatchObject({ kind: 'updated', subdomain: 'acme', actor_id: state.account.admin_user_id });
    expect(event.previous?.status).toBe('open');
    expect(event.ticket.status).toBe('pending');
    expect(event.comment).toMatchObject({ body: 'Looking into it', public: false });
    const comments = await t.request('GET', `/acme/api/v2/tickets/${ticket.id}/comments.json`);
    expect(comments.json.comments.at(-1)).toMatchObject({ body: 'Looking into it', public: false, type: 'Comment' });
    expect(comments.json.comments[0].body).toBe(ticket.description);
  });

  it('refuses to solve without an assignee, to go back to new, and any change to a closed ticket', async () => {
    const state = t.state();
    const unassigned = [...state.account.tickets.values()].find((x) => !x.deleted && x.status === 'new')!;
    const solve = await t.request('PUT', `/acme/api/v2/tickets/${unassigned.id}.json`, { body: { ticket: { status: 'solved' } } });
    expect(solve.status).toBe(422);
    expect(solve.json.details.base[0].description).toBe('Assignee: is required when solving a ticket');
    const open = [...state.account.tickets.values()].find((x) => !x.deleted && x.status === 'pending')!;
    expect((await t.request('PUT', `/acme/api/v2/tickets/${open.id}.json`, { body: { ticket: { status: 'new' } } })).status).toBe(422);
    const closed = [...state.account.tickets.values()].find((x) => !x.deleted && x.status === 'closed')!;
    const frozen = await t.request('PUT', `/acme/api/v2/tickets/${closed.id}.json`, { body: { ticket: { comment: { body: 'hello?' } } } });
    expect(frozen.status).toBe(422);
    expect(frozen.json.details.status[0].description).toBe('closed prevents ticket update');
  });

  it('refuses a safe update with a stale updated_stamp with 409', async () => {
    const ticket = [...t.state().account.tickets.values()].find((x) => !x.deleted && x.status === 'hold')!;
    const response = await t.request('PUT', `/acme/api/v2/tickets/${ticket.id}.json`, {
      body: { ticket: { priority: 'low', safe_update: true, updated_stamp: '2001-01-01T00:00:00Z' } },
    });
    expect(response.status).toBe(409);
    const fresh = await t.request('PUT', `/acme/api/v2/tickets/${ticket.id}.json`, {
      body: { ticket: { priority: 'low', safe_update: true, updated_stamp: ticket.updated_at } },
    });
    expect(fresh.status).toBe(200);
  });

  it('reopens a pending ticket when its requester comments', async () => {
    const state = t.state();
    const { user, ticket } = requesterOf(state, (x) => x.status === 'pending');
    const response = await t.request('PUT', `/acme/api/v2/tickets/${ticket.id}.json`, {
      body: { ticket: { comment: { body: 'Still broken', author_id: user.id } } },
    });
    expect(response.json.ticket.status).toBe('open');
  });

  it('soft-deletes with 204; the ticket leaves lists and show', async () => {
    const ticket = [...t.state().account.tickets.values()].find((x) => !x.deleted && x.status === 'open')!;
    const before = events.length;
    const deleted = await t.request('DELETE', `/acme/api/v2/tickets/${ticket.id}.json`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(events.slice(before).map((e) => e.kind)).toEqual(['deleted']);
    expect((await t.request('GET', `/acme/api/v2/tickets/${ticket.id}.json`)).status).toBe(404);
    expect((await t.request('DELETE', `/acme/api/v2/tickets/${ticket.id}.json`)).status).toBe(404);
    const list = await t.request('GET', '/acme/api/v2/tickets.json?page[size]=100&sort=-updated_at');
    expect(list.json.tickets.map((x: { id: number }) => x.id)).not.toContain(ticket.id);
  });

  it('lists organization tickets and counts them; lists a user\'s requested tickets', async () => {
    const state = t.state();
    const org = [...state.account.organizations.values()][0]!;
    const expected = [...state.account.tickets.values()].filter((x) => !x.deleted && x.support_type === 'agent' && x.organization_id === org.id);
    // Tickets closed 120 days ago are archived: left out of the list, still counted.
    const listed = expected.filter((x) => !isArchived(state, x.id, t.clock.nowMs()));
    expect(listed.length).toBeLessThan(expected.length);
    const list = await t.request('GET', `/acme/api/v2/organizations/${org.id}/tickets.json?per_page=100`);
    expect(list.json.count).toBe(listed.length);
    const count = await t.request('GET', `/acme/api/v2/organizations/${org.id}/tickets/count.json`);
    expect(count.json.count.value).toBe(expected.length);
    const { user } = requesterOf(state, () => true);
    const requested = await t.request('GET', `/acme/api/v2/users/${user.id}/tickets/requested.json`);
    expect(requested.json.tickets.every((x: { requester_id: number }) => x.requester_id === user.id)).toBe(true);
  });

  it('lists users by role and shows many', async () => {
    const agents = await t.request('GET', '/acme/api/v2/users.json?role[]=agent&role[]=admin');
    expect(agents.json.users.every((u: { role: string }) => u.role !== 'end-user')).toBe(true);
    const ids = agents.json.users.slice(0, 2).map((u: { id: number }) => u.id);
    const many = await t.request('GET', `/acme/api/v2/users/show_many.json?ids=${ids.join(',')}`);
    expect(many.json.users.map((u: { id: number }) => u.id)).toEqual(ids);
    expect((await t.request('GET', '/acme/api/v2/users/1.json')).status).toBe(404);
  });

  it('computes ticket metrics from the ticket\'s events', async () => {
    const state = t.state();
    const ticket = [...state.account.tickets.values()].find((x) => !x.deleted && x.status === 'closed')!;
    const timeline = state.timelines.get(ticket.id)!;
    const response = await t.request('GET', `/acme/api/v2/tickets/${ticket.id}/metrics.json`);
    const [metric] = response.json.ticket_metric;
    expect(metric.ticket_id).toBe(ticket.id);
    expect(metric.full_resolution_time_in_minutes.calendar).toBe(Math.floor((timeline.solvedMs! - timeline.createdMs) / 60_000));
    expect(metric.full_resolution_time_in_minutes.business).toBeLessThanOrEqual(metric.full_resolution_time_in_minutes.calendar);
    expect(metric.solved_at).not.toBeNull();
    const byMetricId = await t.request('GET', `/acme/api/v2/ticket_metrics/${metric.id}.json`);
    expect(byMetricId.json.ticket_metric[0].ticket_id).toBe(ticket.id);
  });
});

describe('satisfaction ratings', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator();
  });
  afterAll(() => t.emulator.close());

  it('lets the requester rate a solved ticket good or bad, and only that', async () => {
    const state = t.state();
    const { user, ticket } = requesterOf(state, (x) => x.status === 'solved');
    const asRequester = basicAuth(user.email!);
    const rate = (body: unknown, auth = asRequester) => t.request('POST', `/acme/api/v2/tickets/${ticket.id}/satisfaction_rating.json`, { auth, body });
    const rated = await rate({ satisfaction_rating: { score: 'bad', comment: 'Too slow' } });
    expect(rated.status).toBe(200);
    expect(rated.json.satisfaction_rating[0]).toMatchObject({ score: 'bad', comment: 'Too slow', ticket_id: ticket.id, requester_id: user.id });
    const shown = await t.request('GET', `/acme/api/v2/tickets/${ticket.id}.json`);
    expect(shown.json.ticket.satisfaction_rating).toMatchObject({ score: 'bad', comment: 'Too slow', id: rated.json.satisfaction_rating[0].id });
    expect((await rate({ satisfaction_rating: { score: 'offered' } })).status).toBe(422);
    expect((await rate({ satisfaction_rating: { score: 'good' } }, basicAuth('admin@example.com'))).status).toBe(403);
  });

  it('refuses a rating on a ticket that was never solved', async () => {
    const { user, ticket } = requesterOf(t.state(), (x) => x.status === 'new');
    const response = await t.request('POST', `/acme/api/v2/tickets/${ticket.id}/satisfaction_rating.json`, {
      auth: basicAuth(user.email!),
      body: { satisfaction_rating: { score: 'good' } },
    });
    expect(response.status).toBe(422);
  });

  it('filters the list by score and time', async () => {
    const all = [...t.state().account.satisfaction_ratings.values()];
    const goodWithComment = await t.request('GET', '/acme/api/v2/satisfaction_ratings.json?score=good_with_comment&per_page=100');
    expect(goodWithComment.json.satisfaction_ratings.every((r: { score: string; comment: string }) => r.score === 'good' && r.comment)).toBe(true);
    expect(goodWithComment.json.count).toBe(all.filter((r) => r.score === 'good' && r.comment).length);
    const received = await t.request('GET', '/acme/api/v2/satisfaction_ratings.json?score=received&per_page=100');
    expect(received.json.count).toBe(all.filter((r) => r.score === 'good' || r.score === 'bad').length);
    const cut = Math.floor(Date.parse(all[Math.floor(all.length / 2)]!.created_at) / 1000);
    const recent = await t.request('GET', `/acme/api/v2/satisfaction_ratings.json?start_time=${cut}&per_page=100`);
    expect(recent.json.count).toBe(all.filter((r) => Date.parse(r.created_at) / 1000 >= cut).length);
    const agent = agentOf(t.state());
    expect((await t.request('GET', '/acme/api/v2/satisfaction_ratings.json', { auth: basicAuth(agent.email!) })).status).toBe(403);
  });
});
