/**
 * Property-based fuzzing (fast-check) of the webhook intake and of every JSON write API (each POST
 * and PUT route the app has): random and mutated payloads never get a 500, and an answer of 4xx
 * leaves every table exactly as it was (nothing written partially). A few hundred runs in all.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/app.ts';
import type { Deps } from '../deps.ts';
import { webhookSecretContext } from '../modules/connections/sealed-columns.ts';
import { createApiKey, createUser } from '../modules/users/auth.service.ts';
import { createTestDeps } from '../test-deps.ts';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../zendesk/webhook-signature.ts';
import { buildApp } from './app.ts';

const WEBHOOK_SECRET = 'fuzz-signing-secret';
const WEBHOOK_URL = '/api/integrations/zendesk/webhook';

/** Field names our APIs and Zendesk's payloads use: mutations put random values under real keys. */
const KEYS = [
  'customers', 'externalId', 'name', 'domains', 'csmEmail', 'baseHealthScore', 'mappings', 'kind', 'subdomain', 'zendeskOrganizationId',
  'customerId', 'domain', 'fieldId', 'matchOn', 'method', 'email', 'apiToken', 'password', 'full', 'body', 'weights', 'openTickets',
  'escalations', 'csat', 'slaCompliance', 'supportComponent', 'subscriptions', 'type', 'enabled', 'url', 'message', 'question', 'rule',
  'tags', 'priority', 'id', 'ticket_id', 'subject', 'detail', 'event', 'time', 'account_id', 'status', 'updated_at', '__proto__', 'constructor',
  'ticketSpike', 'negativeCsat', 'maxScore',
];

const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string().map((text) => `${text}\u0000${text}`),
  fc.constantFrom('', ' ', '\u0000', 'acme', 'admin@example.com', 'not-an-email', 'zen:ticket:1', 'zen:event-type:ticket.status_changed', 'https://example.com/hook', 'javascript:alert(1)', "'; DROP TABLE customers; --", '00000000-0000-4000-8000-000000000000', 'a'.repeat(5000)),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 53, 1e308, -0, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), tie('value'), { maxKeys: 5 }),
})).value;

/** A body: JSON built around our keys, any JSON, or bytes that are not JSON at all. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 }).map((object) => JSON.stringify(object)) },
  { weight: 2, arbitrary: fc.jsonValue().map((json) => JSON.stringify(json)) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', 'null', '{"a":1}{', '{"__proto__":{"polluted":true}}', '\u0000') },
);

/** Deliveries that are almost right: our trigger's body or a Zendesk ticket event, with fields mutated. */
const webhookBody = fc
  .tuple(
    fc.oneof(
      fc
        .record({
          source: fc.oneof({ weight: 4, arbitrary: fc.constant('cscx-zendesk-trigger') }, { weight: 1, arbitrary: value }),
          ticket_id: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 10_000 }) }, { weight: 1, arbitrary: value }),
          status: value,
        })
        .map((b) => b as Record<string, unknown>),
      fc
        .record({
          id: fc.oneof(fc.uuid(), value),
          type: fc.oneof(fc.constantFrom('zen:event-type:ticket.status_changed', 'zen:event-type:ticket.created', 'zen:event-type:user.created'), value),
          subject: fc.oneof(fc.integer({ min: 1, max: 10_000 }).map((id) => `zen:ticket:${id}`), value),
          detail: fc.oneof(fc.record({ id: fc.oneof(fc.integer({ min: 1 }).map(String), value) }), value),
          time: value,
        })
        .map((b) => b as Record<string, unknown>),
    ),
    fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 2 }),
  )
  .map(([base, extra]) => JSON.stringify({ ...base, ...extra }));

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined);

