import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleTicket, startReceiver, ticketChange, webhookTestApp } from '../testing/webhook-test-fixtures.ts';

let t: Awaited<ReturnType<typeof webhookTestApp>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let webhookId: string;
let secret: string;

beforeEach(async () => {
  t = await webhookTestApp();
  receiver = await startReceiver();
  ({ id: webhookId, secret } = await t.createWebhook({
    name: 'trigger target',
    endpoint: `${receiver.url}/zendesk`,
    http_method: 'POST',
    request_format: 'json',
    status: 'active',
    subscriptions: ['conditional_ticket_events'],
  }));
});
afterEach(async () => {
  await t.close();
  await receiver.close();
});

const body = JSON.stringify({
  ticket_id: '{{ticket.id}}',
  status: '{{ticket.status}}',
  subject: '{{ticket.title}}',
  requester_email: '{{ticket.requester.email}}',
  tags: '{{ticket.tags}}',
  updated_at: '{{ticket.updated_at_with_timestamp}}',
});

function solvedTrigger(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Notify CSCX when solved',
    conditions: {
      all: [
        { field: 'update_type', operator: 'is', value: 'Change' },
        { field: 'status', operator: 'value', value: 'solved' },
      ],
      any: [],
    },
    actions: [{ field: 'notification_webhook', value: [webhookId, body] }],
    ...overrides,
  };
}

async function createTrigger(trigger: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/acme/api/v2/triggers.json', headers: t.headers, payload: { trigger } });
}

