/**
 * The metrics a CS leader reads, checked against an account built by hand in the emulator: one
 * organization's tickets over 125 days (reopen and solve cycles, two merges, an archived ticket,
 * a deleted one, SLA targets met, met late and breached, good and bad ratings of both kinds (legacy
 * good/bad and the updated CSAT's survey responses on a scale), escalations),
 * imported, caught up, streamed and refreshed as in production. Every figure of the 7-, 30- and
 * 90-day windows is then compared with a value worked out here from the scenario, by the
 * definitions of docs/metrics.md, never by running our SQL.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import type { ZTicket, ZUser } from '../../../emulator/contract.ts';
import { addSurveyResponse } from '../../../emulator/support-api/csat-survey.ts';
import { mergeSources, mergeTickets } from '../../../emulator/support-api/merge.ts';
import type { TicketChanges } from '../../../emulator/support-api/ticket-input.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { WindowMetrics } from '../../contracts/metrics.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { refreshPendingCustomers } from '../aggregates/customer-refresh.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { runSync } from '../ingest/sync.service.ts';
import { runTicketEventsStream } from '../ingest/ticket-events-stream.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { getCustomerMetrics } from './metrics.service.ts';

const API_TOKEN = 'hand-built-token';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SUBDOMAIN = 'acme';

// The moment the figures are taken: the scenario happens before it, and nothing within minutes of
// a window's edge, so the route (answering a few seconds later) gives the same figures.
const NOW = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
/** `days` days (and `hours` hours) before NOW, e.g. at(6, 10) = 6 days ago plus 10 hours. */
const at = (days: number, hours = 0): number => NOW - days * DAY_MS + hours * HOUR_MS;

type Step = { atMs: number; run: () => void };

