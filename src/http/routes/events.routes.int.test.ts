/**
 * Live updates over server-sent events: written straight into the database (as a worker in another
 * process would), new ticket events and alerts reach the connected browsers within a poll; alerts
 * only those who may see them, sync progress only admins and leaders; anonymous callers are refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/process-helpers.ts';
import type { Deps } from '../../deps.ts';
import { IdCursor } from '../../modules/live/live-feed.ts';
import { insertConnection, insertCustomer } from '../../modules/tickets/tickets-test-data.ts';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import { createTestDeps } from '../../test-deps.ts';
import { buildApp } from '../app.ts';

interface Stream {
  events: Array<{ event: string; data: Record<string, unknown> }>;
  waitFor(event: string, where?: (data: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

async function openStream(url: string, key: string): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Stream['events'] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    async waitFor(event, where = () => true, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((e) => e.event === event && where(e.data));
        if (found) return found.data;
        if (Date.now() > until) throw new Error(`no "${event}" event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => controller.abort(),
  };
}

describe('GET /api/events (server-sent events)', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let url: string;
  let keys: { admin: string; csm: string; otherCsm: string };
  let csmId: string;
  let customerId: string;
  let connectionId: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/api/events`;
    const admin = await createUser(deps.db, { email: 'admin@live.test', name: 'Admin', role: 'admin', password: null });
    const csm = await createUser(deps.db, { email: 'csm@live.test', name: 'CSM', role: 'csm', password: null });
    const other = await createUser(deps.db, { email: 'other@live.test', name: 'Other', role: 'csm', password: null });
    csmId = csm.id;
    keys = { admin: (await createApiKey(deps.db, admin.id, 't')).key, csm: (await createApiKey(deps.db, csm.id, 't')).key, otherCsm: (await createApiKey(deps.db, other.id, 't')).key };
    customerId = await insertCustomer(deps.db, 'Live Co');
    connectionId = (await insertConnection(deps.db, 'live')).id;
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  it('refuses anonymous callers', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(401);
  });

  it('brings ticket events, alerts (to their recipients only) and sync progress written by anyone, within a poll', async () => {
    const admin = await openStream(url, keys.admin);
    const csm = await openStream(url, keys.csm);
    const other = await openStream(url, keys.otherCsm);
    try {
      await Promise.all([admin.waitFor('ready'), csm.waitFor('ready'), other.waitFor('ready')]);
      // Give the feed its starting point (what exists now is not news).
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deps.db.query(
        `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, subject, status, zendesk_created_at, zendesk_updated_at)
         VALUES ($1, 77, $2, 'Live one', 'open', now(), now())`,
        [connectionId, customerId],
      );
      await deps.db.query(`INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, occurred_at, source) VALUES ($1, 77, 'created', now(), 'webhook')`, [connectionId]);
      const tickets = await csm.waitFor('tickets');
      expect(tickets.customerIds).toEqual([customerId]);
      expect(tickets.tickets).toEqual([{ connectionId, zendeskTicketId: 77, customerId, kind: 'created' }]);

      const { rows } = await deps.db.query<{ id: string }>(
        `INSERT INTO alerts (dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, occurred_at) VALUES ('live:1', 'escalation', $1, $2, 77, now()) RETURNING id`,
        [customerId, connectionId],
      );
      await deps.db.query('INSERT INTO alert_recipients (alert_id, user_id) VALUES ($1, $2)', [rows[0]!.id, csmId]);
      const forCsm = await csm.waitFor('alerts');
      expect(forCsm.alerts).toEqual([{ id: rows[0]!.id, type: 'escalation', customerId, customerName: 'Live Co', zendeskTicketId: 77, recipientIds: [] }]);
      await admin.waitFor('alerts');

      await deps.db.query(`INSERT INTO zendesk_sync_state (connection_id, phase, imported) VALUES ($1, 'importing', 500)`, [connectionId]);
      const sync = await admin.waitFor('sync');
      expect(sync.connections).toEqual([{ connectionId, subdomain: 'live', status: 'active', phase: 'importing', imported: 500 }]);

      // Another CSM saw the ticket change (any signed-in user may read tickets) but neither the
      // alert routed to someone else nor the sync progress.
      await other.waitFor('tickets');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(other.events.map((e) => e.event)).not.toContain('alerts');
      expect(csm.events.map((e) => e.event)).not.toContain('sync');
    } finally {
      admin.close();
      csm.close();
      other.close();
    }
  });

  it('closes open streams when the server closes', async () => {
    const { deps: own, destroy: destroyOwn } = await createTestDeps();
    const server = await buildApp(own);
    const port = await freePort();
    await server.listen({ port, host: '127.0.0.1' });
    const user = await createUser(own.db, { email: 'a@close.test', name: 'A', role: 'admin', password: null });
    const stream = await openStream(`http://127.0.0.1:${port}/api/events`, (await createApiKey(own.db, user.id, 't')).key);
    await stream.waitFor('ready');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    stream.close();
    await destroyOwn();
  });
});

describe('IdCursor (ids that commit out of order)', () => {
  it('remembers the ids skipped below the highest seen, and forgets them once seen or too old', () => {
    const cursor = new IdCursor(10);
    cursor.advance([11, 13, 14], 0);
    expect(cursor.watermark).toBe(14);
    expect(cursor.holeIds(1000)).toEqual([12]);
    cursor.advance([12], 1000);
    expect(cursor.holeIds(1000)).toEqual([]);
    cursor.advance([16], 2000);
    expect(cursor.holeIds(2000)).toEqual([15]);
    expect(cursor.holeIds(2000 + 16_000)).toEqual([]);
  });
});