describe('Triggers API', () => {
  it('creates (201), shows, lists, updates and deletes triggers', async () => {
    const created = await createTrigger(solvedTrigger());
    expect(created.statusCode).toBe(201);
    const trigger = created.json().trigger;
    expect(trigger).toMatchObject({
      url: `http://127.0.0.1:4010/acme/api/v2/triggers/${trigger.id}.json`,
      id: expect.any(Number),
      title: 'Notify CSCX when solved',
      raw_title: 'Notify CSCX when solved',
      active: true,
      default: false,
      position: 1,
      conditions: solvedTrigger().conditions,
      actions: solvedTrigger().actions,
      created_at: '2024-04-17T17:18:10Z',
    });
    expect((await t.app.inject({ method: 'GET', url: `/acme/api/v2/triggers/${trigger.id}`, headers: t.headers })).json().trigger).toEqual(trigger);

    const list = (await t.app.inject({ method: 'GET', url: '/acme/api/v2/triggers', headers: t.headers })).json();
    expect(list).toMatchObject({ count: 1, next_page: null, previous_page: null });
    expect(list.triggers).toHaveLength(1);

    const updated = await t.app.inject({ method: 'PUT', url: `/acme/api/v2/triggers/${trigger.id}.json`, headers: t.headers, payload: { trigger: { active: false } } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().trigger).toMatchObject({ active: false, actions: solvedTrigger().actions });
    expect((await t.app.inject({ method: 'GET', url: '/acme/api/v2/triggers/active', headers: t.headers })).json().triggers).toEqual([]);

    expect((await t.app.inject({ method: 'DELETE', url: `/acme/api/v2/triggers/${trigger.id}`, headers: t.headers })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/acme/api/v2/triggers/${trigger.id}`, headers: t.headers });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ error: 'RecordNotFound', description: 'Not found' });
  });

  it('refuses invalid triggers with 422 RecordInvalid', async () => {
    const cases = [
      solvedTrigger({ title: '' }),
      solvedTrigger({ actions: [] }),
      solvedTrigger({ conditions: { all: [], any: [] } }),
      solvedTrigger({ conditions: { all: [{ field: 'status', operator: 'bogus', value: 'x' }] } }),
      solvedTrigger({ actions: [{ field: 'notification_webhook', value: ['01NOPE', '{}'] }] }),
    ];
    for (const trigger of cases) {
      const response = await createTrigger(trigger);
      expect(response.statusCode, JSON.stringify(trigger)).toBe(422);
      expect(response.json()).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors', details: expect.any(Object) });
    }
    const eventWebhook = await t.createWebhook({ name: 'e', endpoint: `${receiver.url}/e`, http_method: 'POST', request_format: 'json', status: 'active', subscriptions: ['zen:event-type:ticket.created'] });
    const notConnected = await createTrigger(solvedTrigger({ actions: [{ field: 'notification_webhook', value: [eventWebhook.id, '{}'] }] }));
    expect(notConnected.statusCode).toBe(422);
  });

  it('clears both conditions and actions when an update sends only one of them', async () => {
    const id = (await createTrigger(solvedTrigger())).json().trigger.id;
    const response = await t.app.inject({ method: 'PUT', url: `/acme/api/v2/triggers/${id}`, headers: t.headers, payload: { trigger: { conditions: solvedTrigger().conditions } } });
    expect(response.statusCode).toBe(422);
    expect(response.json().details.actions).toBeDefined();
  });
});

describe('trigger webhook delivery', () => {
  it('delivers the rendered, signed body when the conditions match', async () => {
    await createTrigger(solvedTrigger());
    const previous = sampleTicket();
    const ticket = sampleTicket({ status: 'solved', updated_at: '2024-04-17T18:05:33Z' });
    t.ctx.events.emit('ticket-change', ticketChange({ ticket, previous }));
    t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ status: 'pending' }), previous }));
    await t.dispatcher.idle();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.url).toBe('/zendesk');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      ticket_id: '35436',
      status: 'Solved',
      subject: 'Printer "on fire"',
      requester_email: 'jane@customer.test',
      tags: 'vip printer',
      updated_at: '2024-04-17T18:05Z',
    });
    const timestamp = request?.headers['x-zendesk-webhook-signature-timestamp'] as string;
    expect(request?.headers['x-zendesk-webhook-signature']).toBe(createHmac('sha256', secret).update(timestamp + request?.body).digest('base64'));
    expect(t.dispatcher.deliveries()[0]?.source).toMatchObject({ kind: 'trigger', trigger_title: 'Notify CSCX when solved' });
  });

  it('runs active triggers in position order, on Create only when asked', async () => {
    await createTrigger(solvedTrigger({ title: 'second', position: 2, conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }] }, actions: [{ field: 'notification_webhook', value: [webhookId, '{"n":"second"}'] }] }));
    await createTrigger(solvedTrigger({ title: 'first', position: 1, conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }] }, actions: [{ field: 'notification_webhook', value: [webhookId, '{"n":"first"}'] }] }));
    await createTrigger(solvedTrigger({ title: 'inactive', active: false, conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }] } }));
    t.ctx.events.emit('ticket-change', ticketChange({ kind: 'created', ticket: sampleTicket({ status: 'new' }), previous: null }));
    t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ status: 'open' }), previous: sampleTicket({ status: 'new' }) }));
    await t.dispatcher.idle();
    expect(receiver.requests.map((request) => JSON.parse(request.body).n)).toEqual(['first', 'second']);
  });

  it('skips inactive webhooks and tag conditions that do not match', async () => {
    await createTrigger(solvedTrigger({ conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'vip' }], any: [{ field: 'priority', operator: 'greater_than', value: 'normal' }] } }));
    t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ priority: 'normal' }), previous: sampleTicket() }));
    await t.dispatcher.idle();
    expect(receiver.requests).toHaveLength(0);

    t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ priority: 'urgent' }), previous: sampleTicket() }));
    await t.dispatcher.idle();
    expect(receiver.requests).toHaveLength(1);

    await t.app.inject({ method: 'PATCH', url: `/acme/api/v2/webhooks/${webhookId}`, headers: t.headers, payload: { webhook: { status: 'inactive' } } });
    t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ priority: 'urgent' }), previous: sampleTicket() }));
    await t.dispatcher.idle();
    expect(receiver.requests).toHaveLength(1);
  });
});