describe('metrics of a hand-built account (7, 30 and 90 days)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let apiKey: string;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let customerId: string;
  let connectionId: string;
  const tickets = new Map<string, ZTicket>();

  beforeAll(async () => {
    clock = createManualClock(at(130));
    zendesk = await startEmulator({ port: 0, tickets: 0, users: 20, organizations: 3, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    apiKey = (await createApiKey(deps.db, admin.id, 'test')).key;
    app = await buildApp(deps);
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  it('builds the account, imports, catches up, streams and refreshes it', async () => {
    const store = zendesk.store;
    const state = store.state(SUBDOMAIN)!;
    const organization = [...state.account.organizations.values()].find((org) => org.domain_names.length > 0)!;
    const requester = store.findOrCreateEndUser(state, { name: 'Rita Requester', email: `rita@${organization.domain_names[0]}` });
    expect(requester.organization_id).toBe(organization.id);
    const agent = state.account.users.get(state.account.admin_user_id) as ZUser;
    customerId = (
      await deps.db.query<{ id: string }>(`INSERT INTO customers (name, domains) VALUES ($1, $2) RETURNING id`, [organization.name, organization.domain_names])
    ).rows[0]!.id;

    const ticket = (name: string): ZTicket => tickets.get(name)!;
    const create = (name: string, extra: Partial<TicketChanges> = {}) => () => {
      const { ticket: created } = store.createTicket(
        SUBDOMAIN,
        { subject: name, comment: { body: `${name}: help`, public: true, authorId: requester.id }, requesterId: requester.id, priority: null, ...extra },
        requester,
      );
      tickets.set(name, created);
    };
    const update = (name: string, changes: TicketChanges) => () => void store.updateTicket(SUBDOMAIN, ticket(name), changes, agent);
    const reply = (name: string, status?: ZTicket['status']) =>
      update(name, { comment: { body: 'On it', public: true, authorId: agent.id }, ...(status ? { status } : {}) });
    // The requester writes back: a solved or pending ticket reopens (Zendesk's own rule), and a next reply is awaited.
    const answer = (name: string) => () =>
      void store.updateTicket(SUBDOMAIN, ticket(name), { comment: { body: 'Still broken', public: true, authorId: requester.id } }, requester);
    const solve = (name: string) => update(name, { status: 'solved' });
    const rate = (name: string, score: 'good' | 'bad') => () => void store.rateTicket(SUBDOMAIN, ticket(name), { score, comment: null }, requester);
    // An updated CSAT survey response (Zendesk's top of the scale is good: 4-5 of 5, 3 of 3).
    const respond = (name: string, rating: number, scale: 3 | 5) => () =>
      void addSurveyResponse(state, { ticketId: ticket(name).id, rating, scale, comment: `${rating} of ${scale}`, createdMs: clock.nowMs() });
    const merge = (source: string, target: string) => () => {
      const sources = mergeSources(state, ticket(target), { ids: [ticket(source).id] });
      mergeTickets(store, state, ticket(target), sources, { ids: [ticket(source).id] }, agent);
    };
    const play = (steps: Step[]) => {
      for (const step of [...steps].sort((a, b) => a.atMs - b.atMs)) {
        clock.set(step.atMs);
        step.run();
      }
    };

    // Before the import (up to 10 days ago). Priority none unless said: no SLA policy applies.
    play([
      // OLD: solved 124 days ago, rated, closed 121 days ago: archived by Zendesk (120 days after the close).
      { atMs: at(125), run: create('OLD') },
      { atMs: at(124), run: solve('OLD') },
      { atMs: at(123), run: rate('OLD', 'good') },
      { atMs: at(121), run: update('OLD', { status: 'closed' }) },
      // ARCH: 48 h to solve, rated good, closed, then archived (the /_emulator/archive control below).
      { atMs: at(80), run: create('ARCH') },
      { atMs: at(78), run: solve('ARCH') },
      { atMs: at(77), run: rate('ARCH', 'good') },
      { atMs: at(74), run: update('ARCH', { status: 'closed' }) },
      // ESC1: escalated (tag) 69 days ago, still unsolved.
      { atMs: at(70), run: create('ESC1') },
      { atMs: at(69), run: update('ESC1', { tags: ['escalated'] }) },
      // SLA_OLD (low: first reply 24 h, resolution 96 h): replied at 30 h (breached at 24 h), solved at 100 h (breached at 96 h).
      { atMs: at(60), run: create('SLA_OLD', { priority: 'low' }) },
      { atMs: at(60, 30), run: reply('SLA_OLD') },
      { atMs: at(60, 100), run: solve('SLA_OLD') },
      // MID: 49 h to solve, rated bad.
      { atMs: at(50), run: create('MID') },
      { atMs: at(50, 49), run: solve('MID') },
      { atMs: at(47), run: rate('MID', 'bad') },
      // MERGE1: SRC1 merged into TARGET1 43 days ago; TARGET1 solved 72 h after its creation.
      { atMs: at(45), run: create('TARGET1') },
      { atMs: at(44), run: create('SRC1') },
      { atMs: at(43), run: merge('SRC1', 'TARGET1') },
      { atMs: at(42), run: solve('TARGET1') },
      // QUICK: 10 h to solve.
      { atMs: at(40), run: create('QUICK') },
      { atMs: at(40, 10), run: solve('QUICK') },
      { atMs: at(39), run: respond('QUICK', 5, 5) },
      // WEEK: 7 days (168 h) to solve, rated good.
      { atMs: at(35), run: create('WEEK') },
      { atMs: at(28), run: solve('WEEK') },
      { atMs: at(27), run: rate('WEEK', 'good') },
      // REOPENED: solved, rated bad, reopened, solved again 72 h after its creation, re-rated good.
      { atMs: at(26), run: create('REOPENED') },
      { atMs: at(25), run: solve('REOPENED') },
      { atMs: at(25, 1), run: rate('REOPENED', 'bad') },
      { atMs: at(24), run: update('REOPENED', { status: 'open' }) },
      { atMs: at(23), run: solve('REOPENED') },
      { atMs: at(22), run: rate('REOPENED', 'good') },
      // SLA_PAUSE (high: first reply 4 h, next reply 8 h, resolution 24 h): replied at 1 h and set pending
      // (the resolution clock pauses), the requester answers at 30 h (open again, a next reply due by
      // 38 h), replied at 35 h, solved at 40 h: 1 + 10 h of resolution clock: all three met.
      { atMs: at(21), run: create('SLA_PAUSE', { priority: 'high' }) },
      { atMs: at(21, 1), run: reply('SLA_PAUSE', 'pending') },
      { atMs: at(21, 30), run: answer('SLA_PAUSE') },
      { atMs: at(21, 35), run: reply('SLA_PAUSE') },
      { atMs: at(21, 40), run: solve('SLA_PAUSE') },
      // ESC2: escalated 19 days ago (de-escalated and escalated again after the import).
      { atMs: at(20), run: create('ESC2') },
      { atMs: at(19), run: update('ESC2', { tags: ['escalated'] }) },
      // REOPENED2 (normal: first reply 8 h, next reply 16 h, resolution 48 h): replied at 1 h, solved
      // at 5 h (both met); the requester writes back 17 days ago (reopened: a next reply and a second
      // resolution target start), replied 20 h later (next reply breached at 16 h), solved at 22 h (met).
      { atMs: at(18), run: create('REOPENED2', { priority: 'normal' }) },
      { atMs: at(18, 1), run: reply('REOPENED2') },
      { atMs: at(18, 5), run: solve('REOPENED2') },
      { atMs: at(17), run: answer('REOPENED2') },
      { atMs: at(17, 20), run: reply('REOPENED2') },
      { atMs: at(17, 22), run: solve('REOPENED2') },
      // DELETED2: escalated, solved and rated bad, then deleted after the import: in no figure.
      { atMs: at(16), run: create('DELETED2', { tags: ['escalated'] }) },
      { atMs: at(16, 3), run: solve('DELETED2') },
      { atMs: at(16, 4), run: rate('DELETED2', 'bad') },
      // REOPEN_OPEN: solved, then reopened and unsolved since.
      { atMs: at(15), run: create('REOPEN_OPEN') },
      { atMs: at(14), run: solve('REOPEN_OPEN') },
      { atMs: at(13), run: update('REOPEN_OPEN', { status: 'open' }) },
      // SLA_OK (normal: first reply 8 h, resolution 48 h): replied at 2 h, solved at 20 h: both met.
      { atMs: at(12), run: create('SLA_OK', { priority: 'normal' }) },
      { atMs: at(12, 2), run: reply('SLA_OK') },
      { atMs: at(12, 20), run: solve('SLA_OK') },
      { atMs: at(11), run: respond('SLA_OK', 2, 5) },
    ]);
    const archived = await fetch(`${zendesk.url}/_emulator/archive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subdomain: SUBDOMAIN, ticket_ids: [ticket('ARCH').id] }),
    });
    expect(await archived.json()).toEqual({ archived: [ticket('ARCH').id] });

    connectionId = (await connectWithApiToken(deps, admin, { subdomain: SUBDOMAIN, email: 'admin@example.com', apiToken: API_TOKEN })).id;
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');

    // After the import (the last 10 days), caught up by the next sync.
    play([
      { atMs: at(9), run: create('ESC3') },
      { atMs: at(8), run: update('ESC2', { tags: [] }) },
      // PRIO: no priority, then urgent at 30 min (escalated by the default rule; the policy now
      // applies: first reply due at 1 h, resolution at 8 h); replied at 2 h (breached), solved at 5 h (met).
      { atMs: at(8, 0.25), run: create('PRIO') },
      { atMs: at(8, 0.75), run: update('PRIO', { priority: 'urgent' }) },
      { atMs: at(8, 2.25), run: reply('PRIO') },
      { atMs: at(8, 5.25), run: solve('PRIO') },
      // SLA_LATE (normal): replied at 10 h (breached at 8 h), solved at 30 h (met).
      { atMs: at(6), run: create('SLA_LATE', { priority: 'normal' }) },
      { atMs: at(6, 10), run: reply('SLA_LATE') },
      { atMs: at(6, 30), run: solve('SLA_LATE') },
      // FAST: 5 h to solve, rated bad.
      { atMs: at(6, 1), run: create('FAST') },
      { atMs: at(6, 6), run: solve('FAST') },
      { atMs: at(5), run: rate('FAST', 'bad') },
      // FAST's survey response, 4 of 5, replaces its legacy bad (one answer, counted once).
      { atMs: at(4, 12), run: respond('FAST', 4, 5) },
      { atMs: at(3), run: respond('SLA_LATE', 3, 3) },
      // DELETED: created and deleted.
      { atMs: at(5, 2), run: create('DELETED') },
      { atMs: at(4, 2), run: () => store.deleteTicket(SUBDOMAIN, ticket('DELETED'), agent) },
      // SLA_BREACHED (normal): never replied nor solved: first reply breached at 8 h, resolution at 48 h.
      { atMs: at(4), run: create('SLA_BREACHED', { priority: 'normal' }) },
      { atMs: at(4, 1), run: update('ESC3', { tags: ['escalated'] }) },
      // MERGE2: SRC2 (normal), created escalated, its first reply breached at 8 h, merged into TARGET2:
      // a merge source has no escalation, no SLA target, no resolution.
      { atMs: at(4, 3), run: create('SRC2', { tags: ['escalated'], priority: 'normal' }) },
      { atMs: at(3), run: create('TARGET2') },
      { atMs: at(3, 2), run: merge('SRC2', 'TARGET2') },
      { atMs: at(3, 30), run: solve('TARGET2') },
      { atMs: at(3, 5), run: () => store.deleteTicket(SUBDOMAIN, ticket('DELETED2'), agent) },
      { atMs: at(2), run: update('ESC2', { tags: ['escalated'] }) },
      // WEEK's requester changes their mind: bad now (the latest rating counts).
      { atMs: at(2, 12), run: rate('WEEK', 'bad') },
      { atMs: at(1), run: rate('TARGET2', 'good') },
    ]);
    clock.set(NOW);

    // The catch-up (with the SLA metric events after it), the events stream, the customer refresh.
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    await refreshPendingCustomers(deps.db);

    const stored = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_tickets WHERE customer_id = $1`, [customerId]);
    expect(stored.rows[0]!.n).toBe(tickets.size);
  });

  /** Every figure of one window, by hand. */
  type Expected = Omit<WindowMetrics, 'from' | 'to'>;
  const window = (days: number, figures: Omit<Expected, 'days' | 'slaMeasured' | 'slaCompliance' | 'csat'> & { csatGood: number }): Expected => {
    const { csatGood, ...rest } = figures;
    const measured = figures.slaMet + figures.slaBreached;
    return {
      ...rest,
      days,
      csat: figures.csatRatings > 0 ? csatGood / figures.csatRatings : null,
      slaMeasured: measured,
      slaCompliance: measured > 0 ? figures.slaMet / measured : null,
    };
  };

  // Resolutions (latest solve in the window; merge sources SRC1 and SRC2 are none; REOPEN_OPEN is
  // unsolved again; OLD was solved 124 days ago), hours from creation to the latest solve:
  //   7 days:  SLA_LATE 30, FAST 5, TARGET2 30
  //   30 days: + PRIO 5, WEEK 168, REOPENED 72 (created 26 days ago, latest solve 23 days ago), SLA_OK 20,
  //            REOPENED2 46 (created 18 days ago, latest solve 17 days ago + 22 h), SLA_PAUSE 40 (pending time included)
  //   90 days: + ARCH 48 (archived), SLA_OLD 100, MID 49, TARGET1 72, QUICK 10
  // Escalations (first escalation in the window; SRC2 is a merge source):
  //   ESC3 4 days ago (7, 30, 90); PRIO 8 days ago (30, 90); ESC2 19 days ago, its re-escalation 2 days ago not counted (30, 90); ESC1 69 days ago (90).
  //   DELETED2 is deleted.
  // CSAT (each ticket's latest answer given in the window; a ticket with a survey response counts
  // its response only, good at the top of its scale):
  //   7 days:  FAST good (4 of 5; its legacy bad is not counted), TARGET2 good, WEEK bad (its good of
  //            27 days ago replaced), SLA_LATE good (3 of 3)
  //   30 days: + REOPENED good (its bad of 25 days ago replaced), SLA_OK bad (2 of 5)
  //   90 days: + ARCH good, MID bad, QUICK good (5 of 5) (OLD's rating is 123 days old)
  // SLA outcomes (per target, dated at the fulfil when met first, else at the breach):
  //   SLA_LATE: first reply breached 6 days ago + 8 h, resolution met 6 days ago + 30 h (7, 30, 90)
  //   SLA_BREACHED: first reply breached 4 days ago + 8 h, resolution breached 2 days ago (7, 30, 90)
  //   PRIO: first reply breached 8 days ago + 1 h 15 min, resolution met 8 days ago + 5 h 15 min (30, 90)
  //   SLA_OK: first reply and resolution met 12 days ago + 2 h and + 20 h (30, 90)
  //   REOPENED2: first reply, first resolution, second resolution met; next reply breached (30, 90)
  //   SLA_PAUSE: first reply, next reply and resolution met (30, 90)
  //   SRC2 (merge source): none
  //   SLA_OLD: first reply breached 59 days ago, resolution breached 56 days ago (90)
  // Tickets created (not deleted, not merge sources):
  //   7 days:  SLA_LATE, FAST, SLA_BREACHED, TARGET2 (DELETED and SRC2 are left out)
  //   30 days: + PRIO (8 days), ESC3 (9), SLA_OK (12), REOPEN_OPEN (15), REOPENED2 (18), ESC2 (20), SLA_PAUSE (21), REOPENED (26)
  //            (DELETED2 is left out)
  //   90 days: + WEEK (35), QUICK (40), TARGET1 (45), MID (50), SLA_OLD (60), ESC1 (70), ARCH (80)
  const expected = {
    '7': window(7, {
      resolved: 3,
      avgResolutionHours: (30 + 5 + 30) / 3,
      medianResolutionHours: 30, // 5, 30, 30
      escalations: 1,
      csatGood: 3,
      csatRatings: 4,
      slaMet: 1, // SLA_LATE resolution
      slaBreached: 3, // SLA_LATE first reply, SLA_BREACHED both
      createdTickets: 4,
    }),
    '30': window(30, {
      resolved: 9,
      avgResolutionHours: (30 + 5 + 30 + 5 + 168 + 72 + 20 + 46 + 40) / 9,
      medianResolutionHours: 30, // 5, 5, 20, 30, 30, 40, 46, 72, 168
      escalations: 3,
      csatGood: 3 + 1,
      csatRatings: 4 + 2,
      slaMet: 1 + 1 + 2 + 3 + 3, // + PRIO resolution, SLA_OK both, REOPENED2 three, SLA_PAUSE three
      slaBreached: 3 + 1 + 1, // + PRIO first reply, REOPENED2 next reply
      createdTickets: 4 + 8,
    }),
    '90': window(90, {
      resolved: 14,
      avgResolutionHours: (30 + 5 + 30 + 5 + 168 + 72 + 20 + 46 + 40 + 48 + 100 + 49 + 72 + 10) / 14,
      medianResolutionHours: (40 + 46) / 2, // 5, 5, 10, 20, 30, 30, [40, 46], 48, 49, 72, 72, 100, 168
      escalations: 4,
      csatGood: 4 + 2,
      csatRatings: 6 + 3,
      slaMet: 10,
      slaBreached: 5 + 2, // + SLA_OLD both
      createdTickets: 12 + 7,
    }),
  };
  const figures = (windows: Record<string, WindowMetrics>) =>
    Object.fromEntries(Object.entries(windows).map(([days, { from: _from, to: _to, ...rest }]) => [days, rest]));
  const close = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)));

  it('gives every figure of the 7-, 30- and 90-day windows as worked out by hand', async () => {
    const answer = await getCustomerMetrics(deps, customerId, 30, new Date(NOW));
    expect(close(figures(answer.windows))).toEqual(close(expected));
    expect(answer.windows['7'].from).toBe(new Date(NOW - 7 * DAY_MS).toISOString());
    expect(answer.windows['90'].to).toBe(new Date(NOW).toISOString());
  });

  it('keeps the current figures the UI and chat read equal to the same windows, with the open tickets', async () => {
    const { current } = await getCustomerMetrics(deps, customerId, 30, new Date(NOW));
    expect(close(current)).toMatchObject(
      close({
        // ESC1, ESC2, ESC3 (new: an agent's tag change leaves them new), REOPEN_OPEN (open), SLA_BREACHED.
        openTickets: 5,
        openByPriority: { urgent: 0, high: 0, normal: 1, low: 0, none: 4 },
        resolved30d: expected['30'].resolved,
        avgResolutionHours: expected['30'].avgResolutionHours,
        medianResolutionHours: expected['30'].medianResolutionHours,
        resolved90d: expected['90'].resolved,
        avgResolutionHours90d: expected['90'].avgResolutionHours,
        medianResolutionHours90d: expected['90'].medianResolutionHours,
        escalations30d: expected['30'].escalations,
        csat: expected['90'].csat,
        csatRatings: expected['90'].csatRatings,
        slaCompliance: expected['30'].slaCompliance,
        slaMeasured: expected['30'].slaMeasured,
      }) as object,
    );
  });

  it('answers the same figures over HTTP', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/integrations/zendesk/metrics/${customerId}?days=30`,
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { asOf: string; windows: Record<string, WindowMetrics> };
    // Taken a few seconds after NOW: nothing in the scenario lies that close to a window's edge.
    expect(Date.parse(body.asOf) - NOW).toBeLessThan(10 * 60_000);
    expect(close(figures(body.windows))).toEqual(close(expected));
  });

  it("scores the health signals from the same figures: escalations per ticket created in 30 days, CSAT, SLA compliance", async () => {
    const response = await app.inject({ method: 'GET', url: `/api/customers/${customerId}/health`, headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.statusCode).toBe(200);
    const { signals } = (response.json() as { current: { signals: Array<{ name: string; value: number | null; baseline?: number; baselineSource?: string }> } }).current;
    const signal = (name: string) => signals.find((candidate) => candidate.name === name);
    // 3 escalations in 30 days against the 12 tickets created in them (SRC2, a merge source, is no new request).
    expect(signal('escalations')).toMatchObject({ value: expected['30'].escalations, baseline: expected['30'].createdTickets, baselineSource: 'tickets30d' });
    expect(close(signal('csat')?.value)).toBe(close(expected['90'].csat));
    expect(close(signal('sla')?.value)).toBe(close(expected['30'].slaCompliance));
  });
});
