import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUser } from '../modules/users/auth.service.ts';
import { createTestDeps } from '../test-deps.ts';
import { buildApp } from './app.ts';
import { TAGS } from './openapi.ts';
import * as alerts from '../contracts/alerts.ts';
import * as signIn from '../contracts/auth.ts';
import * as chat from '../contracts/chat.ts';
import * as connections from '../contracts/connections.ts';
import * as customers from '../contracts/customers.ts';
import { isEndpoint } from '../contracts/endpoint.ts';
import * as escalationRule from '../contracts/escalation-rule.ts';
import * as health from '../contracts/health.ts';
import * as healthScore from '../contracts/health-score.ts';
import * as mapping from '../contracts/mapping.ts';
import * as metrics from '../contracts/metrics.ts';
import * as notifications from '../contracts/notifications.ts';
import * as slaTargets from '../contracts/sla-targets.ts';
import * as tickets from '../contracts/tickets.ts';

/** Every API call the contracts describe (the web client calls only these). */
const ENDPOINTS = [alerts, signIn, chat, connections, customers, escalationRule, health, healthScore, mapping, metrics, notifications, slaTargets, tickets]
  .flatMap((area) => Object.values(area))
  .filter(isEndpoint);

/** Routes left out of the document on purpose: the web UI's pages and files, and the documentation itself. */
const HIDDEN = new Set([
  'GET /',
  'GET /*',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  'GET /docs/static/*',
]);

interface Operation {
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, unknown> };
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type Document = {
  openapi: string;
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

describe('OpenAPI document and docs UI', () => {
  let app: FastifyInstance;
  let destroy: () => Promise<void>;
  let auth: { authorization: string };
  let document: Document;

  beforeAll(async () => {
    const created = await createTestDeps({ PUBLIC_URL: 'https://cscx.example.com' });
    destroy = created.destroy;
    app = await buildApp(created.deps);
    await app.ready();
    const user = await createUser(created.deps.db, { email: 'csm@example.com', name: 'CSM', role: 'csm', password: null });
    auth = { authorization: `Bearer ${(await createApiKey(created.deps.db, user.id, 'test')).key}` };
    const response = await app.inject({ method: 'GET', url: '/openapi.json', headers: auth });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  it('is a valid OpenAPI 3.1 document with the product name, version and server', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    expect(document.info).toMatchObject({ title: 'CSCX Zendesk integration API', version });
    expect(document.servers).toEqual([{ url: 'https://cscx.example.com' }]);
  });

  it('documents every route with its method, except those hidden on purpose', () => {
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)),
    );
    const routes = app.routeAccess.map((route) => `${route.method} ${route.url}`);
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter((route) => !HIDDEN.has(route)).filter((route) => !documented.has(route.replace(/:([A-Za-z]+)/g, '{$1}')));
    expect(missing).toEqual([]);
    // ... and nothing hidden leaks in, nor anything that is not a route.
    expect(documented.size).toBe(routes.filter((route) => !HIDDEN.has(route)).length);
    for (const hidden of HIDDEN) expect(routes, hidden).toContain(hidden);
  });

  it('has a route for every endpoint of the contracts', () => {
    const routes = new Set(app.routeAccess.map((route) => `${route.method} ${route.url}`));
    expect(ENDPOINTS.length).toBeGreaterThan(30);
    expect(ENDPOINTS.map((e) => `${e.method} ${e.path}`).filter((route) => !routes.has(route))).toEqual([]);
  });

  it('tags every operation with an area, and says who may call it', () => {
    const tagNames = TAGS.map((tag) => tag.name);
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ name: `${method} ${path}`, op })));
    for (const { name, op } of operations) {
      expect(op.tags, name).toHaveLength(1);
      expect(tagNames, name).toContain(op.tags?.[0]);
      expect(op.responses.default?.content?.['application/json']?.schema, name).toEqual({ $ref: '#/components/schemas/Error' });
    }
    expect(document.paths['/api/integrations/zendesk/tickets/{customerId}']?.get?.tags).toEqual(['Tickets']);
    expect(document.paths['/api/integrations/zendesk/metrics/{customerId}']?.get?.tags).toEqual(['Metrics and health']);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['apiKey', 'csrfToken', 'sessionCookie']);
    const open = operations.filter(({ op }) => op.security?.length === 0).map(({ name }) => name);
    expect(open.sort()).toEqual([
      'get /api/integrations/zendesk/callback',
      'get /healthz',
      'get /readyz',
      'post /api/alerts/acknowledge-by-link',
      'post /api/auth/sign-in',
      'post /api/integrations/zendesk/webhook',
    ]);
    // Reads take the key or the session; writes with the session also need the CSRF header.
    expect(document.paths['/api/customers']?.get?.security).toEqual([{ apiKey: [] }, { sessionCookie: [] }]);
    expect(document.paths['/api/customers']?.post?.security).toEqual([{ apiKey: [] }, { sessionCookie: [], csrfToken: [] }]);
    expect(document.paths['/api/customers']?.get?.responses['401']).toBeDefined();
  });

  it('has the error shape as a shared component', () => {
    expect(document.components.schemas.Error).toMatchObject({
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { enum: expect.arrayContaining(['validation_failed', 'not_found']) } } } },
    });
  });

  it('describes the webhook, whose raw body has no schema of its own', () => {
    const webhook = document.paths['/api/integrations/zendesk/webhook']?.post;
    expect(webhook?.tags).toEqual(['Zendesk webhook']);
    expect(Object.keys(webhook?.requestBody?.content ?? {})).toEqual(['application/json']);
    expect(webhook?.parameters?.map((p) => `${p.in} ${p.name}`)).toEqual(
      expect.arrayContaining(['query connection', 'header x-zendesk-webhook-signature', 'header x-zendesk-webhook-signature-timestamp']),
    );
    expect(webhook?.responses['200']).toBeDefined();
  });

  it('serves the document and the UI to signed-in callers only, the UI from this origin under its CSP', async () => {
    for (const url of ['/openapi.json', '/docs', '/docs/json', '/docs/static/swagger-ui-bundle.js']) {
      const anonymous = await app.inject({ method: 'GET', url });
      expect(anonymous.statusCode, url).toBe(401);
      expect(anonymous.json().error.code).toBe('unauthorized');
    }
    const page = await app.inject({ method: 'GET', url: '/docs/', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    // Every script and stylesheet is this server's own (no CDN: the page works offline), and each is served.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const response = await app.inject({ method: 'GET', url: new URL(asset, 'http://localhost/docs/').pathname, headers: auth });
      expect(response.statusCode, asset).toBe(200);
    }
    const json = await app.inject({ method: 'GET', url: '/docs/json', headers: auth });
    expect(json.json()).toEqual(document);
  });
});
