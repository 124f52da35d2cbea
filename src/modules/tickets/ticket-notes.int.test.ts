/**
 * "Add note" end to end against the emulator: the note becomes a private comment in Zendesk,
 * attributed to the CSM, and is recorded with its event and the ticket's new version; when
 * Zendesk refuses, the CSM is told why and nothing is recorded.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import type { ZTicket } from '../../../emulator/contract.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { credentialsContext } from '../connections/sealed-columns.ts';
import { emulatorApi } from '../ingest/sync-test-helpers.ts';
import { runSync } from '../ingest/sync.service.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { insertCustomer } from './tickets-test-data.ts';

const API_TOKEN = 'notes-test-token';
const BASE = '/api/integrations/zendesk/tickets';

describe('adding a note to a Zendesk ticket (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys = { admin: '', csm: '', leader: '' };
  let connectionId: string;
  let customerId: string;

  const zendeskGet = async (path: string) => {
    const answer = await emulatorApi(zendesk, API_TOKEN)('GET', path);
    expect(answer.status, path).toBe(200);
    return answer.body as Record<string, unknown>;
  };
  const comments = async (ticketId: number) =>
    ((await zendeskGet(`/tickets/${ticketId}/comments`)).comments as Array<{ id: number; body: string; public: boolean; audit_id: number }>) ?? [];
  const emulated = (keep: (t: ZTicket) => boolean) => [...zendesk.store.state('acme')!.account.tickets.values()].filter(keep);
  const post = (ticketId: number | string, body: unknown, key = keys.csm, connection = connectionId) =>
    app.inject({ method: 'POST', url: `${BASE}/${connection}/${ticketId}/notes`, headers: { authorization: `Bearer ${key}` }, payload: body as object });
  const recorded = async () => {
    const notes = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM zendesk_ticket_notes');
    const events = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_ticket_events WHERE kind = 'note_added'`);
    return { notes: notes.rows[0]!.n, events: events.rows[0]!.n };
  };

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, subdomains: ['acme'], tickets: 300, users: 60, organizations: 5, apiToken: API_TOKEN, clock });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    app = await buildApp(deps);
    for (const role of ['admin', 'csm', 'leader'] as const) {
      const name = { admin: 'Ada Admin', csm: 'Casey CSM', leader: 'Lee Leader' }[role];
      const user = await createUser(deps.db, { email: `${role}@cscx.test`, name, role, password: null });
      keys[role] = (await createApiKey(deps.db, user.id, 't')).key;
    }
    const admin = (await deps.db.query<{ id: string; email: string; name: string }>(`SELECT id, email, name FROM users WHERE role = 'admin'`)).rows[0]!;
    connectionId = (await connectWithApiToken(deps, { ...admin, role: 'admin' }, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
    customerId = await insertCustomer(deps.db, 'Acme Corp');
    await deps.db.query(`UPDATE zendesk_tickets SET customer_id = $1, match_method = 'organization' WHERE connection_id = $2`, [customerId, connectionId]);
    // The refresh after a note re-matches the ticket: map every organization, so that the match holds.
    await deps.db.query(
      `INSERT INTO zendesk_organization_mappings (connection_id, zendesk_organization_id, customer_id)
       SELECT connection_id, zendesk_organization_id, $1 FROM zendesk_organizations WHERE connection_id = $2`,
      [customerId, connectionId],
    );
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  it('adds a private comment attributed to the CSM, records it with its event, and stores the ticket’s new version', async () => {
    const ticket = emulated((t) => t.status === 'open' && !t.deleted && t.organization_id !== null)[0]!;
    const before = await comments(ticket.id);
    clock.advance(5_000);
    const response = await post(ticket.id, { body: '  Spoke with their CTO: renewal at risk.\nFollow up Friday.  ' });
    expect(response.statusCode, response.body).toBe(201);
    const { note } = response.json();
    expect(note).toEqual({
      id: expect.any(String),
      connectionId,
      zendeskTicketId: ticket.id,
      author: { id: expect.any(String), name: 'Casey CSM', email: 'csm@cscx.test' },
      body: 'Spoke with their CTO: renewal at risk.\nFollow up Friday.',
      zendeskCommentId: expect.any(Number),
      zendeskAuditId: expect.any(Number),
      createdAt: expect.any(String),
    });

    const after = await comments(ticket.id);
    expect(after).toHaveLength(before.length + 1);
    const added = after.at(-1)!;
    expect(added.public).toBe(false);
    expect(added.body).toBe('Note from Casey CSM (csm@cscx.test) via CSCX:\n\nSpoke with their CTO: renewal at risk.\nFollow up Friday.');
    expect(added.id).toBe(note.zendeskCommentId);
    expect(added.audit_id).toBe(note.zendeskAuditId);

    const { rows: stored } = await deps.db.query<{ author_id: string; body: string; zendesk_comment_id: number }>('SELECT author_id, body, zendesk_comment_id FROM zendesk_ticket_notes WHERE id = $1', [note.id]);
    expect(stored).toEqual([{ author_id: note.author.id, body: note.body, zendesk_comment_id: added.id }]);
    const { rows: events } = await deps.db.query<{ kind: string; source: string; to_value: string; occurred_at: Date }>(
      `SELECT kind, source, to_value, occurred_at FROM zendesk_ticket_events WHERE connection_id = $1 AND zendesk_ticket_id = $2 AND kind = 'note_added'`,
      [connectionId, ticket.id],
    );
    expect(events).toEqual([{ kind: 'note_added', source: 'note', to_value: note.id, occurred_at: new Date(ticket.updated_at) }]);
    const { rows: version } = await deps.db.query<{ zendesk_updated_at: Date }>('SELECT zendesk_updated_at FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = $2', [connectionId, ticket.id]);
    expect(version[0]!.zendesk_updated_at.toISOString()).toBe(new Date(ticket.updated_at).toISOString());
    expect(new Date(ticket.updated_at).getTime()).toBeGreaterThan(clock.nowMs() - 2_000); // Zendesk's new version, not the imported one

    const history = await app.inject({ method: 'GET', url: `${BASE}/${customerId}/history?zendeskTicketId=${ticket.id}&limit=1`, headers: { authorization: `Bearer ${keys.leader}` } });
    expect(history.json().events[0]).toMatchObject({ kind: 'note_added', to: note.id, source: 'note', zendeskTicketId: ticket.id, subdomain: 'acme' });
  });

  it('lets an admin add notes, and refuses a leader (403)', async () => {
    const ticket = emulated((t) => t.status === 'pending' && !t.deleted)[0]!;
    const counts = await recorded();
    const leader = await post(ticket.id, { body: 'hello' }, keys.leader);
    expect(leader.statusCode).toBe(403);
    expect(await recorded()).toEqual(counts);
    clock.advance(5_000);
    const admin = await post(ticket.id, { body: 'x'.repeat(10_000) }, keys.admin);
    expect(admin.statusCode, admin.body).toBe(201);
    expect((await comments(ticket.id)).at(-1)!.body).toMatch(/^Note from Ada Admin \(admin@cscx\.test\) via CSCX:\n\nx{10000}$/);
  });

  it('says clearly why Zendesk refused a note on a closed ticket (422), and records nothing', async () => {
    const ticket = emulated((t) => t.status === 'closed' && !t.deleted)[0]!;
    const before = { comments: (await comments(ticket.id)).length, recorded: await recorded() };
    const response = await post(ticket.id, { body: 'too late' });
    expect(response.statusCode).toBe(422);
    const error = response.json().error;
    expect(error.code).toBe('unprocessable');
    expect(error.message).toMatch(new RegExp(`^Zendesk refused the note on ticket ${ticket.id} on acme: .*422.*RecordInvalid`));
    expect(error.message).toMatch(/the ticket is closed/);
    expect((await comments(ticket.id)).length).toBe(before.comments);
    expect(await recorded()).toEqual(before.recorded);
  });

  it('answers 404 for a ticket Zendesk no longer has, and for one we never synced, recording nothing', async () => {
    const ticket = emulated((t) => t.status === 'new' && !t.deleted)[0]!;
    const deleted = await emulatorApi(zendesk, API_TOKEN)('DELETE', `/tickets/${ticket.id}`);
    expect(deleted.status).toBe(204);
    const before = await recorded();
    const gone = await post(ticket.id, { body: 'hello?' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.message).toMatch(new RegExp(`^Zendesk has no ticket ${ticket.id} on acme .*404.*RecordNotFound`));
    const unknown = await post(987_654, { body: 'hello?' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('no ticket 987654 on acme among the synced tickets');
    const noConnection = await post(1, { body: 'hello?' }, keys.csm, '6f1c1e4e-5a8b-4c1d-9a55-3d1f1e2a7b90');
    expect(noConnection.json().error.message).toBe('no Zendesk connection 6f1c1e4e-5a8b-4c1d-9a55-3d1f1e2a7b90');
    expect(await recorded()).toEqual(before);
  });

  it('answers 502 without a secret when Zendesk refuses the credentials, and records nothing', async () => {
    const ticket = emulated((t) => t.status === 'open' && !t.deleted)[1]!;
    const { rows } = await deps.db.query<{ credentials_sealed: string }>('SELECT credentials_sealed FROM zendesk_connections WHERE id = $1', [connectionId]);
    const wrong = 'wrong-token-do-not-echo';
    const sealed = deps.secrets.seal(JSON.stringify({ method: 'api_token', email: 'admin@example.com', apiToken: wrong }), credentialsContext(connectionId));
    await deps.db.query('UPDATE zendesk_connections SET credentials_sealed = $2 WHERE id = $1', [connectionId, sealed]);
    try {
      const before = await recorded();
      const response = await post(ticket.id, { body: 'hello' });
      expect(response.statusCode).toBe(502);
      expect(response.json().error.code).toBe('upstream_failed');
      expect(response.json().error.message).toMatch(/Zendesk refused the connection's credentials for acme.*an admin must reconnect acme/);
      expect(response.body).not.toContain(wrong);
      expect(response.body).not.toContain(API_TOKEN);
      expect(await recorded()).toEqual(before);
    } finally {
      await deps.db.query('UPDATE zendesk_connections SET credentials_sealed = $2 WHERE id = $1', [connectionId, rows[0]!.credentials_sealed]);
    }
  });

  it('refuses an empty or too long note, and a malformed ticket id (400)', async () => {
    const ticket = emulated((t) => t.status === 'open' && !t.deleted)[0]!;
    for (const [body, message] of [
      [{ body: '   ' }, 'body.body: is empty'],
      [{ body: 'x'.repeat(10_001) }, 'body.body: is longer than 10,000 characters'],
      [{}, 'body.body: is required, as text'],
    ] as const) {
      const response = await post(ticket.id, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toBe(message);
    }
    const badId = await post('12abc', { body: 'hello' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.message).toBe('params.zendeskTicketId: is not a Zendesk ticket id');
  });
});
