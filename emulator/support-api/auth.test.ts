import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmulator } from '../app.ts';
import { type TestEmulator, agentOf, basicAuth, requesterOf, testEmulator } from '../testing/test-emulator.ts';

const COULD_NOT_AUTHENTICATE = { error: "Couldn't authenticate you" };
const INVALID_TOKEN = {
  error: 'invalid_token',
  error_description: 'The access token provided is expired, revoked, malformed or invalid for other reasons.',
};
const FORBIDDEN = {
  error: {
    title: 'Forbidden',
    message: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
  },
};

describe('authentication', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await testEmulator({ subdomains: ['acme', 'globex'] });
    // Stand-in for the OAuth server: two tokens with different scopes, one impersonating admin.
    const admin = t.state().account.admin_user_id;
    t.emulator.ctx.oauth = {
      verifyAccessToken: (subdomain, token) => {
        if (subdomain !== 'acme') return null;
        if (token === 'read-write') return { userId: admin, scopes: ['read', 'write'] };
        if (token === 'tickets-read') return { userId: admin, scopes: ['tickets:read'] };
        if (token === 'impersonate') return { userId: admin, scopes: ['read', 'write', 'impersonate'] };
        return null;
      },
    };
  });
  afterAll(() => t.emulator.close());

  it('accepts {email}/token:{api_token} Basic auth and reports the user', async () => {
    const response = await t.request('GET', '/acme/api/v2/users/me.json');
    expect(response.status).toBe(200);
    expect(response.json.user.email).toBe('admin@example.com');
    expect(response.json.user.role).toBe('admin');
  });

  it('answers 401 "Couldn\'t authenticate you" to missing, wrong or password credentials', async () => {
    const cases = [
      null,
      basicAuth('admin@example.com', 'wrong-token'),
      basicAuth('nobody@example.com'),
      `Basic ${Buffer.from('admin@example.com:password').toString('base64')}`,
      'Basic !!!',
      'Token abc',
    ];
    for (const auth of cases) {
      const response = await t.request('GET', '/acme/api/v2/tickets.json', { auth });
      expect(response.status, String(auth)).toBe(401);
      expect(response.json).toEqual(COULD_NOT_AUTHENTICATE);
    }
  });

  it('splits Basic credentials on the first colon only', async () => {
    const response = await t.request('GET', '/acme/api/v2/tickets.json', { auth: basicAuth('admin@example.com', 'test-api-token:extra') });
    expect(response.status).toBe(401);
  });

  it('does not accept one account\'s token on another account', async () => {
    const globexAdmin = basicAuth('admin@example.com');
    expect((await t.request('GET', '/globex/api/v2/tickets.json', { auth: globexAdmin })).status).toBe(200);
    const response = await t.request('GET', '/globex/api/v2/tickets.json', { auth: 'Bearer read-write' });
    expect(response.status).toBe(401);
    expect(response.json).toEqual(INVALID_TOKEN);
  });

  it('answers users/me without credentials with the anonymous user, but 401 with wrong ones', async () => {
    const anonymous = await t.request('GET', '/acme/api/v2/users/me.json', { auth: null });
    expect(anonymous.status).toBe(200);
    expect(anonymous.json.user).toMatchObject({ id: null, name: 'Anonymous user' });
    const wrong = await t.request('GET', '/acme/api/v2/users/me.json', { auth: basicAuth('admin@example.com', 'nope') });
    expect(wrong.status).toBe(401);
  });

  it('accepts Bearer tokens and answers 401 invalid_token to unknown ones', async () => {
    expect((await t.request('GET', '/acme/api/v2/tickets.json', { auth: 'Bearer read-write' })).status).toBe(200);
    const bad = await t.request('GET', '/acme/api/v2/tickets.json', { auth: 'Bearer expired' });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual(INVALID_TOKEN);
  });

  it('enforces OAuth scopes: tickets:read reads tickets only', async () => {
    expect((await t.request('GET', '/acme/api/v2/tickets.json', { auth: 'Bearer tickets-read' })).status).toBe(200);
    const users = await t.request('GET', '/acme/api/v2/users.json', { auth: 'Bearer tickets-read' });
    expect(users.status).toBe(403);
    expect(users.json).toEqual({ error: 'Forbidden', description: 'You are missing the following required scopes: read' });
    const write = await t.request('PUT', '/acme/api/v2/tickets/1.json', { auth: 'Bearer tickets-read', body: { ticket: { priority: 'low' } } });
    expect(write.status).toBe(403);
    expect(write.json.description).toBe('You are missing the following required scopes: write');
  });

  it('signs any active, verified user in with the account-wide API token, with that user\'s role', async () => {
    const state = t.state();
    const agent = agentOf(state);
    const asAgent = basicAuth(agent.email!);
    expect((await t.request('GET', '/acme/api/v2/tickets.json', { auth: asAgent })).status).toBe(200);
    // Incremental exports are for admins (OAS "Allowed For: Admins").
    const exported = await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0', { auth: asAgent });
    expect(exported.status).toBe(403);
    expect(exported.json).toEqual(FORBIDDEN);
    const { user } = requesterOf(state, () => true);
    const asEndUser = basicAuth(user.email!);
    const tickets = await t.request('GET', '/acme/api/v2/tickets.json', { auth: asEndUser });
    expect(tickets.status).toBe(403);
    expect(tickets.json).toEqual(FORBIDDEN);
    const unverified = [...state.account.users.values()].find((u) => u.role === 'end-user' && !u.verified);
    expect((await t.request('GET', '/acme/api/v2/users/me.json', { auth: basicAuth(unverified!.email!) })).status).toBe(401);
  });

  it('lets an admin token with the impersonate scope act as an end user (X-On-Behalf-Of)', async () => {
    const { user } = requesterOf(t.state(), () => true);
    const me = await t.request('GET', '/acme/api/v2/users/me.json', { auth: 'Bearer impersonate', headers: { 'x-on-behalf-of': user.email! } });
    expect(me.json.user.id).toBe(user.id);
    const byId = await t.request('GET', '/acme/api/v2/users/me.json', { auth: 'Bearer impersonate', headers: { 'x-on-behalf-of': String(user.id) } });
    expect(byId.json.user.id).toBe(user.id);
    const unknown = await t.request('GET', '/acme/api/v2/users/me.json', { auth: 'Bearer impersonate', headers: { 'x-on-behalf-of': 'ghost@nowhere.test' } });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual(INVALID_TOKEN);
    const withoutScope = await t.request('GET', '/acme/api/v2/users/me.json', { auth: 'Bearer read-write', headers: { 'x-on-behalf-of': user.email! } });
    expect(withoutScope.status).toBe(403);
  });

  it('answers an unknown subdomain as Zendesk answers an unknown host', async () => {
    const response = await t.request('GET', '/initech/api/v2/tickets.json');
    expect(response.status).toBe(404);
    expect(response.json.error.title).toBe('No help desk at initech.zendesk.com');
    expect(response.json.error.message).toMatch(/^There is no help desk configured at this address/);
  });

  it('answers an unknown endpoint of a known account with InvalidEndpoint', async () => {
    const response = await t.request('GET', '/acme/api/v2/no_such_thing.json');
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: 'InvalidEndpoint', description: 'Not found' });
  });
});

describe('default wiring', () => {
  it('creates the OAuth server and webhook dispatcher unless told not to', async () => {
    const emulator = await buildEmulator({ tickets: 5, users: 5, organizations: 1, apiToken: 'x' });
    try {
      expect(typeof (emulator.ctx.oauth as { register?: unknown }).register).toBe('function');
    } finally {
      await emulator.close();
    }
  });
});
