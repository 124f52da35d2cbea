import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTicketEvents } from './webhook-ticket-events.ts';
import { sampleAccount, sampleTicket, startReceiver, ticketChange, webhookTestApp } from '../testing/webhook-test-fixtures.ts';

const account = sampleAccount();
const NOW = Date.parse('2024-04-17T17:20:00Z');

function eventsFor(...args: Parameters<typeof ticketChange>) {
  return buildTicketEvents(ticketChange(...args), account, NOW);
}

describe('ticket event envelopes', () => {
  it('has the envelope of the official example, with ticket detail ids as strings', () => {
    const [event, ...rest] = eventsFor({ kind: 'created', ticket: sampleTicket(), previous: null, actor_id: 200 });
    expect(rest).toEqual([]);
    // Same top-level keys as emulator/fixtures/webhook-user-event-official.json.
    const official = JSON.parse(readFileSync(new URL('../fixtures/webhook-user-event-official.json', import.meta.url), 'utf8'));
    expect(Object.keys(event ?? {}).sort()).toEqual(Object.keys(official).sort());
    expect(event).toEqual({
      type: 'zen:event-type:ticket.created',
      account_id: 88888888,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      time: '2024-04-17T17:20:00Z',
      zendesk_event_version: '2022-11-06',
      subject: 'zen:ticket:35436',
      detail: {
        actor_id: '200',
        assignee_id: '101',
        brand_id: '360001',
        created_at: '2024-04-17T17:18:10Z',
        custom_status: null,
        description: 'It burns',
        external_id: 'crm-123',
        form_id: null,
        group_id: '400',
        id: '35436',
        is_public: true,
        organization_id: '300',
        priority: 'NORMAL',
        requester_id: '200',
        status: 'OPEN',
        subject: 'Printer "on fire"',
        submitter_id: '200',
        tags: ['vip', 'printer'],
        type: 'QUESTION',
        updated_at: '2024-04-17T17:20:00Z',
        via: { channel: 'web_form' },
      },
      event: { meta: { sequence: { id: expect.stringMatching(/^[0-9A-F]{32}$/), position: 1 } } },
    });
  });

  it('emits one event per changed field, sharing a sequence id, with uppercase status and priority', () => {
    const previous = sampleTicket();
    const ticket = sampleTicket({
      status: 'solved',
      priority: 'high',
      assignee_id: 100,
      group_id: null,
      tags: ['vip', 'escalated'],
      custom_fields: [{ id: 5001, value: 'platinum' }],
      updated_at: '2024-04-17T18:00:00Z',
    });
    const comment = { id: 77, ticket_id: ticket.id, author_id: 101, body: 'Fixed it', public: true, created_at: ticket.updated_at };
    const events = eventsFor({ ticket, previous, comment, actor_id: 101 });
    const byType = Object.fromEntries(events.map((event) => [event.type.replace('zen:event-type:ticket.', ''), event.event]));
    expect(Object.keys(byType)).toEqual([
      'status_changed',
      'priority_changed',
      'agent_assignment_changed',
      'group_assignment_changed',
      'tags_changed',
      'custom_field_changed',
      'comment_added',
    ]);
    expect(byType.status_changed).toMatchObject({ current: 'SOLVED', previous: 'OPEN' });
    expect(byType.priority_changed).toMatchObject({ current: 'HIGH', previous: 'NORMAL' });
    expect(byType.agent_assignment_changed).toMatchObject({ current: '100', previous: '101' });
    expect(byType.group_assignment_changed).toMatchObject({ current: null, previous: '400' });
    expect(byType.tags_changed).toMatchObject({ tags_added: ['escalated'], tags_removed: ['printer'] });
    expect(byType.custom_field_changed).toMatchObject({ current: { value: 'platinum' }, previous: { value: 'gold' }, custom_field: { id: '5001', type: 'text' } });
    expect(byType.comment_added).toMatchObject({ comment: { id: '77', body: 'Fixed it', is_public: true, author: { id: '101', is_staff: true, name: 'Alan Agent' } } });

    const sequenceIds = new Set(events.map((event) => (event.event.meta as { sequence: { id: string } }).sequence.id));
    expect(sequenceIds.size).toBe(1);
    expect(events.map((event) => (event.event.meta as { sequence: { position: number } }).sequence.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    expect(events.every((event) => event.detail.status === 'SOLVED' && event.detail.actor_id === '101')).toBe(true);
  });

  it('emits soft_deleted for a deleted ticket, with status DELETED', () => {
    const ticket = sampleTicket({ deleted: true });
    const [event] = eventsFor({ kind: 'deleted', ticket, previous: sampleTicket() });
    expect(event?.type).toBe('zen:event-type:ticket.soft_deleted');
    expect(event?.detail.status).toBe('DELETED');
  });

  it('maps the API channel to its via-type name', () => {
    const [event] = eventsFor({ kind: 'created', ticket: sampleTicket({ via: { channel: 'api', source: { from: {}, to: {}, rel: null } } }), previous: null });
    expect(event?.detail.via).toEqual({ channel: 'web_service' });
  });
});

describe('event-subscribed webhooks', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  it('deliver only the subscribed event types, only when active, only for their account', async () => {
    const t = await webhookTestApp();
    const receiver = await startReceiver();
    cleanups.push(() => t.close(), () => receiver.close());
    const webhook = (subscriptions: string[], status = 'active') =>
      t.createWebhook({ name: 'events', endpoint: `${receiver.url}/${subscriptions.join(',')}/${status}`, http_method: 'POST', request_format: 'json', status, subscriptions });
    await webhook(['zen:event-type:ticket.status_changed', 'zen:event-type:ticket.created']);
    await webhook(['zen:event-type:ticket.tags_changed']);
    await webhook(['zen:event-type:ticket.status_changed'], 'inactive');
    await webhook(['conditional_ticket_events']);

    t.ctx.events.emit('ticket-change', ticketChange({ ticket: sampleTicket({ status: 'pending' }), previous: sampleTicket() }));
    t.ctx.events.emit('ticket-change', ticketChange({ subdomain: 'globex', ticket: sampleTicket({ status: 'pending' }), previous: sampleTicket() }));
    await t.dispatcher.idle();
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]?.body ?? '{}');
    expect(body).toMatchObject({ type: 'zen:event-type:ticket.status_changed', event: { current: 'PENDING', previous: 'OPEN' } });
    expect(t.dispatcher.deliveries()[0]).toMatchObject({ source: { kind: 'event', event_type: 'zen:event-type:ticket.status_changed', event_id: body.id }, status: 'success', status_code: 200 });
  });
});
