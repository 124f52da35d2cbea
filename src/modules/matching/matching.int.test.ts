/**
 * Matching on emulator data: each rule, their order, free-mail and ambiguous domains, parent
 * domains, re-matching after a mapping change, new tickets matched as they sync, and the
 * unmatched queue with suggestions. The expectations come from a plain model of the rules over
 * the emulator's own records.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import { createManualClock, type ManualClock } from '../../../emulator/testing/manual-clock.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { emulatorApi } from '../ingest/sync-test-helpers.ts';
import { utcDay } from '../metrics/metrics.service.ts';
import { runSync } from '../ingest/sync.service.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';

const API_TOKEN = 'matching-token';
const CUSTOMER_FIELD = 360000000001;

describe('matching tickets to customers (emulator data)', () => {
  let zendesk: RunningEmulator;
  let clock: ManualClock;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let adminKey: string;
  let connectionId: string;
  const customers: Record<string, string> = {};

  const account = () => zendesk.store.state('acme')!.account;
  const put = (mappings: unknown[]) =>
    app.inject({ method: 'PUT', url: '/api/integrations/zendesk/mapping', headers: { authorization: `Bearer ${adminKey}` }, payload: { mappings } });
  const stored = async () =>
    new Map(
      (
        await deps.db.query<{ zendesk_ticket_id: number; customer_id: string | null; match_method: string | null }>(
          'SELECT zendesk_ticket_id, customer_id, match_method FROM zendesk_tickets WHERE connection_id = $1',
          [connectionId],
        )
      ).rows.map((r) => [r.zendesk_ticket_id, { customerId: r.customer_id, method: r.match_method }]),
    );
  const addCustomer = async (key: string, name: string, domains: string[], externalId: string | null = null) => {
    customers[key] = (await deps.db.query<{ id: string }>('INSERT INTO customers (name, domains, external_id) VALUES ($1, $2, $3) RETURNING id', [name, domains, externalId])).rows[0]!.id;
  };

  /** The rules, written plainly over the emulator's records: the oracle. */
  function expected(state: {
    orgMappings: Map<number, string>;
    fieldRule: { fieldId: number; matchOn: 'external_id' } | null;
    customerDomains: Array<{ id: string; domains: string[]; externalId: string | null }>;
    freeMail: string[];
  }) {
    const owners = new Map<string, Set<string>>();
    for (const c of state.customerDomains) for (const d of c.domains) owners.set(d, new Set([...(owners.get(d) ?? []), c.id]));
    const owner = (domain: string): string | null => {
      if (state.freeMail.includes(domain)) return null;
      const labels = domain.split('.');
      for (let i = 0; i < labels.length - 1; i += 1) {
        const ids = owners.get(labels.slice(i).join('.'));
        if (ids && ids.size === 1) return [...ids][0]!;
      }
      return null;
    };
    const result = new Map<number, { customerId: string | null; method: string | null }>();
    for (const ticket of account().tickets.values()) {
      let hit: { customerId: string | null; method: string | null } = { customerId: null, method: null };
      const org = ticket.organization_id === null ? undefined : account().organizations.get(ticket.organization_id);
      const email = account().users.get(ticket.requester_id)?.email ?? '';
      const fieldValue = ticket.custom_fields.find((f) => f.id === state.fieldRule?.fieldId)?.value;
      const byField = state.fieldRule && typeof fieldValue === 'string' ? state.customerDomains.filter((c) => c.externalId?.toLowerCase() === fieldValue.toLowerCase()) : [];
      const orgOwners = new Set((org?.domain_names ?? []).map(owner).filter((id): id is string => id !== null));
      if (org && state.orgMappings.has(org.id)) hit = { customerId: state.orgMappings.get(org.id)!, method: 'organization' };
      else if (byField.length === 1) hit = { customerId: byField[0]!.id, method: 'custom_field' };
      else if (email.includes('@') && owner(email.split('@')[1]!.toLowerCase())) hit = { customerId: owner(email.split('@')[1]!.toLowerCase()), method: 'email_domain' };
      else if (orgOwners.size === 1) hit = { customerId: [...orgOwners][0]!, method: 'organization_domain' };
      result.set(ticket.id, hit);
    }
    return result;
  }

  beforeAll(async () => {
    clock = createManualClock(Date.now());
    zendesk = await startEmulator({ port: 0, tickets: 600, users: 120, organizations: 6, apiToken: API_TOKEN, clock, seed: 5 });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 't')).key;
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
    // A requester on a subdomain of a customer's domain, and one on free mail in a mapped-by-domain org.
    for (const [email, subject] of [
      ['pat@eu.acmeindustries.com', 'From a subsidiary'],
      ['sam@gmail.com', 'From free mail'],
    ]) {
      const response = await emulatorApi(zendesk, API_TOKEN)('POST', '/tickets', { ticket: { subject, comment: { body: 'hi' }, requester: { name: 'R', email } } });
      expect(response.status).toBe(201);
    }
    clock.advance(61_000);
    expect((await runSync(deps, connectionId)).outcome).toBe('synced');
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  it('leaves every ticket unmatched, stored and counted, while there are no customers', async () => {
    const all = await stored();
    expect(all.size).toBe(account().tickets.size);
    expect([...all.values()].every((t) => t.customerId === null)).toBe(true);
  });

  it('matches by email domain (parent domains too), never by free mail or an ambiguous domain, and by organization domain after that', async () => {
    await addCustomer('acme', 'Acme Industries', ['acmeindustries.com'], 'cust_100001');
    await addCustomer('initech', 'Initech', ['initechindustries.com'], 'cust_100002');
    await addCustomer('free', 'Free-mail Co', ['gmail.com', 'outlook.com']); // never evidence
    await addCustomer('hooli1', 'Hooli', ['hooliindustries.com']);
    await addCustomer('hooli2', 'Hooli Duplicate', ['hooliindustries.com']); // ambiguous: nobody
    await addCustomer('vandelay', 'Vandelay', ['vandelay-industries.io']);
    await addCustomer('globex', 'Globex', []);
    await addCustomer('umbrella', 'Umbrella', []);
    // Domain mappings through the API re-match at once.
    const response = await put([
      { kind: 'domain', domain: 'globexindustries.com', customerId: customers.globex },
      { kind: 'domain', domain: '@UmbrellaIndustries.com', customerId: customers.umbrella },
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.json().affectedCustomerIds).toEqual(expect.arrayContaining([customers.globex, customers.umbrella]));
    const all = await stored();
    const model = expected({ orgMappings: new Map(), fieldRule: null, customerDomains: await customerDomains(), freeMail: deps.config.FREE_MAIL_DOMAINS });
    expect(diff(all, model)).toEqual([]);
    const methods = new Set([...all.values()].map((t) => t.method));
    expect(methods).toEqual(new Set([null, 'email_domain', 'organization_domain']));
    const subsidiary = [...account().tickets.values()].find((t) => t.subject === 'From a subsidiary')!;
    expect(all.get(subsidiary.id)).toEqual({ customerId: customers.acme, method: 'email_domain' });
    const freeMail = [...account().tickets.values()].find((t) => t.subject === 'From free mail')!;
    expect(all.get(freeMail.id)?.customerId ?? null).not.toBe(customers.free);
    expect([...all.values()].some((t) => t.customerId === customers.hooli1 || t.customerId === customers.hooli2)).toBe(false);
  });

  it('puts a custom-field rule before domains and an organization mapping before everything, re-matching affected tickets at once', async () => {
    const field = await put([{ kind: 'custom_field', subdomain: 'acme', fieldId: CUSTOMER_FIELD, matchOn: 'external_id' }]);
    expect(field.statusCode).toBe(200);
    expect(field.json().ticketsRematched).toBeGreaterThan(0);
    const vandelayOrg = [...account().organizations.values()].find((o) => o.name.startsWith('Vandelay'))!;
    const initechOrg = [...account().organizations.values()].find((o) => o.name.startsWith('Initech'))!;
    const org = await put([
      { kind: 'organization', subdomain: 'acme', zendeskOrganizationId: vandelayOrg.id, customerId: customers.acme },
      { kind: 'organization', subdomain: 'acme', zendeskOrganizationId: initechOrg.id, customerId: customers.vandelay },
    ]);
    expect(org.statusCode).toBe(200);
    expect(org.json().affectedCustomerIds).toEqual(expect.arrayContaining([customers.acme, customers.vandelay]));
    const model = expected({
      orgMappings: new Map([
        [vandelayOrg.id, customers.acme!],
        [initechOrg.id, customers.vandelay!],
      ]),
      fieldRule: { fieldId: CUSTOMER_FIELD, matchOn: 'external_id' },
      customerDomains: await customerDomains(),
      freeMail: deps.config.FREE_MAIL_DOMAINS,
    });
    const all = await stored();
    expect(diff(all, model)).toEqual([]);
    const methods = new Set([...all.values()].map((t) => t.method));
    expect(methods.has('organization') && methods.has('custom_field') && methods.has('email_domain')).toBe(true);

    // Removing the organization mapping moves those tickets back to what the other rules say.
    await put([{ kind: 'organization', subdomain: 'acme', zendeskOrganizationId: initechOrg.id, customerId: null }]);
    const after = await stored();
    const modelAfter = expected({
      orgMappings: new Map([[vandelayOrg.id, customers.acme!]]),
      fieldRule: { fieldId: CUSTOMER_FIELD, matchOn: 'external_id' },
      customerDomains: await customerDomains(),
      freeMail: deps.config.FREE_MAIL_DOMAINS,
    });
    expect(diff(after, modelAfter)).toEqual([]);
    const initechTickets = [...account().tickets.values()].filter((t) => t.organization_id === initechOrg.id).map((t) => after.get(t.id)?.customerId);
    expect(initechTickets).toContain(customers.initech);
    expect(initechTickets).not.toContain(customers.vandelay);
  });

  it('matches a new ticket as it syncs', async () => {
    const response = await emulatorApi(zendesk, API_TOKEN)('POST', '/tickets', {
      ticket: { subject: 'Brand new', comment: { body: 'hi' }, requester: { name: 'N', email: 'new.person@globexindustries.com' } },
    });
    const { ticket } = response.body as { ticket: { id: number } };
    clock.advance(61_000);
    await runSync(deps, connectionId);
    expect((await stored()).get(ticket.id)?.method).toBe('email_domain');
  });

  it('re-matches when customers are imported with new domains', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { customers: [{ externalId: 'studio-1', name: 'Freelance Studio', domains: ['freelance-studio.io'] }] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().ticketsRematched).toBeGreaterThan(0);
    const studioId = response.json().customers[0].id;
    const studioTickets = [...account().tickets.values()].filter((t) => account().users.get(t.requester_id)?.email?.endsWith('@freelance-studio.io'));
    expect(studioTickets.length).toBeGreaterThan(0);
    const all = await stored();
    for (const ticket of studioTickets) {
      const got = all.get(ticket.id)!;
      if (got.method === 'email_domain') expect(got.customerId).toBe(studioId);
    }
    expect(studioTickets.some((t) => all.get(t.id)?.customerId === studioId)).toBe(true);
    // Its derived data followed: today's metrics row counts the tickets it just gained.
    const open = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_tickets WHERE customer_id = $1 AND status IN ('new', 'open', 'pending', 'hold')`, [studioId]);
    const metrics = await deps.db.query<{ open_tickets: number }>('SELECT open_tickets FROM zendesk_metrics WHERE customer_id = $1 AND metric_date = $2', [studioId, utcDay(new Date())]);
    expect(metrics.rows[0]?.open_tickets).toBe(open.rows[0]?.n);
  });

  it('refuses bad mappings with the reason, changing nothing', async () => {
    const before = await stored();
    const cases: Array<[unknown[], RegExp]> = [
      [[{ kind: 'domain', domain: 'acmeindustries.com', customerId: customers.initech }], /mappings\[1\]\.domain: acmeindustries\.com is already mapped to Acme Industries/],
      [[{ kind: 'domain', domain: 'gmail.com', customerId: customers.initech }], /free-mail domain/],
      [[{ kind: 'domain', domain: 'not a domain', customerId: customers.initech }], /is not a domain name/],
      [[{ kind: 'organization', subdomain: 'nosuch', zendeskOrganizationId: 1, customerId: customers.acme }], /nosuch is not a connected Zendesk subdomain/],
      [[{ kind: 'organization', subdomain: 'acme', zendeskOrganizationId: 42, customerId: customers.acme }], /acme has no organization 42/],
      [[{ kind: 'domain', domain: 'new.example', customerId: '00000000-0000-4000-8000-000000000000' }], /there is no customer/],
      [[{ kind: 'teleport' }], /must be "organization", "domain" or "custom_field"/],
    ];
    for (const [mappings, message] of cases) {
      const response = await put([{ kind: 'domain', domain: 'fine-but-rolled-back.com', customerId: customers.acme }, ...mappings]);
      expect(response.statusCode, JSON.stringify(mappings)).toBe(400);
      expect(response.json().error.message).toMatch(message);
    }
    expect(await stored()).toEqual(before);
    const domains = await customerDomains();
    expect(domains.some((c) => c.domains.includes('fine-but-rolled-back.com'))).toBe(false);
  });

  it('lists unmatched tickets grouped by organization and requester domain, with suggested customers', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/integrations/zendesk/unmatched', headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const unmatched = [...(await stored()).entries()].filter(([id, t]) => t.customerId === null && !account().tickets.get(id)!.deleted);
    expect(body.total).toBe(unmatched.length);
    const hooli = body.byOrganization.find((g: { name: string }) => g.name === 'Hooli Industries');
    expect(hooli.tickets).toBeGreaterThan(0);
    expect(hooli.suggestions.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['Hooli']));
    const gmail = body.byRequesterDomain.find((g: { domain: string }) => g.domain === 'gmail.com');
    if (gmail) expect(gmail).toMatchObject({ freeMail: true, suggestions: [] });
    const sum = body.byRequesterDomain.reduce((n: number, g: { tickets: number }) => n + g.tickets, 0) + body.withoutOrganizationOrEmail;
    expect(sum).toBeLessThanOrEqual(body.total);
  });

  async function customerDomains() {
    return (await deps.db.query<{ id: string; domains: string[]; external_id: string | null }>('SELECT id, domains, external_id FROM customers')).rows.map((r) => ({
      id: r.id,
      domains: r.domains,
      externalId: r.external_id,
    }));
  }

  function diff(actual: Map<number, { customerId: string | null; method: string | null }>, model: Map<number, { customerId: string | null; method: string | null }>): string[] {
    const problems: string[] = [];
    for (const [id, want] of model) {
      const got = actual.get(id);
      if (got?.customerId !== want.customerId || got?.method !== want.method) problems.push(`ticket ${id}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
    return problems;
  }
});
