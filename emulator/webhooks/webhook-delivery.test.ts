import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketStatus } from '../contract.ts';
import { DeliveryLog } from './webhook-delivery-log.ts';
import { WebhookDeliverer, type DeliveryRequest } from './webhook-delivery.ts';
import { parseRetryAfter, retryDelaySeconds } from './webhook-retry-policy.ts';
import { signWebhookRequest } from './webhook-signing.ts';
import { fakeClock, sampleTicket, startReceiver, ticketChange, webhookTestApp, type ReceiverReply, type RecordedRequest } from '../testing/webhook-test-fixtures.ts';

type TestApp = Awaited<ReturnType<typeof webhookTestApp>>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** An app, a receiver answering with `respond`, and an event webhook pointing at it. */
async function setup(respond?: (request: RecordedRequest, index: number) => ReceiverReply, options: Parameters<typeof webhookTestApp>[0] = {}, webhook: Record<string, unknown> = {}) {
  const t = await webhookTestApp(options);
  const receiver = await startReceiver(respond);
  cleanups.push(() => t.close(), () => receiver.close());
  const created = await t.createWebhook({
    name: 'events',
    endpoint: `${receiver.url}/events`,
    http_method: 'POST',
    request_format: 'json',
    status: 'active',
    subscriptions: ['zen:event-type:ticket.status_changed'],
    ...webhook,
  });
  return { t, receiver, ...created };
}

let nextTicketId = 1000;
/** Emits one status change (one `ticket.status_changed` event). */
function emitStatusChange(t: TestApp, from: TicketStatus = 'open', to: TicketStatus = 'solved') {
  const id = nextTicketId++;
  t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ id, status: to }), previous: sampleTicket({ id, status: from }) }));
  return id;
}

function ticketIdOf(request: RecordedRequest | undefined): string {
  return JSON.parse(request?.body ?? '{}').detail.id;
}

describe('signing', () => {
  it('signs base64(HMAC-SHA256(secret as-is, timestamp + body)) with Zendesk headers', async () => {
    const { t, receiver, id, secret } = await setup();
    emitStatusChange(t);
    await t.dispatcher.idle();
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('Zendesk Webhook');
    expect(request?.headers['x-zendesk-webhook-id']).toBe(id);
    expect(request?.headers['x-zendesk-webhook-invocation-id']).toMatch(/^[0-9A-Z]{26}$/);
    const timestamp = request?.headers['x-zendesk-webhook-signature-timestamp'] as string;
    expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Verified independently, from the documented formula.
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(timestamp + (request?.body ?? ''))
      .digest('base64');
    expect(request?.headers['x-zendesk-webhook-signature']).toBe(expected);
  });

  it('uses the secret bytes as-is: reproduces the documented worked example', () => {
    // developer.zendesk.com/documentation/event-connectors/webhooks/verifying: that page's example
    // concatenates body then timestamp; with the key not base64-decoded it verifies exactly.
    const secret = 'HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=';
    const body = '{"say": "hello"}';
    const timestamp = '2021-07-25T10:00:00Z';
    expect(signWebhookRequest(secret, body, timestamp)).toBe('tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=');
    expect(signWebhookRequest(secret, timestamp, body)).toBe(createHmac('sha256', secret).update(timestamp + body).digest('base64'));
  });
});