describe('fuzzing the webhook and the JSON APIs', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let zendesk: RunningEmulator;
  let adminKey: string;
  let ids: { connection: string; customer: string; alert: string };
  let tables: string[];

  const counts = async (): Promise<Record<string, number>> => {
    const result: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
      result[table] = rows[0]?.n ?? 0;
    }
    return result;
  };

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: 5, users: 5, organizations: 1, apiToken: 'fuzz-token' });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}` }));
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@example.com', name: 'Admin', role: 'admin', password: 'admin-password-123' });
    adminKey = (await createApiKey(deps.db, admin.id, 'fuzz')).key;
    const connection = randomUUID();
    await deps.db.query(`INSERT INTO zendesk_connections (id, subdomain, auth_method, status, webhook_secret_sealed) VALUES ($1, 'acme', 'api_token', 'active', $2)`, [
      connection,
      deps.secrets.seal(WEBHOOK_SECRET, webhookSecretContext(connection)),
    ]);
    const customer = (await deps.db.query<{ id: string }>(`INSERT INTO customers (external_id, name, domains) VALUES ('c1', 'Acme', '{acme.com}') RETURNING id`)).rows[0]?.id ?? '';
    const alert = (await deps.db.query<{ id: string }>(`INSERT INTO alerts (dedupe_key, type, customer_id, occurred_at) VALUES ('fuzz', 'escalation', $1, now()) RETURNING id`, [customer])).rows[0]?.id ?? '';
    ids = { connection, customer, alert };
    const { rows } = await deps.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    // Tables written as a side effect of any request (pacing windows, key use, the sign-in
    // throttle's count of failed sign-ins) are not the API's writes.
    tables = rows.map((row) => row.table_name).filter((name) => !['schema_migrations', 'zendesk_request_pacing', 'sign_in_throttle'].includes(name));
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
    await zendesk?.app.close();
  });

  // Found by the fuzzing below: PostgreSQL cannot store a NUL character in text or jsonb. The API
  // refuses such input; a webhook delivery (Zendesk's data) is stored without the character.
  it('answers 400, not 500, to a NUL character in API input, and stores a webhook delivery without it', async () => {
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const before = await counts();
    const customers = await app.inject({ method: 'POST', url: '/api/customers', headers, payload: JSON.stringify({ customers: [{ externalId: 'n1', name: 'A\u0000B' }] }) });
    expect(customers.statusCode).toBe(400);
    expect(customers.json().error.code).toBe('bad_request');
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'a\u0000@example.com', password: 'x' } });
    expect(signIn.statusCode).toBe(400);
    const raw = JSON.stringify({ source: 'cscx-zendesk-trigger', ticket_id: 1, note: 'A\u0000B' });
    const timestamp = new Date().toISOString();
    const webhook = await app.inject({
      method: 'POST',
      url: `${WEBHOOK_URL}?connection=${ids.connection}`,
      headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook(WEBHOOK_SECRET, timestamp, raw) },
      payload: raw,
    });
    expect(webhook.statusCode, webhook.body).toBe(200);
    const after = await counts();
    expect(after).toEqual({ ...before, zendesk_webhook_deliveries: (before.zendesk_webhook_deliveries ?? 0) + 1 });
    const { rows } = await deps.db.query<{ note: string }>(`SELECT payload->>'note' AS note FROM zendesk_webhook_deliveries ORDER BY id DESC LIMIT 1`);
    expect(rows[0]?.note).toBe('AB');
  });

  it('the webhook intake never answers 500, and writes one delivery or nothing', async () => {
    const signing = fc.constantFrom('valid', 'valid', 'none', 'wrong', 'stale');
    const connection = fc.constantFrom('ours', 'ours', 'ours', 'unknown', 'garbage', 'missing');
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: webhookBody }, { weight: 1, arbitrary: body }), signing, connection, contentType, async (raw, sign, target, type) => {
        const timestamp = sign === 'stale' ? new Date(Date.now() - 3_600_000).toISOString() : new Date().toISOString();
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (sign !== 'none') {
          headers[TIMESTAMP_HEADER] = timestamp;
          headers[SIGNATURE_HEADER] = sign === 'wrong' ? signWebhook('another-secret', timestamp, raw) : signWebhook(WEBHOOK_SECRET, timestamp, raw);
        }
        const query = { ours: `?connection=${ids.connection}`, unknown: `?connection=${randomUUID()}`, garbage: '?connection=%00%ff', missing: '' }[target];
        const before = await counts();
        const response = await app.inject({ method: 'POST', url: `${WEBHOOK_URL}${query}`, headers, payload: raw });
        const after = await counts();
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode, `${raw.slice(0, 300)} -> ${response.body}`).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(after).toEqual(before);
        } else {
          expect(response.statusCode).toBe(200);
          expect(after.zendesk_webhook_deliveries).toBeLessThanOrEqual((before.zendesk_webhook_deliveries ?? 0) + 1);
          expect({ ...after, zendesk_webhook_deliveries: 0 }).toEqual({ ...before, zendesk_webhook_deliveries: 0 });
        }
      }),
      { numRuns: 150 },
    );
    // The runs reached every kind of answer, stored deliveries included.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 401, 404]));
  });

  it('every POST and PUT API never answers 500, and a 4xx leaves every table as it was', async () => {
    const routes = app.routeAccess.filter((route) => (route.method === 'POST' || route.method === 'PUT') && route.url !== WEBHOOK_URL && route.url !== '/api/auth/sign-out');
    expect(routes.length).toBeGreaterThan(5);
    const param = fc.constantFrom('connection', 'customer', 'alert', 'random', 'garbage');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, param, contentType, async (route, raw, which, type) => {
        const paramValue = { connection: ids.connection, customer: ids.customer, alert: ids.alert, random: randomUUID(), garbage: '%E2%98%83..%2F' }[which];
        const url = route.url.replace(/:[a-zA-Z]+/g, paramValue);
        const headers: Record<string, string> = { authorization: `Bearer ${adminKey}` };
        if (type) headers['content-type'] = type;
        const before = await counts();
        const response = await app.inject({ method: route.method as 'POST', url, headers, payload: raw });
        expect(response.statusCode, `${route.method} ${url} ${raw.slice(0, 200)} -> ${response.body.slice(0, 300)}`).not.toBe(500);
        // 502: Zendesk (the emulator) refused or failed; never a bug of ours.
        expect([502, 503].includes(response.statusCode) || response.statusCode < 500).toBe(true);
        if (response.statusCode >= 400) {
          expect(await counts(), `${route.method} ${url} answered ${response.statusCode} but wrote`).toEqual(before);
          expect(response.json().error.code).toEqual(expect.any(String));
        }
      }),
      { numRuns: 250 },
    );
  });
});
