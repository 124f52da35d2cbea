import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonStringEscape, renderPlaceholders, resolvePlaceholder, type PlaceholderContext } from './trigger-placeholders.ts';
import { renderTriggerRequest } from './trigger-webhook-request.ts';
import { sampleAccount, sampleTicket } from '../testing/webhook-test-fixtures.ts';

const account = sampleAccount();
const context: PlaceholderContext = {
  account,
  ticket: sampleTicket({ priority: 'high', status: 'hold' }),
  actorId: 101,
  comment: { id: 9, ticket_id: 35436, author_id: 101, body: 'We are on it.\nHang "tight"', public: true, created_at: '2024-04-17T17:20:00Z' },
  baseUrl: 'http://127.0.0.1:4010/acme',
};

describe('placeholders', () => {
  it('renders the documented ticket placeholders', () => {
    const values: Record<string, string> = {
      'ticket.id': '35436',
      'ticket.title': 'Printer "on fire"',
      'ticket.status': 'On-hold',
      'ticket.priority': 'High',
      'ticket.ticket_type': 'Question',
      'ticket.url': '127.0.0.1:4010/acme/agent/tickets/35436',
      'ticket.url_with_protocol': 'http://127.0.0.1:4010/acme/agent/tickets/35436',
      'ticket.link': 'http://127.0.0.1:4010/acme/agent/tickets/35436',
      'ticket.requester.email': 'jane@customer.test',
      'ticket.requester.name': 'Jane Doe',
      'ticket.requester.first_name': 'Jane',
      'ticket.assignee.email': 'agent@acme.test',
      'ticket.organization.id': '300',
      'ticket.organization.name': 'Customer Inc',
      'ticket.updated_at_with_timestamp': '2024-04-17T17:20Z',
      'ticket.created_at_with_timestamp': '2024-04-17T17:18Z',
      'ticket.updated_at': 'April 17, 2024',
      'ticket.tags': 'vip printer',
      'ticket.external_id': 'crm-123',
      'ticket.via': 'Web Form',
      'ticket.ticket_field_5001': 'gold',
      'ticket.latest_comment': 'We are on it.\nHang "tight"',
      'ticket.latest_comment.author.name': 'Alan Agent',
      'current_user.email': 'agent@acme.test',
      'current_user.id': '101',
    };
    for (const [path, expected] of Object.entries(values)) expect(resolvePlaceholder(path, context), path).toBe(expected);
  });

  it('renders missing values and unknown placeholders as empty', () => {
    const bare = { ...context, ticket: sampleTicket({ organization_id: null, assignee_id: null, priority: null, external_id: null }) };
    expect(renderPlaceholders('[{{ticket.organization.id}}|{{ticket.assignee.email}}|{{ticket.priority}}|{{ticket.external_id}}|{{ticket.nope}}]', bare)).toBe('[||||]');
  });

  it('JSON-escapes values inside a JSON body (emulator/fixtures/webhook-trigger-json-body-template.json)', () => {
    const template = readFileSync(new URL('../fixtures/webhook-trigger-json-body-template.json', import.meta.url), 'utf8');
    const { body } = renderTriggerRequest({ http_method: 'POST', request_format: 'json' }, template, context);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({
      ticket_id: '35436',
      status: 'On-hold',
      priority: 'High',
      subject: 'Printer "on fire"',
      requester_email: 'jane@customer.test',
      organization_id: '300',
      updated_at: '2024-04-17T17:20Z',
      url: '127.0.0.1:4010/acme/agent/tickets/35436',
    });
    expect(jsonStringEscape('a"b\\c\n')).toBe('a\\"b\\\\c\\n');
    expect(JSON.parse(renderTriggerRequest({ http_method: 'POST', request_format: 'json' }, '{"c":"{{ticket.latest_comment}}"}', context).body).c).toBe('We are on it.\nHang "tight"');
  });

  it('sends key/value templates as URL parameters for GET and as a form for form_encoded', () => {
    const pairs = '[["ticket_id","{{ticket.id}}"],["status","{{ticket.status}}"]]';
    expect(renderTriggerRequest({ http_method: 'GET', request_format: 'json' }, pairs, context)).toEqual({
      body: '',
      query: [
        ['ticket_id', '35436'],
        ['status', 'On-hold'],
      ],
    });
    expect(renderTriggerRequest({ http_method: 'POST', request_format: 'form_encoded' }, pairs, context).body).toBe('ticket_id=35436&status=On-hold');
    expect(renderTriggerRequest({ http_method: 'POST', request_format: 'xml' }, '<t>{{ticket.title}}</t>', context).body).toBe('<t>Printer &quot;on fire&quot;</t>');
  });
});
