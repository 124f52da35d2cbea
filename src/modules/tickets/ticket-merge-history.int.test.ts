/**
 * A merge in the ticket history, against the emulator: two tickets merged into a third in Zendesk
 * (POST /api/v2/tickets/{id}/merge) show, after the import and the ticket events stream, as
 * "merged into #target" on each source and "merged #a, #b into this ticket" on the target, each
 * with the ticket's Zendesk page built from the connection's subdomain and ZENDESK_URL_TEMPLATE.
 * The sources stay merge sources for the metrics: no resolution is counted for them.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { createManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { TicketEvent } from '../../contracts/tickets.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { runSync } from '../ingest/sync.service.ts';
import { runTicketEventsStream } from '../ingest/ticket-events-stream.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';

const API_TOKEN = 'merge-history-token';

describe('merged tickets in the ticket history (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let key: string;
  let customerId: string;
  let connectionId: string;
  let clock: ReturnType<typeof createManualClock>;

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, tickets: 800, users: 200, organizations: 4, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    key = (await createApiKey(deps.db, admin.id, 't')).key;
    const organization = [...zendesk.store.state('acme')!.account.organizations.values()].find((org) => org.domain_names.length > 0)!;
    customerId = (
      await deps.db.query<{ id: string }>(`INSERT INTO customers (name, domains) VALUES ($1, $2) RETURNING id`, [organization.name, organization.domain_names])
    ).rows[0]!.id;
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  const history = async (ticketId: number): Promise<TicketEvent[]> => {
    const answer = await app.inject({
      method: 'GET',
      url: `/api/integrations/zendesk/tickets/${customerId}/history?zendeskTicketId=${ticketId}&connectionId=${connectionId}&limit=100`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(answer.statusCode).toBe(200);
    return (answer.json() as { events: TicketEvent[] }).events;
  };

  it('shows the merge on the sources and on the target, with the tickets’ Zendesk links', async () => {
    // Three live tickets of the customer, which the import will match to it.
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    const open = (
      await deps.db.query<{ zendesk_ticket_id: string }>(
        `SELECT zendesk_ticket_id FROM zendesk_tickets WHERE connection_id = $1 AND customer_id = $2 AND status IN ('new', 'open', 'pending')
          ORDER BY zendesk_ticket_id LIMIT 3`,
        [connectionId, customerId],
      )
    ).rows.map((row) => Number(row.zendesk_ticket_id));
    expect(open).toHaveLength(3);
    const [target, first, second] = open as [number, number, number];

    const merged = await fetch(`${zendesk.url}/acme/api/v2/tickets/${target}/merge.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`admin@example.com/token:${API_TOKEN}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [first, second] }),
    });
    expect(merged.status).toBe(200);
    // The exports leave out the last minute.
    clock.advance(2 * 60_000);

    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');

    const link = (id: number) => ({ zendeskTicketId: id, url: `${zendesk.url}/acme/agent/tickets/${id}` });
    for (const source of [first, second]) {
      const events = (await history(source)).filter((event) => event.kind === 'merged');
      expect(events).toEqual([
        expect.objectContaining({ kind: 'merged', zendeskTicketId: source, source: 'events', from: String(source), to: String(target), merge: { into: link(target), from: [] } }),
      ]);
    }
    const onTarget = (await history(target)).filter((event) => event.kind === 'merged');
    expect(onTarget).toEqual([expect.objectContaining({ zendeskTicketId: target, to: String(target), merge: { into: null, from: [link(first), link(second)] } })]);
    // Other kinds carry no merge.
    expect((await history(target)).filter((event) => event.kind !== 'merged').every((event) => event.merge === null)).toBe(true);

    // The sources are merge sources: closed, tagged, never counted as solved.
    const sources = await deps.db.query<{ merge_source: boolean; status: string }>(
      `SELECT ticket_is_merge_source(tags) AS merge_source, status FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = ANY($2::bigint[])`,
      [connectionId, [first, second]],
    );
    expect(sources.rows).toEqual([
      { merge_source: true, status: 'closed' },
      { merge_source: true, status: 'closed' },
    ]);

    // Streaming again from the start keeps each merged event once.
    await deps.db.query(`UPDATE zendesk_ticket_events_stream SET start_time = 0 WHERE connection_id = $1`, [connectionId]);
    expect((await runTicketEventsStream(deps, connectionId)).outcome).toBe('streamed');
    const counted = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_ticket_events WHERE connection_id = $1 AND kind = 'merged'`, [connectionId]);
    expect(counted.rows[0]!.n).toBe(3);
  });
});
