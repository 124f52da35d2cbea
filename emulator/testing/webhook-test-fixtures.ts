/**
 * Test fixtures for the OAuth and webhook tests: a fake clock, a small account, a hand-built
 * EmulatorContext, and a local HTTP server that records (and can misbehave on) deliveries.
 * Not used by the emulator itself.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Account, EmulatorClock, EmulatorContext, OAuthVerifier, TicketChangeEvent, ZTicket, ZUser } from '../contract.ts';
import { createWebhookDispatcher } from '../webhooks/webhooks.ts';
import { userRecord } from '../support-api/records.ts';

export interface FakeClock extends EmulatorClock {
  advance(seconds: number): void;
}

/** Zendesk time starts at `startIso` and moves only when told; one emulated second lasts `msPerSecond` real ms. */
export function fakeClock(options: { startIso?: string; msPerSecond?: number } = {}): FakeClock {
  let now = Date.parse(options.startIso ?? '2024-04-17T17:18:10Z');
  const msPerSecond = options.msPerSecond ?? 1;
  return {
    nowMs: () => now,
    durationMs: (seconds) => seconds * msPerSecond,
    advance: (seconds) => {
      now += seconds * 1000;
    },
  };
}

function user(partial: Partial<ZUser> & Pick<ZUser, 'id' | 'name' | 'role'>): ZUser {
  return userRecord({ created_at: '2024-01-01T00:00:00Z', ...partial });
}

export function sampleTicket(partial: Partial<ZTicket> = {}): ZTicket {
  return {
    id: 35436,
    external_id: 'crm-123',
    type: 'question',
    subject: 'Printer "on fire"',
    raw_subject: 'Printer "on fire"',
    description: 'It burns',
    priority: 'normal',
    status: 'open',
    recipient: null,
    requester_id: 200,
    submitter_id: 200,
    assignee_id: 101,
    organization_id: 300,
    group_id: 400,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: ['vip', 'printer'],
    custom_fields: [{ id: 5001, value: 'gold' }],
    satisfaction_rating_id: null,
    satisfaction_state: null,
    ticket_form_id: null,
    brand_id: 360001,
    via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
    from_messaging_channel: false,
    support_type: 'agent',
    sla_policy_metrics: [],
    created_at: '2024-04-17T17:18:10Z',
    updated_at: '2024-04-17T17:20:00Z',
    generated_timestamp: 1713374400,
    deleted: false,
    ...partial,
  };
}

export function sampleAccount(subdomain = 'acme', accountId = 88888888): Account {
  const users = [
    user({ id: 100, name: 'Ada Admin', role: 'admin', email: `admin@${subdomain}.test` }),
    user({ id: 101, name: 'Alan Agent', role: 'agent', email: `agent@${subdomain}.test` }),
    user({ id: 200, name: 'Jane Doe', role: 'end-user', email: 'jane@customer.test', organization_id: 300 }),
  ];
  const ticket = sampleTicket();
  return {
    subdomain,
    account_id: accountId,
    organizations: new Map([
      [
        300,
        {
          id: 300,
          name: 'Customer Inc',
          domain_names: ['customer.test'],
          external_id: 'org-ext-1',
          details: null,
          notes: null,
          group_id: null,
          shared_tickets: false,
          shared_comments: false,
          tags: ['enterprise'],
          organization_fields: {},
          created_at: '2024-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
        },
      ],
    ]),
    users: new Map(users.map((u) => [u.id, u])),
    tickets: new Map([[ticket.id, ticket]]),
    comments: new Map([[ticket.id, [{ id: 1, ticket_id: ticket.id, author_id: 200, body: 'It burns', public: true, created_at: ticket.created_at }]]]),
    satisfaction_ratings: new Map(),
    admin_user_id: 100,
    api_token: `${subdomain}-api-token`,
  };
}

/** The Bearer token the hand-built `authenticate` accepts as the account's admin. */
export const TEST_API_BEARER = 'test-admin-token';