describe('webhook authentication', () => {
  const cases: Array<[string, Record<string, unknown>, (request: RecordedRequest) => void]> = [
    ['basic_auth', { type: 'basic_auth', add_position: 'header', data: { username: 'u', password: 'p' } }, (r) => expect(r.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`)],
    ['bearer_token', { type: 'bearer_token', add_position: 'header', data: { token: 'tok' } }, (r) => expect(r.headers.authorization).toBe('Bearer tok')],
    ['api_key', { type: 'api_key', add_position: 'header', data: { name: 'X-Api-Key', value: 'key-1' } }, (r) => expect(r.headers['x-api-key']).toBe('key-1')],
  ];
  for (const [name, authentication, check] of cases) {
    it(`sends ${name} credentials`, async () => {
      const { t, receiver } = await setup(undefined, {}, { authentication });
      emitStatusChange(t);
      await t.dispatcher.idle();
      check(receiver.requests[0] as RecordedRequest);
    });
  }
});

describe('retries', () => {
  async function attemptsFor(respond: (request: RecordedRequest, index: number) => ReceiverReply, msPerSecond = 20) {
    const { t, receiver } = await setup(respond, { msPerSecond });
    emitStatusChange(t);
    await t.dispatcher.idle();
    return { count: receiver.requests.length, log: t.dispatcher.deliveries(), receiver };
  }

  it('retries 409 up to 3 times', async () => {
    const { count, log } = await attemptsFor(() => ({ status: 409 }));
    expect(count).toBe(4);
    expect(log.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(log.map((entry) => entry.invocation_id)).size).toBe(1);
  });

  it('retries 429 and 503 only with a Retry-After under 60 seconds', async () => {
    expect((await attemptsFor((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }))).count).toBe(2);
    expect((await attemptsFor(() => ({ status: 429 }))).count).toBe(1);
    expect((await attemptsFor(() => ({ status: 503, headers: { 'retry-after': '60' } }))).count).toBe(1);
    expect((await attemptsFor(() => ({ status: 503, headers: { 'retry-after': '1' } }))).count).toBe(4);
  });

  it('does not retry other statuses', async () => {
    const { count, log } = await attemptsFor(() => ({ status: 500 }));
    expect(count).toBe(1);
    expect(log[0]).toMatchObject({ status: 'failed', status_code: 500, error: 'HTTP 500', retry_in_seconds: null });
  });

  it('times out after 12 seconds and retries timeouts up to 5 times', async () => {
    const { count, log } = await attemptsFor(() => 'hang', 10);
    expect(count).toBe(6);
    expect(log.every((entry) => entry.status === 'timeout' && entry.status_code === 504 && entry.error === 'Failed: 504 Gateway Timeout')).toBe(true);
  });

  it('follows the documented rules as a table', () => {
    const response = (status: number, retryAfterSeconds: number | null = null) => ({ kind: 'response' as const, status, retryAfterSeconds });
    expect(retryDelaySeconds(response(200), 1)).toBeNull();
    expect(retryDelaySeconds(response(409), 3)).not.toBeNull();
    expect(retryDelaySeconds(response(409), 4)).toBeNull();
    expect(retryDelaySeconds(response(429, 59), 1)).toBe(59);
    expect(retryDelaySeconds(response(429, 60), 1)).toBeNull();
    expect(retryDelaySeconds({ kind: 'timeout' }, 5)).not.toBeNull();
    expect(retryDelaySeconds({ kind: 'timeout' }, 6)).toBeNull();
    expect(retryDelaySeconds({ kind: 'network-error', message: 'ECONNREFUSED' }, 1)).toBeNull();
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThan(25);
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('delivery faults', () => {
  it('drops, duplicates and reorders when told to at PUT /_emulator/webhook-faults', async () => {
    const { t, receiver, id } = await setup();
    const bad = await t.app.inject({ method: 'PUT', url: '/_emulator/webhook-faults', payload: { drop: 2 } });
    expect(bad.statusCode).toBe(400);

    await t.app.inject({ method: 'PUT', url: '/_emulator/webhook-faults', payload: { drop: 1, duplicate: 0, reorder: 0 } });
    emitStatusChange(t);
    await t.dispatcher.idle();
    expect(receiver.requests).toHaveLength(0);
    expect(t.dispatcher.deliveries().at(-1)?.status).toBe('dropped');

    await t.app.inject({ method: 'PUT', url: '/_emulator/webhook-faults', payload: { drop: 0, duplicate: 1 } });
    emitStatusChange(t);
    await t.dispatcher.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]?.body).toBe(receiver.requests[1]?.body);
    expect(receiver.requests[0]?.headers['x-zendesk-webhook-invocation-id']).not.toBe(receiver.requests[1]?.headers['x-zendesk-webhook-invocation-id']);

    receiver.requests.length = 0;
    await t.app.inject({ method: 'PUT', url: '/_emulator/webhook-faults', payload: { duplicate: 0, reorder: 1 } });
    const first = emitStatusChange(t);
    const second = emitStatusChange(t);
    await t.dispatcher.idle();
    expect(receiver.requests.map(ticketIdOf)).toEqual([String(second), String(first)]);
    const log = await t.app.inject({ method: 'GET', url: `/_emulator/webhook-deliveries?webhook_id=${id}` });
    expect((log.json().deliveries as Array<{ reordered: boolean }>).filter((entry) => entry.reordered)).toHaveLength(1);
  });

  it('keeps order without faults', async () => {
    const { t, receiver } = await setup();
    const ids = [emitStatusChange(t), emitStatusChange(t), emitStatusChange(t), emitStatusChange(t)];
    await t.dispatcher.idle();
    expect(receiver.requests.map(ticketIdOf)).toEqual(ids.map(String));
  });

  it('applies the configured shares, reproducibly for a seed', async () => {
    const run = async (seed: number) => {
      const clock = fakeClock({ msPerSecond: 1 });
      const log = new DeliveryLog();
      let sent = 0;
      const fakeFetch = (async () => {
        sent++;
        return new Response('ok', { status: 200 });
      }) as typeof fetch;
      let invocation = 0;
      const deliverer = new WebhookDeliverer({ clock, log, faults: { drop: 0.25, duplicate: 0.1, reorder: 0.1 }, seed, newInvocationId: () => String(invocation++), fetch: fakeFetch });
      const request: DeliveryRequest = {
        target: { id: 'W', subdomain: 'acme', endpoint: 'http://127.0.0.1:1/x', http_method: 'POST', request_format: 'json', authentication: null, custom_headers: null },
        secret: 's',
        body: '{}',
        query: [],
        source: { kind: 'test' },
      };
      for (let i = 0; i < 1000; i++) deliverer.enqueue(request);
      await deliverer.idle();
      await deliverer.close();
      const entries = log.list();
      return { sent, dropped: entries.filter((e) => e.status === 'dropped').length, duplicates: entries.filter((e) => e.duplicate).length, reordered: entries.filter((e) => e.reordered && !e.duplicate).length };
    };
    const a = await run(42);
    const b = await run(42);
    expect(a).toEqual(b);
    expect(a.dropped).toBeGreaterThan(180);
    expect(a.dropped).toBeLessThan(320);
    expect(a.duplicates).toBeGreaterThan(40);
    expect(a.duplicates).toBeLessThan(120);
    expect(a.reordered).toBeGreaterThan(30);
    expect(a.reordered).toBeLessThan(120);
    expect(a.sent).toBe(1000 - a.dropped + a.duplicates);
    expect(await run(7)).not.toEqual(a);
  });
});
