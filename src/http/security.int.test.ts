import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../deps.ts';
import { createApiKey, createUser } from '../modules/users/auth.service.ts';
import { createTestDeps } from '../test-deps.ts';
import { buildApp } from './app.ts';

describe('HTTP security', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let adminKey: string;
  const apps: FastifyInstance[] = [];

  /** The app with some settings changed (the same database). */
  const appWith = async (env: Partial<Deps['config']>): Promise<FastifyInstance> => {
    const built = await buildApp({ ...deps, config: { ...deps.config, ...env } });
    apps.push(built);
    return built;
  };

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@example.com', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 'test')).key;
  });
  afterAll(async () => {
    await Promise.all([app, ...apps].map((a) => a?.close()));
    await destroy?.();
  });

  describe('security headers', () => {
    it('sends a CSP that allows the UI from this origin only, and the usual hardening headers, on every answer', async () => {
      for (const url of ['/', '/healthz', '/api/auth/me', '/api/nothing-here']) {
        const response = await app.inject({ method: 'GET', url });
        const csp = String(response.headers['content-security-policy']);
        expect(csp, url).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("connect-src 'self'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('unsafe-eval');
        expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['referrer-policy']).toBe('same-origin');
        expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('sends HSTS and upgrade-insecure-requests only when served over https', async () => {
      const plain = await app.inject({ method: 'GET', url: '/healthz' });
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      expect(String(plain.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
      const httpsApp = await appWith({ PUBLIC_URL: 'https://cscx.example.com' });
      const secure = await httpsApp.inject({ method: 'GET', url: '/healthz' });
      expect(secure.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(String(secure.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    });
  });

  describe('CORS', () => {
    it('is closed by default: no Access-Control-Allow-Origin, to requests or preflights', async () => {
      const simple = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { origin: 'https://evil.example.com', authorization: `Bearer ${adminKey}` } });
      expect(simple.statusCode).toBe(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/customers',
        headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.statusCode).toBeGreaterThanOrEqual(400);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('opens to the origins in CORS_ORIGINS only', async () => {
      const corsApp = await appWith({ CORS_ORIGINS: ['https://app.example.com'] });
      const allowed = await corsApp.inject({ method: 'GET', url: '/api/auth/me', headers: { origin: 'https://app.example.com', authorization: `Bearer ${adminKey}` } });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
      const other = await corsApp.inject({ method: 'GET', url: '/api/auth/me', headers: { origin: 'https://evil.example.com', authorization: `Bearer ${adminKey}` } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await corsApp.inject({
        method: 'OPTIONS',
        url: '/api/customers',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    });
  });

  describe('rate limits', () => {
    it('limits API calls per client address, answering 429 in our error shape with Retry-After', async () => {
      const limited = await appWith({ API_RATE_LIMIT_PER_MINUTE: 5 });
      const call = (remoteAddress: string, headers: Record<string, string> = {}) =>
        limited.inject({ method: 'GET', url: '/api/auth/me', remoteAddress, headers: { authorization: `Bearer ${adminKey}`, ...headers } });
      const codes: number[] = [];
      for (let i = 0; i < 7; i += 1) codes.push((await call('10.1.1.1')).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const refused = await call('10.1.1.1');
      expect(refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/rate limit/i) } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Another address has its own budget; unauthenticated guessing counts too.
      expect((await call('10.1.1.2')).statusCode).toBe(200);
      const guesses: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        guesses.push((await limited.inject({ method: 'GET', url: '/api/auth/me', remoteAddress: '10.1.1.3', headers: { authorization: 'Bearer cscx_guess' } })).statusCode);
      }
      expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    });

    it('does not limit the webhook intake, health or metrics endpoints', async () => {
      const limited = await appWith({ API_RATE_LIMIT_PER_MINUTE: 2 });
      for (let i = 0; i < 5; i += 1) {
        const webhook = await limited.inject({
          method: 'POST',
          url: '/api/integrations/zendesk/webhook?connection=00000000-0000-4000-8000-000000000000',
          remoteAddress: '10.2.2.2',
          payload: '{}',
          headers: { 'content-type': 'application/json' },
        });
        expect(webhook.statusCode).toBe(404);
        expect((await limited.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.2.2.2' })).statusCode).toBe(200);
        expect((await limited.inject({ method: 'GET', url: '/readyz', remoteAddress: '10.2.2.2' })).statusCode).toBe(200);
      }
    });

    it('counts the address a trusted proxy appended to X-Forwarded-For, and ignores the header otherwise', async () => {
      const proxied = await appWith({ API_RATE_LIMIT_PER_MINUTE: 2, TRUST_PROXY: true });
      const viaProxy = (client: string) =>
        proxied.inject({ method: 'GET', url: '/api/auth/me', remoteAddress: '10.0.0.1', headers: { authorization: `Bearer ${adminKey}`, 'x-forwarded-for': `1.1.1.1, ${client}` } });
      expect([(await viaProxy('203.0.113.1')).statusCode, (await viaProxy('203.0.113.1')).statusCode, (await viaProxy('203.0.113.1')).statusCode]).toEqual([200, 200, 429]);
      expect((await viaProxy('203.0.113.2')).statusCode).toBe(200);

      const direct = await appWith({ API_RATE_LIMIT_PER_MINUTE: 2 });
      const spoofed = (client: string) =>
        direct.inject({ method: 'GET', url: '/api/auth/me', remoteAddress: '10.0.0.2', headers: { authorization: `Bearer ${adminKey}`, 'x-forwarded-for': client } });
      expect([(await spoofed('198.51.100.1')).statusCode, (await spoofed('198.51.100.2')).statusCode, (await spoofed('198.51.100.3')).statusCode]).toEqual([200, 200, 429]);
    });

    it('limits sign-in to 10 tries a minute per address, whatever the API limit', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        codes.push((await app.inject({ method: 'POST', url: '/api/auth/sign-in', remoteAddress: '10.3.3.3', payload: { email: 'admin@example.com', password: 'wrong' } })).statusCode);
      }
      expect(codes).toEqual([...Array(10).fill(401), 429, 429]);
    });
  });

  describe('body limits', () => {
    it('refuses JSON bodies over 1 MB (10 MB for the customers bulk upsert) with 413 in our error shape, and the webhook likewise', async () => {
      const oneMb = JSON.stringify({ method: 'oauth', subdomain: 'a'.repeat(1024 * 1024) });
      const api = await app.inject({ method: 'POST', url: '/api/integrations/zendesk/connect', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, payload: oneMb });
      expect(api.statusCode).toBe(413);
      expect(api.json().error.code).toBe('payload_too_large');
      const tenMb = JSON.stringify({ customers: [{ externalId: 'x', name: 'a'.repeat(10 * 1024 * 1024) }] });
      const bulk = await app.inject({ method: 'POST', url: '/api/customers', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, payload: tenMb });
      expect(bulk.statusCode).toBe(413);
      expect(bulk.json().error.code).toBe('payload_too_large');
      const webhook = await app.inject({
        method: 'POST',
        url: '/api/integrations/zendesk/webhook?connection=00000000-0000-4000-8000-000000000000',
        headers: { 'content-type': 'application/json' },
        payload: oneMb,
      });
      expect(webhook.statusCode).toBe(413);
      expect(webhook.json().error.code).toBe('payload_too_large');
      expect((await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers')).rows[0]?.n).toBe(0);
    });
  });
});