/**
 * A hand-built context: `authenticate` accepts `Bearer test-admin-token` (admin, read+write) and
 * any token `oauth` verifies; it answers 401 `Couldn't authenticate you` otherwise.
 */
export function testContext(options: { accounts?: Account[]; clock?: FakeClock; oauth?: OAuthVerifier } = {}): EmulatorContext & { clock: FakeClock } {
  const accounts = new Map((options.accounts ?? [sampleAccount()]).map((a) => [a.subdomain, a]));
  const oauth: OAuthVerifier = options.oauth ?? { verifyAccessToken: () => null };
  const clock = options.clock ?? fakeClock();
  return {
    accounts,
    events: new EventEmitter(),
    clock,
    baseUrl: (subdomain) => `http://127.0.0.1:4010/${subdomain}`,
    oauth,
    async authenticate(request: FastifyRequest, reply: FastifyReply) {
      const subdomain = (request.params as { subdomain?: string }).subdomain ?? '';
      const account = accounts.get(subdomain);
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (account && token === TEST_API_BEARER) {
        const admin = account.users.get(account.admin_user_id) as ZUser;
        request.zendeskAuth = { subdomain, user: admin, method: 'api_token', scopes: ['read', 'write'] };
        return;
      }
      const grant = account ? oauth.verifyAccessToken(subdomain, token) : null;
      const grantUser = grant ? account?.users.get(grant.userId) : undefined;
      if (grant && grantUser) {
        request.zendeskAuth = { subdomain, user: grantUser, method: 'oauth', scopes: grant.scopes };
        return;
      }
      await reply.code(401).send({ error: "Couldn't authenticate you" });
    },
  };
}

export function ticketChange(partial: Partial<TicketChangeEvent> & Pick<TicketChangeEvent, 'ticket'>): TicketChangeEvent {
  return { subdomain: 'acme', kind: 'updated', previous: null, comment: null, actor_id: 100, at: partial.ticket.updated_at, ...partial };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type ReceiverReply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A local HTTP server on port 0 that records every request. `respond` decides each answer
 * (default 200); 'hang' never answers, to exercise the delivery timeout.
 */
export async function startReceiver(respond: (request: RecordedRequest, index: number) => ReceiverReply = () => ({ status: 200 })) {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = requests.push(recorded) - 1;
      const answer = respond(recorded, index);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
      res.end(answer.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A Fastify app with only the webhook dispatcher registered, on a hand-built context whose
 * emulated second lasts `msPerSecond` real ms (default 50: the 12 s delivery timeout is 600 ms).
 */
export async function webhookTestApp(options: { msPerSecond?: number; drop?: number; duplicate?: number; reorder?: number; seed?: number } = {}) {
  const ctx = testContext({ clock: fakeClock({ msPerSecond: options.msPerSecond ?? 50 }) });
  const dispatcher = createWebhookDispatcher(ctx, {
    drop: options.drop ?? 0,
    duplicate: options.duplicate ?? 0,
    reorder: options.reorder ?? 0,
    seed: options.seed,
  });
  const app = Fastify();
  dispatcher.register(app);
  await app.ready();
  const headers = { authorization: `Bearer ${TEST_API_BEARER}` };
  return {
    app,
    ctx,
    dispatcher,
    headers,
    account: ctx.accounts.get('acme') as Account,
    async createWebhook(webhook: Record<string, unknown>) {
      const response = await app.inject({ method: 'POST', url: '/acme/api/v2/webhooks', headers, payload: { webhook } });
      if (response.statusCode !== 201) throw new Error(`create webhook: ${response.statusCode} ${response.body}`);
      const id = response.json().webhook.id as string;
      const secret = (await app.inject({ method: 'GET', url: `/acme/api/v2/webhooks/${id}/signing_secret`, headers })).json().signing_secret.secret as string;
      return { id, secret };
    },
    async close() {
      await dispatcher.close();
      await app.close();
    },
  };
}
