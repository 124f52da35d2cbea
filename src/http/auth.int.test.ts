import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../deps.ts';
import { createApiKey, createUser, ensureFirstAdmin } from '../modules/users/auth.service.ts';
import { ROLES, type Role } from '../contracts/vocabulary.ts';
import { createTestDeps } from '../test-deps.ts';
import { buildApp } from './app.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './auth.ts';

describe('access control', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    await app.ready();
    for (const role of ROLES) {
      const user = await createUser(deps.db, { email: `${role}@example.com`, name: role, role, password: `${role}-password-123` });
      keys[role] = (await createApiKey(deps.db, user.id, 'test')).key;
    }
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const PUBLIC = ['GET /', 'GET /*', 'GET /healthz', 'GET /readyz', 'POST /api/auth/sign-in', 'GET /api/integrations/zendesk/callback', 'POST /api/integrations/zendesk/webhook', 'POST /api/alerts/acknowledge-by-link'];

  it('opens to anonymous callers only the routes meant to be public', () => {
    const open = app.routeAccess.filter((route) => route.public).map((route) => `${route.method} ${route.url}`);
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  it('refuses every other route without credentials, and with the wrong role', async () => {
    const guarded = app.routeAccess.filter((route) => !route.public);
    expect(guarded.length).toBeGreaterThan(3);
    for (const route of guarded) {
      const url = route.url.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');
      const anonymous = await app.inject({ method: route.method as 'GET', url });
      expect(anonymous.statusCode, `${route.method} ${route.url} anonymous`).toBe(401);
      expect(anonymous.json().error.code).toBe('unauthorized');
      const badKey = await app.inject({ method: route.method as 'GET', url, headers: { authorization: 'Bearer cscx_not-a-key' } });
      expect(badKey.statusCode, `${route.method} ${route.url} bad key`).toBe(401);
      for (const role of ROLES.filter((r) => route.roles && !route.roles.includes(r))) {
        const wrongRole = await app.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${keys[role]}` } });
        expect(wrongRole.statusCode, `${route.method} ${route.url} as ${role}`).toBe(403);
        expect(wrongRole.json().error.message).toMatch(/^this needs the role/);
      }
    }
  });

  it('signs in with email and password, sets an httpOnly SameSite cookie, and asks for the CSRF token on writes', async () => {
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'csm@example.com', password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe('the email or the password is wrong');

    const ok = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'ADMIN@example.com', password: 'admin-password-123' } });
    expect(ok.statusCode).toBe(200);
    const setCookie = String(ok.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const session = ok.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const csrf = ok.json().csrfToken as string;

    const me = await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: session } });
    expect(me.json().user).toMatchObject({ email: 'admin@example.com', role: 'admin' });

    const body = { subdomain: 'not a subdomain!', method: 'oauth' };
    const noCsrf = await app.inject({ method: 'POST', url: '/api/integrations/zendesk/connect', cookies: { [SESSION_COOKIE]: session }, payload: body });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.message).toMatch(/X-CSRF-Token/);
    const withCsrf = await app.inject({
      method: 'POST',
      url: '/api/integrations/zendesk/connect',
      cookies: { [SESSION_COOKIE]: session },
      headers: { [CSRF_HEADER]: csrf },
      payload: body,
    });
    expect(withCsrf.statusCode).toBe(400); // past access control, refused for the bad subdomain

    const signedOut = await app.inject({ method: 'POST', url: '/api/auth/sign-out', cookies: { [SESSION_COOKIE]: session }, headers: { [CSRF_HEADER]: csrf } });
    expect(signedOut.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: session } });
    expect(after.statusCode).toBe(401);
  });

  it('signs a session out only with its CSRF token, so that a cross-site form cannot; an API-key caller needs none', async () => {
    const ok = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'csm@example.com', password: 'csm-password-123' } });
    const session = ok.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const csrf = ok.json().csrfToken as string;
    const me = () => app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: session } });

    // What a forged form can carry: the cookie (SameSite=Lax still sends it from another origin of
    // the same site, such as a sibling subdomain), never the header.
    for (const headers of [{}, { [CSRF_HEADER]: 'csrf_wrong' }]) {
      const forged = await app.inject({ method: 'POST', url: '/api/auth/sign-out', cookies: { [SESSION_COOKIE]: session }, headers, payload: '' });
      expect(forged.statusCode).toBe(403);
      expect(forged.json().error.message).toMatch(/X-CSRF-Token/);
      expect(forged.headers['set-cookie']).toBeUndefined();
      expect((await me()).statusCode).toBe(200);
    }

    const signedOut = await app.inject({ method: 'POST', url: '/api/auth/sign-out', cookies: { [SESSION_COOKIE]: session }, headers: { [CSRF_HEADER]: csrf } });
    expect(signedOut.statusCode).toBe(204);
    expect(String(signedOut.headers['set-cookie'])).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect((await me()).statusCode).toBe(401);

    const withKey = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { authorization: `Bearer ${keys.csm}` } });
    expect(withKey.statusCode).toBe(204);
    const anonymous = await app.inject({ method: 'POST', url: '/api/auth/sign-out' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('rate-limits sign-in attempts', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const response = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'leader@example.com', password: 'guess' }, remoteAddress: '10.9.9.9' });
      codes.push(response.statusCode);
    }
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    expect(codes.slice(0, 5).every((c) => c === 401)).toBe(true);
  });

  it('creates the first admin once, with generated secrets shown only then', async () => {
    const fresh = await createTestDeps();
    try {
      const first = await ensureFirstAdmin(fresh.deps.db, { email: 'root@example.com', password: undefined, apiKey: undefined });
      expect(first?.email).toBe('root@example.com');
      expect(first?.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(first?.apiKey).toMatch(/^cscx_/);
      expect(await ensureFirstAdmin(fresh.deps.db, { email: 'x@example.com', password: undefined, apiKey: undefined })).toBeNull();
      const { rows } = await fresh.deps.db.query<Record<string, unknown>>('SELECT u.*, k.* FROM users u JOIN api_keys k ON k.user_id = u.id');
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(first?.password);
      expect(stored).not.toContain(first?.apiKey);
    } finally {
      await fresh.destroy();
    }
  });
});
