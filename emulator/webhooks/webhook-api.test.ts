import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_SIGNING_SECRET } from './webhook-signing.ts';
import { startReceiver, webhookTestApp } from '../testing/webhook-test-fixtures.ts';

let t: Awaited<ReturnType<typeof webhookTestApp>>;
const url = '/acme/api/v2/webhooks';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const basicWebhook = {
  name: 'CSCX ticket sync',
  endpoint: 'https://example.com/zendesk/hook',
  http_method: 'POST',
  request_format: 'json',
  status: 'active',
  subscriptions: ['conditional_ticket_events'],
};

beforeEach(async () => {
  t = await webhookTestApp();
});
afterEach(async () => t.close());

describe('Webhooks API', () => {
  it('creates a webhook (201) with a ULID id and Zendesk fields, and shows it', async () => {
    const created = await t.app.inject({ method: 'POST', url, headers: t.headers, payload: { webhook: { ...basicWebhook, description: 'sync' } } });
    expect(created.statusCode).toBe(201);
    const webhook = created.json().webhook;
    expect(webhook).toEqual({
      id: expect.stringMatching(ULID),
      name: 'CSCX ticket sync',
      description: 'sync',
      status: 'active',
      subscriptions: ['conditional_ticket_events'],
      created_at: '2024-04-17T17:18:10Z',
      created_by: '100',
      updated_at: '2024-04-17T17:18:10Z',
      updated_by: '100',
      endpoint: 'https://example.com/zendesk/hook',
      http_method: 'POST',
      request_format: 'json',
    });
    const shown = await t.app.inject({ method: 'GET', url: `${url}/${webhook.id}`, headers: t.headers });
    expect(shown.json()).toEqual({ webhook });
  });

  it('never echoes credentials: only the basic-auth username', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url,
      headers: t.headers,
      payload: { webhook: { ...basicWebhook, authentication: { type: 'basic_auth', add_position: 'header', data: { username: 'hook-user', password: 'hook-pass' } } } },
    });
    expect(created.json().webhook.authentication).toEqual({ type: 'basic_auth', add_position: 'header', data: { username: 'hook-user' } });
    const bearer = await t.app.inject({
      method: 'POST',
      url,
      headers: t.headers,
      payload: { webhook: { ...basicWebhook, authentication: { type: 'bearer_token', add_position: 'header', data: { token: 'sekrit-token' } } } },
    });
    expect(bearer.json().webhook.authentication).toEqual({ type: 'bearer_token', add_position: 'header' });
    const list = await t.app.inject({ method: 'GET', url, headers: t.headers });
    expect(list.body).not.toContain('hook-pass');
    expect(list.body).not.toContain('sekrit-token');
  });

  it('refuses invalid webhooks with 400 and JSON errors', async () => {
    const missing = await t.app.inject({ method: 'POST', url, headers: t.headers, payload: { webhook: { name: 'x' } } });
    expect(missing.statusCode).toBe(400);
    const pointers = (missing.json().errors as Array<{ source?: { pointer: string } }>).map((error) => error.source?.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/webhook/endpoint', '/webhook/http_method', '/webhook/request_format', '/webhook/status']));

    const cases = [
      { ...basicWebhook, endpoint: 'not a url' },
      { ...basicWebhook, http_method: 'TRACE' },
      { ...basicWebhook, status: 'paused' },
      { ...basicWebhook, subscriptions: ['conditional_ticket_events', 'zen:event-type:ticket.created'] },
      { ...basicWebhook, subscriptions: ['zen:event-type:ticket.created'], http_method: 'PUT' },
      { ...basicWebhook, subscriptions: ['zen:event-type:ticket.created'], request_format: 'xml' },
      { ...basicWebhook, authentication: { type: 'basic_auth', add_position: 'header', data: { username: 'u' } } },
    ];
    for (const webhook of cases) {
      const response = await t.app.inject({ method: 'POST', url, headers: t.headers, payload: { webhook } });
      expect(response.statusCode, JSON.stringify(webhook)).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ code: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    }
  });

  it('updates with PUT and PATCH (204), keeping stored credentials, and refuses a connection-method change', async () => {
    const { id } = await t.createWebhook({ ...basicWebhook, authentication: { type: 'bearer_token', add_position: 'header', data: { token: 'tok-1' } } });
    t.ctx.clock.advance(60);
    const shown = (await t.app.inject({ method: 'GET', url: `${url}/${id}`, headers: t.headers })).json().webhook;
    // A PUT of what GET returned (no token in it) keeps the token.
    const put = await t.app.inject({ method: 'PUT', url: `${url}/${id}`, headers: t.headers, payload: { webhook: { ...shown, name: 'Renamed' } } });
    expect(put.statusCode).toBe(204);
    const afterPut = (await t.app.inject({ method: 'GET', url: `${url}/${id}`, headers: t.headers })).json().webhook;
    expect(afterPut).toMatchObject({ name: 'Renamed', updated_at: '2024-04-17T17:19:10Z', authentication: { type: 'bearer_token' } });

    const patch = await t.app.inject({
      method: 'PATCH',
      url: `${url}/${id}`,
      headers: { ...t.headers, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ webhook: { status: 'inactive', authentication: null } }),
    });
    expect(patch.statusCode).toBe(204);
    const afterPatch = (await t.app.inject({ method: 'GET', url: `${url}/${id}`, headers: t.headers })).json().webhook;
    expect(afterPatch).toMatchObject({ name: 'Renamed', status: 'inactive' });
    expect(afterPatch.authentication).toBeUndefined();

    const switchMethod = await t.app.inject({
      method: 'PATCH',
      url: `${url}/${id}`,
      headers: t.headers,
      payload: { webhook: { subscriptions: ['zen:event-type:ticket.created'] } },
    });
    expect(switchMethod.statusCode).toBe(400);
    expect(switchMethod.json().errors[0].detail).toContain('connection method');
  });

  it('deletes (204) and then answers 404', async () => {
    const { id } = await t.createWebhook(basicWebhook);
    expect((await t.app.inject({ method: 'DELETE', url: `${url}/${id}`, headers: t.headers })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `${url}/${id}`, headers: t.headers });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().errors[0].code).toBe('WebhookNotFound');
  });

  it('shows the signing secret and resets it (201) to a new one', async () => {
    const { id, secret } = await t.createWebhook(basicWebhook);
    const shown = await t.app.inject({ method: 'GET', url: `${url}/${id}/signing_secret`, headers: t.headers });
    expect(shown.json()).toEqual({ signing_secret: { algorithm: 'SHA256', secret } });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const reset = await t.app.inject({ method: 'POST', url: `${url}/${id}/signing_secret`, headers: t.headers, payload: {} });
    expect(reset.statusCode).toBe(201);
    expect(reset.json().signing_secret.secret).not.toBe(secret);
    const again = await t.app.inject({ method: 'GET', url: `${url}/${id}/signing_secret`, headers: t.headers });
    expect(again.json().signing_secret.secret).toBe(reset.json().signing_secret.secret);
  });

  it('lists with cursor pagination, filters and sort', async () => {
    for (const name of ['charlie', 'alpha', 'bravo']) await t.createWebhook({ ...basicWebhook, name });
    await t.createWebhook({ ...basicWebhook, name: 'delta', status: 'inactive' });
    const first = (await t.app.inject({ method: 'GET', url: `${url}?page[size]=2&sort=name`, headers: t.headers })).json();
    expect(first.webhooks.map((w: { name: string }) => w.name)).toEqual(['alpha', 'bravo']);
    expect(first.meta.has_more).toBe(true);
    expect(first.links.next).toContain('page%5Bafter%5D=');
    const second = (await t.app.inject({ method: 'GET', url: `${url}?page[size]=2&sort=name&page[after]=${first.meta.after_cursor}`, headers: t.headers })).json();
    expect(second.webhooks.map((w: { name: string }) => w.name)).toEqual(['charlie', 'delta']);
    expect(second.meta.has_more).toBe(false);
    expect(second.links.next).toBeNull();

    const inactive = (await t.app.inject({ method: 'GET', url: `${url}?filter[status]=inactive`, headers: t.headers })).json();
    expect(inactive.webhooks.map((w: { name: string }) => w.name)).toEqual(['delta']);
    const named = (await t.app.inject({ method: 'GET', url: `${url}?filter[name_contains]=AV`, headers: t.headers })).json();
    expect(named.webhooks.map((w: { name: string }) => w.name)).toEqual(['bravo']);
  });

  it('clones a webhook with clone_webhook_id (new id, new secret)', async () => {
    const original = await t.createWebhook(basicWebhook);
    const clone = await t.app.inject({ method: 'POST', url: `${url}?clone_webhook_id=${original.id}`, headers: t.headers });
    expect(clone.statusCode).toBe(201);
    expect(clone.json().webhook).toMatchObject({ name: basicWebhook.name, endpoint: basicWebhook.endpoint });
    expect(clone.json().webhook.id).not.toBe(original.id);
  });

  it('requires authentication, an admin, and the webhooks scope', async () => {
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const agentToken = 'agent-oauth';
    t.ctx.oauth.verifyAccessToken = (_subdomain, token) => (token === agentToken ? { userId: 101, scopes: ['read', 'write'] } : token === 'admin-read' ? { userId: 100, scopes: ['read'] } : null);
    const agent = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${agentToken}` } });
    expect(agent.statusCode).toBe(403);
    expect(agent.json().error.title).toBe('Forbidden');
    const readOnly = await t.app.inject({ method: 'POST', url, headers: { authorization: 'Bearer admin-read' }, payload: { webhook: basicWebhook } });
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json()).toEqual({ error: 'Forbidden', description: 'You are missing the following required scopes: write' });
    expect((await t.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer admin-read' } })).statusCode).toBe(200);
  });
});

describe('POST /api/v2/webhooks/test', () => {
  it('sends the request signed with the static test secret and returns the response', async () => {
    const receiver = await startReceiver(() => ({ status: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));
    try {
      const payload = '{"say": "hello"}';
      const response = await t.app.inject({
        method: 'POST',
        url: `${url}/test`,
        headers: t.headers,
        payload: { request: { endpoint: `${receiver.url}/hook`, http_method: 'POST', request_format: 'json', payload, headers: [{ key: 'X-Custom', value: 'yes' }] } },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().response).toMatchObject({ status: 201, body: '{"ok":true}' });
      const [received] = receiver.requests;
      expect(received?.body).toBe(payload);
      expect(received?.headers['x-custom']).toBe('yes');
      const timestamp = received?.headers['x-zendesk-webhook-signature-timestamp'] as string;
      const expected = createHmac('sha256', TEST_SIGNING_SECRET).update(timestamp + payload).digest('base64');
      expect(received?.headers['x-zendesk-webhook-signature']).toBe(expected);
    } finally {
      await receiver.close();
    }
  });

  it('tests an existing webhook with its own settings and secret', async () => {
    const receiver = await startReceiver();
    try {
      const { id, secret } = await t.createWebhook({ ...basicWebhook, endpoint: `${receiver.url}/existing` });
      const response = await t.app.inject({ method: 'POST', url: `${url}/test?webhook_id=${id}`, headers: t.headers, payload: { request: { payload: '{}' } } });
      expect(response.json().response.status).toBe(200);
      const received = receiver.requests[0];
      expect(received?.url).toBe('/existing');
      expect(received?.headers['x-zendesk-webhook-id']).toBe(id);
      const timestamp = received?.headers['x-zendesk-webhook-signature-timestamp'] as string;
      expect(received?.headers['x-zendesk-webhook-signature']).toBe(createHmac('sha256', secret).update(`${timestamp}{}`).digest('base64'));
    } finally {
      await receiver.close();
    }
  });
});
