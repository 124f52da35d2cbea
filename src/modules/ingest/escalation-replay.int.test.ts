/**
 * Escalations dated by the ticket events stream, against the emulator: an imported ticket's
 * escalation is dated at its version's updated_at (all the ticket export can say); the stream
 * replays its audits under the escalation rule and dates it when the rule's answer flipped, and
 * the 30-day escalation count follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import type { ZTicket, ZUser } from '../../../emulator/contract.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { refreshPendingCustomers } from '../aggregates/customer-refresh.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { getCustomerMetrics } from '../metrics/metrics.service.ts';
import { createUser } from '../users/auth.service.ts';
import { saveEscalationRule } from './escalation-rule.ts';
import { runSync } from './sync.service.ts';
import { runTicketEventsStream } from './ticket-events-stream.ts';

const API_TOKEN = 'escalation-replay-token';
const DAY_MS = 86_400_000;
const SUBDOMAIN = 'acme';
const NOW = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const daysAgo = (days: number): number => NOW - days * DAY_MS;

describe('escalations dated by the ticket events stream (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;

  beforeAll(async () => {
    clock = createManualClock(daysAgo(45));
    zendesk = await startEmulator({ port: 0, tickets: 0, users: 20, organizations: 3, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
  });
  afterAll(async () => {
    await zendesk?.close();
    await destroy?.();
  });

  it('dates a ticket escalated by a tag 40 days ago and updated yesterday at its escalation, out of the 30-day count', async () => {
    const store = zendesk.store;
    const state = store.state(SUBDOMAIN)!;
    const organization = [...state.account.organizations.values()].find((org) => org.domain_names.length > 0)!;
    const requester = store.findOrCreateEndUser(state, { name: 'Rita Requester', email: `rita@${organization.domain_names[0]}` });
    const agent = state.account.users.get(state.account.admin_user_id) as ZUser;
    const customerId = (
      await deps.db.query<{ id: string }>(`INSERT INTO customers (name, domains) VALUES ($1, $2) RETURNING id`, [organization.name, organization.domain_names])
    ).rows[0]!.id;
    const create = (subject: string, tags: string[]): ZTicket =>
      store.createTicket(SUBDOMAIN, { subject, comment: { body: 'help', public: true, authorId: requester.id }, requesterId: requester.id, priority: 'normal', tags }, requester)
        .ticket;
    const update = (ticket: ZTicket, changes: Parameters<typeof store.updateTicket>[2]) => void store.updateTicket(SUBDOMAIN, ticket, changes, agent);

    // OLD: created escalated (tag) 40 days ago. TAGGED: tagged 20 days ago. DROPPED: tagged 38 days ago, untagged 35 days ago.
    // All three are updated yesterday (a reply), so the ticket export dates them all yesterday.
    clock.set(daysAgo(40));
    const old = create('OLD', ['billing', 'escalated']);
    const tagged = create('TAGGED', ['billing']);
    const dropped = create('DROPPED', ['billing']);
    clock.set(daysAgo(38));
    update(dropped, { tags: ['billing', 'Escalation'] });
    clock.set(daysAgo(35));
    update(dropped, { tags: ['billing'] });
    clock.set(daysAgo(20));
    update(tagged, { tags: ['billing', 'escalated'] });
    clock.set(daysAgo(1));
    for (const ticket of [old, tagged, dropped]) update(ticket, { comment: { body: 'On it', public: true, authorId: agent.id } });
    clock.set(NOW);

    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    const connectionId = (await connectWithApiToken(deps, admin, { subdomain: SUBDOMAIN, email: 'admin@example.com', apiToken: API_TOKEN })).id;
    const escalations = async () =>
      (
        await deps.db.query<{ zendesk_ticket_id: string; kind: string; occurred_at: Date; source: string }>(
          `SELECT zendesk_ticket_id::text, kind, occurred_at, source FROM zendesk_ticket_events
            WHERE connection_id = $1 AND kind IN ('escalated', 'deescalated') ORDER BY zendesk_ticket_id, occurred_at, kind`,
          [connectionId],
        )
      ).rows.map((row) => [Number(row.zendesk_ticket_id), row.kind, row.occurred_at.toISOString(), row.source]);
    const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

    // The import sees each ticket once, as it is now: OLD and TAGGED first seen escalated, at their update.
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    expect(await escalations()).toEqual([
      [old.id, 'escalated', iso(daysAgo(1)), 'import'],
      [tagged.id, 'escalated', iso(daysAgo(1)), 'import'],
    ]);
    await refreshPendingCustomers(deps.db);
    expect((await getCustomerMetrics(deps, customerId, 30, new Date(NOW))).windows['30'].escalations).toBe(2);

    // The stream dates them when the rule's answer flipped, and the de-escalated DROPPED too.
    const run = await runTicketEventsStream(deps, connectionId);
    expect(run.outcome).toBe('streamed');
    expect(await escalations()).toEqual([
      [old.id, 'escalated', iso(daysAgo(40)), 'events'],
      [tagged.id, 'escalated', iso(daysAgo(20)), 'events'],
      [dropped.id, 'escalated', iso(daysAgo(38)), 'events'],
      [dropped.id, 'deescalated', iso(daysAgo(35)), 'events'],
    ]);
    await refreshPendingCustomers(deps.db);
    const metrics = await getCustomerMetrics(deps, customerId, 30, new Date(NOW));
    expect(metrics.windows['30'].escalations).toBe(1);
    expect(metrics.current.escalations30d).toBe(1);
    expect(metrics.windows['90'].escalations).toBe(3);

    // A later change is replayed from the state kept after the last page: removing OLD's tag de-escalates it.
    clock.set(NOW + 60_000);
    update(old, { tags: ['billing'] });
    clock.set(NOW + 3 * 60_000);
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    const oldRows = (await escalations()).filter(([id]) => id === old.id);
    expect(oldRows).toEqual([
      [old.id, 'escalated', iso(daysAgo(40)), 'events'],
      [old.id, 'deescalated', iso(NOW + 60_000), 'events'],
    ]);
    // Read again from its position: nothing new, nothing doubled.
    const count = (await escalations()).length;
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    expect((await escalations()).length).toBe(count);

    // Under a rule with a custom field nothing is replayed: a new ticket's escalation stays derived, at its update.
    await saveEscalationRule(deps.db, connectionId, { priorities: [], tags: ['escalated'], groupIds: [], customField: { id: 999, values: ['true'] } });
    clock.set(NOW + 5 * 60_000);
    const later = create('LATER', ['escalated']);
    clock.set(NOW + 6 * 60_000);
    update(later, { comment: { body: 'On it', public: true, authorId: agent.id } });
    clock.set(NOW + 8 * 60_000);
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    expect((await escalations()).filter(([id]) => id === later.id)).toEqual([[later.id, 'escalated', iso(NOW + 6 * 60_000), 'catch-up']]);
  });
});
