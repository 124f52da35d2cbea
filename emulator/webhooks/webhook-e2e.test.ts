/**
 * End to end through the assembled emulator (emulator/app.ts): OAuth code flow, then a webhook and
 * a trigger created through the API with the OAuth token, then a ticket update through
 * `PUT /acme/api/v2/tickets/{id}` that reaches a local receiver as a signed delivery.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildEmulator, type Emulator } from '../app.ts';
import { s256CodeChallenge } from '../oauth/pkce.ts';
import { startReceiver } from '../testing/webhook-test-fixtures.ts';

const NOW_MS = Date.UTC(2025, 5, 2, 12, 0, 0);
const VERIFIER = 'e2e-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
const REDIRECT_URI = 'http://127.0.0.1:5173/callback';

let emulator: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  emulator = await buildEmulator({
    nowMs: NOW_MS,
    apiToken: 'e2e-api-token',
    oauthClientId: 'cscx',
    oauthClientSecret: 'e2e-client-secret',
    organizations: 3,
    users: 20,
    tickets: 10,
    integrations: true,
  });
  receiver = await startReceiver();
});
afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function oauthToken(): Promise<string> {
  const authorize = await emulator.app.inject({
    method: 'GET',
    url: `/acme/oauth/authorizations/new?${new URLSearchParams({
      response_type: 'code',
      client_id: 'cscx',
      redirect_uri: REDIRECT_URI,
      scope: 'read write',
      state: 's1',
      code_challenge: s256CodeChallenge(VERIFIER),
      code_challenge_method: 'S256',
    })}`,
  });
  expect(authorize.statusCode).toBe(302);
  const code = new URL(authorize.headers.location as string).searchParams.get('code');
  const token = await emulator.app.inject({
    method: 'POST',
    url: '/acme/oauth/tokens',
    payload: { grant_type: 'authorization_code', code, client_id: 'cscx', client_secret: 'e2e-client-secret', redirect_uri: REDIRECT_URI, code_verifier: VERIFIER },
  });
  expect(token.statusCode).toBe(201);
  return token.json().access_token as string;
}

it('delivers a signed trigger webhook for a ticket updated through the API', async () => {
  const headers = { authorization: `Bearer ${await oauthToken()}`, 'content-type': 'application/json' };

  const webhook = await emulator.app.inject({
    method: 'POST',
    url: '/acme/api/v2/webhooks',
    headers,
    payload: {
      webhook: { name: 'CSCX', endpoint: `${receiver.url}/zendesk`, http_method: 'POST', request_format: 'json', status: 'active', subscriptions: ['conditional_ticket_events'] },
    },
  });
  expect(webhook.statusCode).toBe(201);
  const webhookId = webhook.json().webhook.id as string;
  const secret = (await emulator.app.inject({ method: 'GET', url: `/acme/api/v2/webhooks/${webhookId}/signing_secret`, headers })).json().signing_secret.secret as string;

  const trigger = await emulator.app.inject({
    method: 'POST',
    url: '/acme/api/v2/triggers.json',
    headers,
    payload: {
      trigger: {
        title: 'CSCX sync',
        conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Change' }], any: [] },
        actions: [
          {
            field: 'notification_webhook',
            value: [webhookId, '{"ticket_id":"{{ticket.id}}","status":"{{ticket.status}}","org":"{{ticket.organization.id}}","updated":"{{ticket.updated_at_with_timestamp}}"}'],
          },
        ],
      },
    },
  });
  expect(trigger.statusCode).toBe(201);

  const ticketId = [...(emulator.ctx.accounts.get('acme')?.tickets.values() ?? [])].find((ticket) => ticket.status !== 'closed' && !ticket.deleted)?.id;
  expect(ticketId).toBeDefined();
  const update = await emulator.app.inject({
    method: 'PUT',
    url: `/acme/api/v2/tickets/${ticketId}.json`,
    headers,
    payload: { ticket: { status: 'solved', comment: { body: 'Solved by the e2e test', public: false } } },
  });
  expect(update.statusCode).toBe(200);

  // Delivery is asynchronous: wait until the admin delivery log shows the attempt.
  const deliveries = async () => (await emulator.app.inject({ method: 'GET', url: `/_emulator/webhook-deliveries?webhook_id=${webhookId}` })).json().deliveries as unknown[];
  for (let i = 0; i < 500 && (await deliveries()).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(receiver.requests).toHaveLength(1);
  const [request] = receiver.requests;
  const body = JSON.parse(request?.body ?? '{}');
  expect(body).toMatchObject({ ticket_id: String(ticketId), status: 'Solved' });
  expect(request?.headers['x-zendesk-webhook-id']).toBe(webhookId);
  const timestamp = request?.headers['x-zendesk-webhook-signature-timestamp'] as string;
  expect(request?.headers['x-zendesk-webhook-signature']).toBe(createHmac('sha256', secret).update(timestamp + (request?.body ?? '')).digest('base64'));

  const log = await emulator.app.inject({ method: 'GET', url: `/_emulator/webhook-deliveries?webhook_id=${webhookId}` });
  expect(log.json().deliveries).toMatchObject([{ status: 'success', status_code: 200, source: { kind: 'trigger', trigger_title: 'CSCX sync' } }]);
  expect(log.body).not.toContain(secret);
});
