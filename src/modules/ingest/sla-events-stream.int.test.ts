/**
 * Following the ticket metric events export against the emulator: the sync run brings every
 * servable event once, a run cut short resumes from its committed start_time without loss, a
 * re-read stores nothing twice, and a breach that happens by the passage of time arrives later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createUser } from '../users/auth.service.ts';
import { connectWithApiToken, zendeskClientFor } from '../connections/connections.service.ts';
import { emulatorApi } from './sync-test-helpers.ts';
import { followSlaEvents } from './sla-events-stream.ts';
import { metricEventsCursor } from './sla-events.repo.ts';
import { runSync } from './sync.service.ts';

const API_TOKEN = 'sla-events-token';
const HOUR_MS = 3_600_000;

describe('ticket metric events follow (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let connectionId: string;

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, subdomains: ['acme'], tickets: 150, users: 60, organizations: 5, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
  });
  afterAll(async () => {
    await zendesk?.close();
    await destroy?.();
  });

  const storedIds = async (): Promise<number[]> =>
    (await deps.db.query<{ id: string }>('SELECT zendesk_event_id AS id FROM zendesk_ticket_metric_events WHERE connection_id = $1 ORDER BY 1', [connectionId])).rows.map((r) =>
      Number(r.id),
    );
  /** The emulator's events the export may serve now (a minute old or more). */
  const servableIds = (): number[] => {
    const cutoff = Math.floor(clock.nowMs() / 1000) - 60;
    return [...zendesk.store.state('acme')!.sla.events.values()]
      .filter((e) => Math.floor(Date.parse(e.time) / 1000) <= cutoff)
      .map((e) => e.id)
      .sort((a, b) => a - b);
  };

  it('a run cut short resumes from its committed position; the sync run finishes the follow', async () => {
    const client = await zendeskClientFor(deps, connectionId);
    const first = await followSlaEvents(deps.db, client, connectionId, { maxPages: 2 });
    expect(first).toMatchObject({ pages: 2, caughtUp: false });
    const committed = await metricEventsCursor(deps.db, connectionId);
    expect(committed).not.toBeNull();
    // The second page starts at the first's last second again: what it re-served is stored once.
    const stored = (await storedIds()).length;
    expect(stored).toBeGreaterThan(100);
    expect(stored).toBeLessThan(first.events);

    const sync = await runSync(deps, connectionId);
    expect(sync.outcome).toBe('synced');
    let caughtUp = false;
    while (!caughtUp) caughtUp = (await followSlaEvents(deps.db, client, connectionId)).caughtUp;
    expect(await storedIds()).toEqual(servableIds());
  });

  it('reading the same pages again stores nothing twice', async () => {
    const before = await storedIds();
    await deps.db.query('UPDATE zendesk_metric_event_cursors SET start_time = 0 WHERE connection_id = $1', [connectionId]);
    const client = await zendeskClientFor(deps, connectionId);
    let caughtUp = false;
    while (!caughtUp) caughtUp = (await followSlaEvents(deps.db, client, connectionId)).caughtUp;
    expect(await storedIds()).toEqual(before);
  });

  it('brings a breach that happens by the passage of time', async () => {
    const created = (await emulatorApi(zendesk, API_TOKEN)('POST', '/tickets', {
      ticket: { subject: 'Down', priority: 'urgent', comment: { body: 'Everything is down' }, requester: { email: 'ops@example.org' } },
    })).body as { ticket: { id: number } };
    clock.advance(2 * HOUR_MS);
    await runSync(deps, connectionId);
    const { rows } = await deps.db.query<{ type: string; metric: string }>(
      `SELECT type, metric FROM zendesk_ticket_metric_events WHERE connection_id = $1 AND zendesk_ticket_id = $2 ORDER BY occurred_at, zendesk_event_id`,
      [connectionId, created.ticket.id],
    );
    expect(rows.filter((r) => r.metric === 'reply_time').map((r) => r.type)).toEqual(['activate', 'apply_sla', 'breach']);
  });
});
