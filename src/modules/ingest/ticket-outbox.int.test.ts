/**
 * The ticket outbox: a ticket write records its consequences in its own transaction, and only a
 * drain turns them into alerts and customer refresh marks, in the transaction that marks the entry
 * done. A process that stops between the two (here: no drainer at all) loses nothing; a drain run
 * again doubles nothing; a failing effect leaves no partial effects and is retried later.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import type { Deps } from '../../deps.ts';
import { createMetrics } from '../../observability/metrics.ts';
import { readStatusGauges } from '../status/status-gauges.ts';
import { createTestDeps } from '../../test-deps.ts';
import { ticketOutboxDrainer, ticketOutboxEffects } from '../../ticket-outbox-effects.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { createUser } from '../users/auth.service.ts';
import { emulatorApi } from './sync-test-helpers.ts';
import { refreshTickets, runSync } from './sync.service.ts';
import { outboxBacklog } from './ticket-outbox.repo.ts';
import { drainTicketOutbox, outboxRetryDelaySeconds } from './ticket-outbox.ts';

const API_TOKEN = 'outbox-test-token';

describe('ticket outbox', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let connectionId: string;
  let customerId: string;
  let candidates: number[];

  const escalationAlerts = async (ticketId: number) =>
    (await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE type = 'escalation' AND zendesk_ticket_id = $1`, [ticketId])).rows[0]!.n;
  const entries = async () =>
    (await deps.db.query<{ id: string; attempts: number; last_error: string | null; done: boolean; due: boolean }>(
      `SELECT id::text, attempts, last_error, done_at IS NOT NULL AS done, next_attempt_at <= now() AS due FROM ticket_outbox ORDER BY id`,
    )).rows;
  const refreshMarks = async () => (await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_refresh_requests WHERE customer_id = $1', [customerId])).rows[0]!.n;
  /** Escalates a matched ticket in Zendesk and writes the new version as a webhook's refresh would. */
  const escalate = async (ticketId: number) => {
    const answer = await emulatorApi(zendesk, API_TOKEN)('PUT', `/tickets/${ticketId}`, { ticket: { priority: 'urgent', tags: ['escalated'] } });
    expect(answer.status).toBe(200);
    const written = await refreshTickets(deps, connectionId, [ticketId]);
    expect(written.map((t) => t.zendeskTicketId)).toEqual([ticketId]);
  };

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: 300, users: 60, organizations: 6, apiToken: API_TOKEN, seed: 11 });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}` }));
    // Every organization's tickets belong to one customer that claims all their domains.
    const account = zendesk.store.state('acme')!.account;
    const domains = [...account.organizations.values()].flatMap((o) => o.domain_names);
    customerId = (await deps.db.query<{ id: string }>('INSERT INTO customers (name, domains) VALUES ($1, $2) RETURNING id', ['Acme', domains])).rows[0]!.id;
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    candidates = [...account.tickets.values()]
      .filter((t) => t.organization_id !== null && !t.deleted && ['new', 'open', 'pending'].includes(t.status) && t.priority !== 'urgent' && !t.tags.includes('escalated'))
      .map((t) => t.id);
    expect(candidates.length).toBeGreaterThanOrEqual(5);
    // The import's own entries (matched tickets) are applied; what follows starts from an empty backlog.
    await drainTicketOutbox(deps, ticketOutboxEffects(deps));
  });
  afterAll(async () => {
    await zendesk?.close();
    await destroy?.();
  });
  beforeEach(async () => {
    deps.ticketOutbox = undefined;
    await deps.db.query('DELETE FROM customer_refresh_requests');
  });

  it('keeps the consequences of a committed write when nothing drains after it, and applies them once when a drain comes', async () => {
    const ticket = candidates[0]!;
    await escalate(ticket); // no drainer: as if the process died right after the commit
    expect(await escalationAlerts(ticket)).toBe(0);
    expect(await refreshMarks()).toBe(0);
    expect(await outboxBacklog(deps.db)).toMatchObject({ pending: 1, retrying: 0 });
    const scraped = await createMetrics({ status: () => readStatusGauges(deps.db), defaultMetrics: false }).render();
    expect(scraped).toMatch(/^cscx_ticket_outbox_pending 1$/m);
    expect(scraped).toMatch(/^cscx_ticket_outbox_oldest_age_seconds \d/m);

    expect(await drainTicketOutbox(deps, ticketOutboxEffects(deps, async () => {}))).toEqual({ applied: 1, failed: 0 });
    expect(await escalationAlerts(ticket)).toBe(1);
    expect(await refreshMarks()).toBe(1);
    expect(await outboxBacklog(deps.db)).toMatchObject({ pending: 0 });
    // A second drain (another worker's sweep) finds nothing to do; the same write again changes nothing.
    expect(await drainTicketOutbox(deps, ticketOutboxEffects(deps))).toEqual({ applied: 0, failed: 0 });
    expect(await refreshTickets(deps, connectionId, [ticket])).toEqual([]);
    expect(await escalationAlerts(ticket)).toBe(1);
  });

  it('applies an entry again after a crash during its drain, without doubling what it raised', async () => {
    const ticket = candidates[1]!;
    await escalate(ticket);
    // The drain dies after raising the alert, before its commit: the transaction is rolled back whole.
    const dying = ticketOutboxEffects(deps);
    dying.effects.push(async () => {
      throw new Error('the worker died here');
    });
    expect(await drainTicketOutbox(deps, dying)).toEqual({ applied: 0, failed: 1 });
    expect(await escalationAlerts(ticket)).toBe(0);
    const [failed] = (await entries()).filter((e) => !e.done);
    expect(failed).toMatchObject({ attempts: 1, last_error: 'the worker died here', due: false });
    expect(await outboxBacklog(deps.db)).toMatchObject({ pending: 1, retrying: 1 });
    // Not due yet: a drain leaves it alone.
    expect(await drainTicketOutbox(deps, ticketOutboxEffects(deps))).toEqual({ applied: 0, failed: 0 });
    // Its retry comes due.
    await deps.db.query('UPDATE ticket_outbox SET next_attempt_at = now() WHERE done_at IS NULL');
    expect(await drainTicketOutbox(deps, ticketOutboxEffects(deps))).toEqual({ applied: 1, failed: 0 });
    expect(await escalationAlerts(ticket)).toBe(1);
  });

  it('drains right after each write through deps.ticketOutbox, and concurrent wakes raise each alert once', async () => {
    deps.ticketOutbox = ticketOutboxDrainer(deps, async () => {});
    const [a, b] = [candidates[2]!, candidates[3]!];
    await Promise.all([escalate(a), escalate(b), deps.ticketOutbox.wake(), deps.ticketOutbox.wake()]);
    expect(await escalationAlerts(a)).toBe(1);
    expect(await escalationAlerts(b)).toBe(1);
    expect(await outboxBacklog(deps.db)).toMatchObject({ pending: 0 });
  });

  it('retries a malformed entry with a growing delay, without holding up the entries behind it', async () => {
    await deps.db.query(`INSERT INTO ticket_outbox (connection_id, source, tickets) VALUES ($1, 'webhook', '[{"zendeskTicketId": "one"}]')`, [connectionId]);
    const ticket = candidates[4]!;
    await deps.db.query(`UPDATE zendesk_tickets SET priority = 'normal', tags = '{}', escalated = false, zendesk_updated_at = zendesk_updated_at - interval '1 hour' WHERE connection_id = $1 AND zendesk_ticket_id = $2`, [connectionId, ticket]);
    await deps.db.query('DELETE FROM alerts WHERE zendesk_ticket_id = $1', [ticket]);
    await escalate(ticket);
    expect(await drainTicketOutbox(deps, ticketOutboxEffects(deps))).toEqual({ applied: 1, failed: 1 });
    expect(await escalationAlerts(ticket)).toBe(1);
    const [malformed] = (await entries()).filter((e) => !e.done);
    expect(malformed?.attempts).toBe(1);
    expect(malformed?.last_error).toMatch(/malformed/);
    expect([1, 2, 3, 4, 10, 20].map(outboxRetryDelaySeconds)).toEqual([2, 4, 8, 16, 600, 600]);
  });
});
