/**
 * Contract tests: every documented response example in ./fixtures (the OAS examples and
 * documented pages; sources in fixtures/README.md) must be matched by the emulator: same keys,
 * and the same value types wherever both sides have a value.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEmulator, testEmulator } from './testing/test-emulator.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

function fixture(name: string): Doc {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

function kind(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/**
 * Objects whose keys are not fixed by the API, only their type: custom field maps keyed by each
 * account's own fields, and `satisfaction_rating` ("the satisfaction rating of the ticket, if it
 * exists, or the state of satisfaction, 'offered' or 'unoffered'", OAS TicketObject).
 */
const FREE_FORM = new Set(['organization_fields', 'user_fields', 'satisfaction_rating']);

/** Lists where `ours` lacks a documented key or has another type (nulls on either side are allowed). */
function shapeDifferences(ours: unknown, documented: unknown, path = '$'): string[] {
  if (documented === null || ours === null || ours === undefined) return ours === undefined ? [`${path}: missing`] : [];
  if (kind(ours) !== kind(documented)) return [`${path}: ${kind(ours)} instead of ${kind(documented)}`];
  if (FREE_FORM.has(path.split('.').pop() ?? '')) return [];
  if (Array.isArray(documented) && Array.isArray(ours)) {
    return documented.length > 0 && ours.length > 0 ? shapeDifferences(ours[0], documented[0], `${path}[0]`) : [];
  }
  if (typeof documented === 'object') {
    return Object.entries(documented as Record<string, unknown>).flatMap(([key, value]) =>
      key in (ours as object) ? shapeDifferences((ours as Record<string, unknown>)[key], value, `${path}.${key}`) : [`${path}.${key}: missing`],
    );
  }
  return [];
}

