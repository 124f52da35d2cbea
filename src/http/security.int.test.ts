import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config.ts';
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

  });

  // Each wrong password costs a real scrypt check (tens of milliseconds, more on a busy machine).
  describe('sign-in throttling, through a real listener with the default limits', { timeout: 120_000 }, () => {
    const PASSWORD = 'the-right-password-123';
    let base: string;
    let secondBase: string;
    let realNow: number;

    /** The clock the server reads (Date only: timers and sockets run as usual). */
    const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);
    const signIn = async (email: string, password: string, url = base) => {
      const response = await fetch(`${url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error?: { code: string; message: string } } };
    };
    const listening = async (): Promise<string> => {
      // The limits a server runs with when nothing is configured (the tests' deps turn the API limit off).
      const defaults = loadConfig({});
      expect(defaults.API_RATE_LIMIT_PER_MINUTE).toBeGreaterThan(0);
      const server = await appWith({ API_RATE_LIMIT_PER_MINUTE: defaults.API_RATE_LIMIT_PER_MINUTE, TRUST_PROXY: defaults.TRUST_PROXY });
      await server.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    };

    beforeAll(async () => {
      await createUser(deps.db, { email: 'dana@example.com', name: 'Dana', role: 'csm', password: PASSWORD });
      base = await listening();
      secondBase = await listening();
      realNow = Date.now();
    });
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'], now: realNow });
    });
    afterEach(() => {
      // The next test starts with every count forgotten (each window is 15 minutes).
      realNow = Date.now() + 60 * 60_000;
      vi.useRealTimers();
    });

    it('makes an account wait 1, 2, 4 ... s after 5 failures (429 with Retry-After), refuses even the right password meanwhile, and forgets on success', async () => {
      for (let i = 0; i < 5; i += 1) {
        expect(await signIn('dana@example.com', `wrong-${i}`)).toEqual({ status: 401, retryAfter: null, body: { error: { code: 'unauthorized', message: 'the email or the password is wrong' } } });
      }
      const waitOne = await signIn('dana@example.com', 'wrong-5');
      expect(waitOne).toEqual({ status: 429, retryAfter: '1', body: { error: { code: 'rate_limited', message: 'Too many failed sign-ins for this account; try again in 1 s' } } });
      expect((await signIn('dana@example.com', PASSWORD)).status).toBe(429);
      expect((await signIn('DANA@example.com ', PASSWORD)).status).toBe(429); // the same account, however typed

      advance(1_000);
      expect((await signIn('dana@example.com', 'wrong-6')).status).toBe(401);
      expect(await signIn('dana@example.com', PASSWORD)).toMatchObject({ status: 429, retryAfter: '2' });
      advance(1_000);
      expect(await signIn('dana@example.com', PASSWORD)).toMatchObject({ status: 429, retryAfter: '1' });
      advance(1_000);
      expect((await signIn('dana@example.com', 'wrong-7')).status).toBe(401);
      expect(await signIn('dana@example.com', 'wrong-8')).toMatchObject({ status: 429, retryAfter: '4' });

      advance(4_000);
      const ok = await signIn('dana@example.com', PASSWORD);
      expect(ok.status).toBe(200);
      // Forgotten: five more failures before the first wait.
      for (let i = 0; i < 5; i += 1) expect((await signIn('dana@example.com', `again-${i}`)).status).toBe(401);
      expect((await signIn('dana@example.com', 'again-5')).status).toBe(429);
    });

    it('answers an email without an account exactly as one with an account: same errors, same throttle', async () => {
      const answers = async (email: string) => {
        const seen = [];
        for (let i = 0; i < 7; i += 1) seen.push(await signIn(email, `guess-${i}`));
        advance(1_000);
        seen.push(await signIn(email, 'guess-after-a-second'), await signIn(email, 'guess-at-once'));
        return seen;
      };
      const known = await answers('dana@example.com');
      const unknown = await answers('nobody@example.com');
      expect(unknown).toEqual(known);
      expect(known.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 401, 429]);
    });

    it('caps the failures from one address at 30 per 15 minutes, whichever accounts they name', async () => {
      for (let i = 0; i < 30; i += 1) expect((await signIn(`user-${i}@example.com`, 'guess')).status, `failure ${i + 1}`).toBe(401);
      advance(60_000);
      const capped = await signIn('someone-else@example.com', 'guess');
      expect(capped).toEqual({ status: 429, retryAfter: String(14 * 60), body: { error: { code: 'rate_limited', message: 'Too many failed sign-ins from your address; try again in 840 s' } } });
      expect((await signIn('dana@example.com', PASSWORD)).status).toBe(429);
      advance(14 * 60_000);
      expect((await signIn('dana@example.com', PASSWORD)).status).toBe(200);
    }, 120_000);

    it('counts the failures of every server process on the same database together', async () => {
      for (let i = 0; i < 3; i += 1) expect((await signIn('dana@example.com', `wrong-${i}`, base)).status).toBe(401);
      for (let i = 3; i < 5; i += 1) expect((await signIn('dana@example.com', `wrong-${i}`, secondBase)).status).toBe(401);
      expect(await signIn('dana@example.com', PASSWORD, secondBase)).toMatchObject({ status: 429, retryAfter: '1' });
      expect(await signIn('dana@example.com', PASSWORD, base)).toMatchObject({ status: 429, retryAfter: '1' });
    });

    it('counts attempts sent all at once: no more than 5 reach the password check before the first wait', async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn('dana@example.com', `parallel-${i}`, i % 2 ? base : secondBase)));
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
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
