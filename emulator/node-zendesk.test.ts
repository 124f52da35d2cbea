/**
 * Fidelity check with node-zendesk v6, a real Zendesk client nobody here wrote: pointed at the
 * emulator it must list, show, create, update and export unchanged. (v6 takes `endpointUri`;
 * the `remoteUri` option of older versions is ignored by it.)
 */
import { createClient } from 'node-zendesk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './app.ts';
import { ADMIN_EMAIL, NOW_MS, TOKEN } from './testing/test-emulator.ts';
import { createManualClock } from './testing/manual-clock.ts';
import { isArchived } from './support-api/state.ts';

// node-zendesk's typings describe results loosely; the tests read them as JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('node-zendesk against the emulator', () => {
  let emulator: RunningEmulator;
  let client: Loose;
  const clock = createManualClock(NOW_MS);

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, apiToken: TOKEN, tickets: 400, users: 120, organizations: 8, nowMs: NOW_MS, clock, integrations: false });
    client = createClient({ username: ADMIN_EMAIL, token: TOKEN, endpointUri: `${emulator.url}/acme/api/v2` });
  });
  afterAll(() => emulator.close());

  const state = () => emulator.store.state('acme')!;
  // Tickets closed more than 120 days ago are archived and out of the lists.
  const listableIds = () =>
    [...state().account.tickets.values()].filter((t) => !t.deleted && t.support_type === 'agent' && !isArchived(state(), t.id, clock.nowMs())).map((t) => t.id);

  it('users.me', async () => {
    const { result } = await client.users.me();
    expect(result.email).toBe(ADMIN_EMAIL);
  });

  it('tickets.list follows the cursor pages to the end', async () => {
    const tickets: Loose[] = await client.tickets.list();
    expect(tickets.map((t) => t.id)).toEqual(listableIds());
  });

  it('tickets.show, showMany and getComments', async () => {
    const id = listableIds()[3]!;
    const { result } = await client.tickets.show(id);
    expect(result.id).toBe(id);
    const many = await client.tickets.showMany([listableIds()[0], listableIds()[1]]);
    expect(many.result.map((t: Loose) => t.id)).toEqual(listableIds().slice(0, 2));
    const comments: Loose[] = await client.tickets.getComments(id);
    expect(comments[0].body).toBe(state().account.tickets.get(id)!.description);
    await expect(client.tickets.show(999_999)).rejects.toThrow(/404/);
  });

  it('tickets.create and tickets.update', async () => {
    const created = await client.tickets.create({
      ticket: { subject: 'Printer on fire', comment: { body: 'The smoke is very colorful.' }, requester: { name: 'Pat Lee', email: 'pat.lee@outlook.com' }, priority: 'high' },
    });
    expect(created.result).toMatchObject({ subject: 'Printer on fire', priority: 'high', status: 'new' });
    const agent = [...state().account.users.values()].find((u) => u.role === 'agent')!;
    const updated = await client.tickets.update(created.result.id, {
      ticket: { status: 'solved', assignee_id: agent.id, comment: { body: 'Extinguished.', public: true } },
    });
    expect(updated.result).toMatchObject({ id: created.result.id, status: 'solved', assignee_id: agent.id });
    const invalid = client.tickets.update(created.result.id, { ticket: { priority: 'extreme' } });
    await expect(invalid).rejects.toThrow(/422/);
  });

  it('tickets.listByOrganization, organizations.list / show, users.list / show', async () => {
    const org = [...state().account.organizations.values()][0]!;
    const byOrg: Loose[] = await client.tickets.listByOrganization(org.id);
    expect(byOrg.every((t) => t.organization_id === org.id)).toBe(true);
    const organizations: Loose[] = await client.organizations.list();
    expect(organizations).toHaveLength(state().account.organizations.size);
    expect((await client.organizations.show(org.id)).result.name).toBe(org.name);
    const users: Loose[] = await client.users.list();
    expect(users).toHaveLength(state().account.users.size);
    expect((await client.users.show(users[0].id)).result.id).toBe(users[0].id);
  });

  it('incremental exports: tickets (time-based), ticket cursor export, users, organizations', async () => {
    const tickets: Loose[] = await client.tickets.incremental(0);
    const expected = [...state().account.tickets.values()].filter((t) => t.support_type === 'agent');
    // The whole seed fits on one 1000-ticket page; tickets changed in the last minute are not served yet.
    const served = expected.filter((t) => t.generated_timestamp <= Math.floor(clock.nowMs() / 1000) - 60);
    expect(new Set(tickets.map((t) => t.id))).toEqual(new Set(served.map((t) => t.id)));
    const withUsers: Loose[] = await client.tickets.incrementalInclude(0, 'users');
    expect(withUsers.length).toBe(tickets.length);
    const cursorPage = (await client.ticketexport.exportCursor(0, '')).result;
    expect(cursorPage.end_of_stream).toBe(true);
    expect(typeof cursorPage.after_cursor).toBe('string');
    const users: Loose[] = await client.users.incremental(0);
    expect(users.length).toBeGreaterThan(100);
    const organizations: Loose[] = await client.organizations.incremental(0);
    expect(organizations).toHaveLength(state().account.organizations.size);
  });

  it('ticketevents.incremental reads the ticket events stream to its end, every audit', async () => {
    // node-zendesk's getAll stops an incremental export after one page (it looks for `count` on
    // the HTTP response, not the body), so the test resumes from each page's last timestamp itself.
    const byId = new Map<number, Loose>();
    let start = 0;
    for (;;) {
      const page: Loose[] = await client.ticketevents.incremental(start);
      for (const event of page) byId.set(event.id, event);
      if (page.length < 1000) break;
      start = Math.max(...page.map((event) => event.timestamp));
    }
    const cutoff = Math.floor(clock.nowMs() / 1000) - 60;
    const agentTickets = new Set([...state().account.tickets.values()].filter((t) => t.support_type === 'agent').map((t) => t.id));
    const events = [...byId.values()];
    expect(events.every((event) => event.event_type === 'Audit' && agentTickets.has(event.ticket_id) && event.timestamp <= cutoff)).toBe(true);
    expect(events.length).toBeGreaterThan(1000);
    const expected = [...Array(state().audits.index.length).keys()].map((position) => state().audits.index.at(position)!).filter((entry) => {
      const audit = state().audits.get(entry.id)!;
      return entry.ts <= cutoff && agentTickets.has(audit.ticket_id);
    });
    expect(new Set(byId.keys())).toEqual(new Set(expected.map((entry) => entry.id)));
    const withComments: Loose[] = await client.ticketevents.incrementalInclude(0, 'comment_events');
    expect(withComments.flatMap((event) => event.child_events).some((child: Loose) => child.event_type === 'Comment' && typeof child.body === 'string')).toBe(true);
  });

  it('satisfaction ratings and ticket metrics', async () => {
    const ratings: Loose[] = await client.satisfactionratings.list();
    expect(ratings).toHaveLength(state().account.satisfaction_ratings.size);
    const id = listableIds()[0]!;
    const metrics = await client.ticketmetrics.list(id);
    expect([metrics.result].flat()[0].ticket_id).toBe(id);
  });

  it('tickets.delete', async () => {
    const id = listableIds()[5]!;
    await client.tickets.delete(id);
    expect(state().account.tickets.get(id)!.deleted).toBe(true);
  });
});