describe('responses match the documented examples', () => {
  let t: TestEmulator;
  let ratedTicketId: number;
  let organizationId: number;

  beforeAll(async () => {
    t = await testEmulator();
    const state = t.state();
    const rating = [...state.account.satisfaction_ratings.values()].find(
      (r) => r.score === 'good' && r.comment && !state.account.tickets.get(r.ticket_id)?.deleted,
    );
    ratedTicketId = rating!.ticket_id;
    organizationId = state.account.tickets.get(ratedTicketId)!.organization_id ?? [...state.account.organizations.keys()][0]!;
  });
  afterAll(() => t.emulator.close());

  it('ticket show: every key of the OAS TicketObject example (oas-ticket-show.json)', async () => {
    const response = await t.request('GET', `/acme/api/v2/tickets/${ratedTicketId}.json`);
    expect(response.status).toBe(200);
    expect(shapeDifferences(response.json, fixture('oas-ticket-show.json'))).toEqual([]);
    // A rated ticket shows the rating as documented: {comment, id, score}.
    const documentedRating = fixture('oas-ticket-show.json').ticket.satisfaction_rating;
    expect(Object.keys(response.json.ticket.satisfaction_rating)).toEqual(expect.arrayContaining(Object.keys(documentedRating)));
    expect(shapeDifferences(response.json.ticket.satisfaction_rating, documentedRating)).toEqual([]);
  });

  it('ticket list (oas-tickets-list-response.json) and organization tickets (organization-tickets-response.json)', async () => {
    const list = await t.request('GET', '/acme/api/v2/tickets.json');
    expect(shapeDifferences(list.json, fixture('oas-tickets-list-response.json'))).toEqual([]);
    const byOrg = await t.request('GET', `/acme/api/v2/organizations/${organizationId}/tickets.json`);
    expect(byOrg.json.tickets.length).toBeGreaterThan(0);
    expect(shapeDifferences(byOrg.json, fixture('organization-tickets-response.json'))).toEqual([]);
  });

  it('cursor pagination: the keys of the documented meta and links', async () => {
    const documented = fixture('cursor-pagination-docs-example.json');
    const response = await t.request('GET', '/acme/api/v2/tickets.json?page[size]=2');
    expect(Object.keys(response.json).sort()).toEqual(Object.keys(documented).sort());
    expect(Object.keys(response.json.meta).sort()).toEqual(Object.keys(documented.meta).sort());
    expect(Object.keys(response.json.links).sort()).toEqual(Object.keys(documented.links).sort());
    expect(response.json.links.next).toMatch(/\/acme\/api\/v2\/tickets\.json\?page\[size\]=2&page\[after\]=/);
    expect(shapeDifferences(response.json, documented)).toEqual([]);
  });

  it('organization show (oas-organization-show.json) and user (the OAS UserObject example)', async () => {
    const org = await t.request('GET', `/acme/api/v2/organizations/${organizationId}.json`);
    expect(shapeDifferences(org.json, fixture('oas-organization-show.json'))).toEqual([]);
    const userExample = fixture('oas-incremental-users-cursor-page.json').users[0];
    const user = await t.request('GET', `/acme/api/v2/users/${t.state().account.admin_user_id}.json`);
    expect(shapeDifferences(user.json.user, userExample)).toEqual([]);
    expect(shapeDifferences(user.json, fixture('oas-user-show.json'))).toEqual([]);
  });

  it('satisfaction ratings: list and show', async () => {
    const list = await t.request('GET', '/acme/api/v2/satisfaction_ratings.json');
    expect(shapeDifferences(list.json, fixture('oas-satisfaction-ratings-list.json'))).toEqual([]);
    const id = list.json.satisfaction_ratings[0].id;
    const show = await t.request('GET', `/acme/api/v2/satisfaction_ratings/${id}.json`);
    expect(shapeDifferences(show.json, fixture('oas-satisfaction-rating-show.json'))).toEqual([]);
  });

  it('ticket metrics: list, show and per ticket', async () => {
    const list = await t.request('GET', '/acme/api/v2/ticket_metrics.json');
    expect(shapeDifferences(list.json, fixture('oas-ticket-metrics-list.json'))).toEqual([]);
    const show = await t.request('GET', `/acme/api/v2/ticket_metrics/${list.json.ticket_metrics[0].id}.json`);
    expect(shapeDifferences(show.json, fixture('oas-ticket-metric-show.json'))).toEqual([]);
    const byTicket = await t.request('GET', `/acme/api/v2/tickets/${ratedTicketId}/metrics.json`);
    expect(shapeDifferences(byTicket.json, fixture('oas-ticket-metric-show.json'))).toEqual([]);
  });

  it('ticket metric events export: the page and event keys', async () => {
    const page = await t.request('GET', '/acme/api/v2/incremental/ticket_metric_events.json?start_time=0');
    expect(shapeDifferences(page.json, fixture('oas-ticket-metric-events.json'))).toEqual([]);
  });

  it('incremental ticket exports: the cursor and time page keys, exactly', async () => {
    const cursorDoc = fixture('oas-incremental-tickets-cursor-page.json');
    const cursor = await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0');
    expect(Object.keys(cursor.json).sort()).toEqual(Object.keys(cursorDoc).sort());
    expect(shapeDifferences(cursor.json, cursorDoc)).toEqual([]);
    expect(shapeDifferences(cursor.json, fixture('airbyte-incremental-tickets-cursor-fixture.json'))).toEqual([]);
    const timeDoc = fixture('oas-incremental-tickets-time-page.json');
    const time = await t.request('GET', '/acme/api/v2/incremental/tickets.json?start_time=0');
    expect(Object.keys(time.json).sort()).toEqual(Object.keys(timeDoc).sort());
    expect(shapeDifferences(time.json, timeDoc)).toEqual([]);
  });

  it('incremental user and organization exports', async () => {
    for (const [path, name] of [
      ['users/cursor.json?start_time=0', 'oas-incremental-users-cursor-page.json'],
      ['users.json?start_time=0', 'oas-incremental-users-time-page.json'],
      ['organizations.json?start_time=0', 'oas-incremental-organizations-page.json'],
    ] as const) {
      const documented = fixture(name);
      const response = await t.request('GET', `/acme/api/v2/incremental/${path}`);
      expect(Object.keys(response.json).sort(), name).toEqual(Object.keys(documented).sort());
      expect(shapeDifferences(response.json, documented), name).toEqual([]);
    }
  });

  it('the slas side-load (ticket-with-slas.json, partly UNCONFIRMED)', async () => {
    const ticket = [...t.state().account.tickets.values()].find((x) => !x.deleted && x.sla_policy_metrics.some((m) => m.breach_at));
    const response = await t.request('GET', `/acme/api/v2/tickets/${ticket!.id}.json?include=slas`);
    const documented = fixture('ticket-with-slas.json').ticket.slas;
    expect(Object.keys(response.json.ticket.slas)).toEqual(Object.keys(documented));
    const metric = response.json.ticket.slas.policy_metrics.find((m: Doc) => m.breach_at);
    expect(['breach_at', 'stage', 'metric'].every((key) => key in metric)).toBe(true);
    expect(['days', 'hours', 'minutes'].filter((unit) => Number.isInteger(metric[unit]))).toHaveLength(1);
  });

  it('counts: {"count":{"value","refreshed_at"}}', async () => {
    const response = await t.request('GET', '/acme/api/v2/tickets/count.json');
    expect(Object.keys(response.json.count).sort()).toEqual(['refreshed_at', 'value']);
    expect(Number.isInteger(response.json.count.value)).toBe(true);
  });

  it('create and update answer {ticket, audit} (OAS TicketUpdateResponse) with Create/Change/Comment events', async () => {
    const created = await t.request('POST', '/acme/api/v2/tickets.json', {
      body: { ticket: { subject: 'My printer is on fire!', comment: { body: 'The smoke is very colorful.' }, priority: 'urgent' } },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.json).sort()).toEqual(['audit', 'ticket']);
    expect(shapeDifferences(created.json.ticket, fixture('oas-ticket-show.json').ticket)).toEqual([]);
    const types = created.json.audit.events.map((e: Doc) => e.type);
    expect(types).toContain('Comment');
    expect(types).toContain('Create');
    const updated = await t.request('PUT', `/acme/api/v2/tickets/${created.json.ticket.id}.json`, { body: { ticket: { priority: 'low' } } });
    expect(updated.json.audit.events).toContainEqual(expect.objectContaining({ type: 'Change', field_name: 'priority', value: 'low', previous_value: 'urgent' }));
  });
});
