import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOAuthServer, type OAuthServer, type OAuthServerOptions } from './oauth.ts';
import { s256CodeChallenge } from './pkce.ts';
import { fakeClock, sampleAccount, type FakeClock } from '../testing/webhook-test-fixtures.ts';

const CLIENT_ID = 'cscx_integration';
const CLIENT_SECRET = 'top-secret-client-secret';
const REDIRECT_URI = 'http://localhost:5173/oauth/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-extra-characters';

let app: FastifyInstance;
let oauth: OAuthServer;
let clock: FakeClock;

async function setup(options: Partial<OAuthServerOptions> = {}) {
  clock = fakeClock();
  const accounts = new Map([sampleAccount('acme'), sampleAccount('globex', 99)].map((a) => [a.subdomain, a]));
  oauth = createOAuthServer({
    accounts,
    clock,
    baseUrl: (subdomain) => `http://127.0.0.1:4010/${subdomain}`,
    options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accessTokenTtlSeconds: 1800, ...options },
  });
  app = Fastify();
  oauth.register(app);
  await app.ready();
}

function authorizeUrl(params: Record<string, string | undefined> = {}, subdomain = 'acme'): string {
  const query = new URLSearchParams();
  const all = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'read write',
    state: 'xyz-state',
    code_challenge: s256CodeChallenge(VERIFIER),
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) query.set(key, value);
  return `/${subdomain}/oauth/authorizations/new?${query.toString()}`;
}

async function authorize(params: Record<string, string | undefined> = {}, subdomain = 'acme'): Promise<URL> {
  const response = await app.inject({ method: 'GET', url: authorizeUrl(params, subdomain) });
  expect(response.statusCode).toBe(302);
  return new URL(response.headers.location as string);
}

async function exchange(body: Record<string, unknown>, subdomain = 'acme') {
  return app.inject({ method: 'POST', url: `/${subdomain}/oauth/tokens`, payload: body });
}

async function codeFlow(subdomain = 'acme', extra: Record<string, unknown> = {}) {
  const code = (await authorize({}, subdomain)).searchParams.get('code');
  const response = await exchange(
    { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER, ...extra },
    subdomain,
  );
  expect(response.statusCode).toBe(201);
  return response.json() as { access_token: string; refresh_token: string; expires_in: number; refresh_token_expires_in: number; scope: string; token_type: string };
}

beforeEach(async () => setup());
afterEach(async () => app.close());

describe('authorization code flow with PKCE', () => {
  it('approves at once, redirects with code and state, and exchanges the code for a 201 token', async () => {
    const location = await authorize();
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('xyz-state');
    const code = location.searchParams.get('code');
    expect(code).toMatch(/^[A-Za-z0-9]{20,}$/);

    const response = await exchange({
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    // Fields of OAS OAuthTokenForGrantTypesObject (docs/zendesk.md, Authentication).
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      scope: 'read write',
      expires_in: 1800,
      refresh_token: expect.any(String),
      refresh_token_expires_in: 2_592_000,
    });
    // The approving admin (account.admin_user_id) owns the token.
    expect(oauth.verifyAccessToken('acme', body.access_token)).toEqual({ userId: 100, scopes: ['read', 'write'] });
  });

  it('accepts a form-urlencoded token request, as generic OAuth clients send it', async () => {
    const code = (await authorize()).searchParams.get('code') as string;
    const response = await app.inject({
      method: 'POST',
      url: '/acme/oauth/tokens',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
      }).toString(),
    });
    expect(response.statusCode).toBe(201);
  });

  it('accepts client credentials in HTTP Basic', async () => {
    const code = (await authorize()).searchParams.get('code') as string;
    const response = await app.inject({
      method: 'POST',
      url: '/acme/oauth/tokens',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
      payload: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER },
    });
    expect(response.statusCode).toBe(201);
  });

  it('lets a PKCE-only client omit the secret, but not a client without PKCE', async () => {
    const code = (await authorize()).searchParams.get('code');
    const pkceOnly = await exchange({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER });
    expect(pkceOnly.statusCode).toBe(201);

    const plainCode = (await authorize({ code_challenge: undefined, code_challenge_method: undefined })).searchParams.get('code');
    const noSecret = await exchange({ grant_type: 'authorization_code', code: plainCode, client_id: CLIENT_ID, redirect_uri: REDIRECT_URI });
    expect(noSecret.statusCode).toBe(401);
    expect(noSecret.json().error).toBe('invalid_client');
  });

  it('refuses a wrong code_verifier with invalid_grant', async () => {
    const code = (await authorize()).searchParams.get('code');
    const response = await exchange({
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT_URI,
      code_verifier: 'x'.repeat(50),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_grant', error_description: expect.stringContaining('authorization grant is invalid') });
  });

  it('requires the code_verifier when a challenge was given', async () => {
    const code = (await authorize()).searchParams.get('code');
    const response = await exchange({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });

  it('uses a code once only', async () => {
    const code = (await authorize()).searchParams.get('code');
    const body = { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER };
    expect((await exchange(body)).statusCode).toBe(201);
    const again = await exchange(body);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
  });

  it('expires a code after 120 seconds of Zendesk time', async () => {
    const code = (await authorize()).searchParams.get('code');
    clock.advance(121);
    const response = await exchange({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER });
    expect(response.json().error).toBe('invalid_grant');
  });

  it('binds the code to its redirect_uri', async () => {
    const code = (await authorize()).searchParams.get('code');
    const response = await exchange({
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: 'http://localhost:5173/elsewhere',
      code_verifier: VERIFIER,
    });
    expect(response.json().error).toBe('invalid_grant');
  });

  it('refuses a wrong client secret with 401 invalid_client', async () => {
    const code = (await authorize()).searchParams.get('code');
    const response = await exchange({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: 'wrong', redirect_uri: REDIRECT_URI, code_verifier: VERIFIER });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: 'invalid_client', error_description: expect.stringContaining('Client authentication failed') });
  });

  it('refuses unknown grant types', async () => {
    const response = await exchange({ grant_type: 'password', username: 'a', password: 'b', client_id: CLIENT_ID });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('unsupported_grant_type');
  });

  it('honours expires_in within the documented bounds and refuses it outside', async () => {
    const token = await codeFlow('acme', { expires_in: 86_400, refresh_token_expires_in: 604_800 });
    expect(token.expires_in).toBe(86_400);
    expect(token.refresh_token_expires_in).toBe(604_800);

    const code = (await authorize()).searchParams.get('code');
    const tooShort = await exchange({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER, expires_in: 60 });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error).toBe('invalid_request');
  });

  it('issues no refresh token for a legacy client whose tokens never expire', async () => {
    await app.close();
    await setup({ accessTokenTtlSeconds: 0 });
    const token = await codeFlow();
    expect(token).toEqual({ access_token: expect.any(String), token_type: 'bearer', scope: 'read write' });
    clock.advance(10 * 365 * 86_400);
    expect(oauth.verifyAccessToken('acme', token.access_token)).not.toBeNull();
  });

  it('keeps tokens per subdomain', async () => {
    const token = await codeFlow('acme');
    expect(oauth.verifyAccessToken('globex', token.access_token)).toBeNull();
  });

  it('expires access tokens after their lifetime', async () => {
    const token = await codeFlow();
    clock.advance(1799);
    expect(oauth.verifyAccessToken('acme', token.access_token)).not.toBeNull();
    clock.advance(2);
    expect(oauth.verifyAccessToken('acme', token.access_token)).toBeNull();
  });
});

describe('authorization endpoint validation', () => {
  it('shows an error page, never a redirect, for an unknown client', async () => {
    const response = await app.inject({ method: 'GET', url: authorizeUrl({ client_id: 'nope' }) });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.body).toContain('data-error="invalid_client"');
  });

  it('shows an error page for a non-https, non-loopback or relative redirect_uri', async () => {
    for (const redirect of ['http://evil.example.com/cb', '/relative/cb', 'https://ok.example.com/cb#frag']) {
      const response = await app.inject({ method: 'GET', url: authorizeUrl({ redirect_uri: redirect }) });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('invalid_redirect_uri');
    }
  });

  it('only accepts registered redirect URIs when the client registers some', async () => {
    await app.close();
    await setup({ redirectUris: ['https://app.example.com/cb'] });
    expect((await app.inject({ method: 'GET', url: authorizeUrl() })).statusCode).toBe(400);
    const ok = await authorize({ redirect_uri: 'https://app.example.com/cb' });
    expect(ok.searchParams.get('code')).toBeTruthy();
  });

  it('redirects back with an error for a bad response_type, scope or challenge method', async () => {
    expect((await authorize({ response_type: 'token' })).searchParams.get('error')).toBe('unsupported_response_type');
    expect((await authorize({ scope: 'read launch-missiles' })).searchParams.get('error')).toBe('invalid_scope');
    expect((await authorize({ scope: '' })).searchParams.get('error')).toBe('invalid_scope');
    const plain = await authorize({ code_challenge_method: 'plain' });
    expect(plain.searchParams.get('error')).toBe('invalid_request');
    expect(plain.searchParams.get('state')).toBe('xyz-state');
  });

  it('accepts resource scopes such as tickets:read', async () => {
    const token = await (async () => {
      const code = (await authorize({ scope: 'tickets:read users:read' })).searchParams.get('code');
      return (await exchange({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER })).json();
    })();
    expect(token.scope).toBe('tickets:read users:read');
  });

  it('denies (access_denied, with state) after PUT /_emulator/oauth {"decision":"deny"}', async () => {
    const put = await app.inject({ method: 'PUT', url: '/_emulator/oauth', payload: { decision: 'deny' } });
    expect(put.statusCode).toBe(200);
    const location = await authorize();
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('xyz-state');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('shows an Allow/Deny page in "page" mode whose buttons post back', async () => {
    await app.inject({ method: 'PUT', url: '/_emulator/oauth', payload: { decision: 'page' } });
    const page = await app.inject({ method: 'GET', url: authorizeUrl() });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('value="allow"');
    expect(page.body).toContain('value="deny"');

    const form = Object.fromEntries(new URL(`http://x${authorizeUrl()}`).searchParams);
    const post = (decision: string) =>
      app.inject({
        method: 'POST',
        url: '/acme/oauth/authorizations',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...form, decision }).toString(),
      });
    const allowed = new URL((await post('allow')).headers.location as string);
    expect(allowed.searchParams.get('code')).toBeTruthy();
    const denied = new URL((await post('deny')).headers.location as string);
    expect(denied.searchParams.get('error')).toBe('access_denied');
  });
});

describe('refresh tokens', () => {
  it('rotates: returns a new pair and kills the previous access and refresh tokens', async () => {
    const first = await codeFlow();
    const response = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(response.statusCode).toBe(201);
    const second = response.json();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(oauth.verifyAccessToken('acme', first.access_token)).toBeNull();
    expect(oauth.verifyAccessToken('acme', second.access_token)).not.toBeNull();

    const reuse = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().error).toBe('invalid_grant');
  });

  it('may narrow the scope but not widen it', async () => {
    const first = await codeFlow();
    const narrowed = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'read' });
    expect(narrowed.json().scope).toBe('read');
    const widened = await exchange({ grant_type: 'refresh_token', refresh_token: narrowed.json().refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'read write' });
    expect(widened.json().error).toBe('invalid_scope');
  });

  it('refuses an expired refresh token and a wrong secret', async () => {
    const first = await codeFlow();
    const wrongSecret = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: 'nope' });
    expect(wrongSecret.statusCode).toBe(401);
    clock.advance(2_592_001);
    const expired = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(expired.json().error).toBe('invalid_grant');
  });

  it('refreshes after POST /_emulator/oauth/expire-tokens killed the access token', async () => {
    const first = await codeFlow();
    const expire = await app.inject({ method: 'POST', url: '/_emulator/oauth/expire-tokens', payload: {} });
    expect(expire.json()).toEqual({ expired_access_tokens: 1, expired_refresh_tokens: 0 });
    expect(oauth.verifyAccessToken('acme', first.access_token)).toBeNull();
    const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(refreshed.statusCode).toBe(201);
  });
});

describe('OAuth Tokens API', () => {
  it('shows and revokes the current token (204), after which it is dead', async () => {
    const token = await codeFlow();
    const auth = { authorization: `Bearer ${token.access_token}` };
    const show = await app.inject({ method: 'GET', url: '/acme/api/v2/oauth/tokens/current.json', headers: auth });
    expect(show.statusCode).toBe(200);
    expect(show.json().token).toMatchObject({ user_id: 100, scopes: ['read', 'write'], token: token.access_token.slice(0, 10) });

    const revoke = await app.inject({ method: 'DELETE', url: '/acme/api/v2/oauth/tokens/current', headers: auth });
    expect(revoke.statusCode).toBe(204);
    expect(oauth.verifyAccessToken('acme', token.access_token)).toBeNull();
    const after = await app.inject({ method: 'GET', url: '/acme/api/v2/oauth/tokens/current', headers: auth });
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe('invalid_token');
  });

  it('lists tokens (first 10 characters only) and revokes one by id', async () => {
    const first = await codeFlow();
    const second = await codeFlow();
    const apiToken = `Basic ${Buffer.from('admin@acme.test/token:acme-api-token').toString('base64')}`;
    const list = await app.inject({ method: 'GET', url: '/acme/api/v2/oauth/tokens', headers: { authorization: apiToken } });
    expect(list.statusCode).toBe(200);
    const tokens = list.json().tokens as Array<{ id: number; token: string }>;
    expect(tokens).toHaveLength(2);
    expect(tokens.every((t) => t.token.length === 10)).toBe(true);

    const id = tokens.find((t) => first.access_token.startsWith(t.token))?.id;
    const revoke = await app.inject({ method: 'DELETE', url: `/acme/api/v2/oauth/tokens/${id}.json`, headers: { authorization: apiToken } });
    expect(revoke.statusCode).toBe(204);
    expect(oauth.verifyAccessToken('acme', first.access_token)).toBeNull();
    expect(oauth.verifyAccessToken('acme', second.access_token)).not.toBeNull();
    expect((await app.inject({ method: 'DELETE', url: `/acme/api/v2/oauth/tokens/${id}`, headers: { authorization: apiToken } })).statusCode).toBe(404);
  });

  it('answers 401 without credentials', async () => {
    const response = await app.inject({ method: 'GET', url: '/acme/api/v2/oauth/tokens' });
    expect(response.statusCode).toBe(401);
  });

  it('reports counts without secrets at GET /_emulator/oauth', async () => {
    const token = await codeFlow();
    const status = await app.inject({ method: 'GET', url: '/_emulator/oauth' });
    expect(status.json()).toMatchObject({ decision: 'approve', tokens: { acme: { live_access_tokens: 1, live_refresh_tokens: 1 } } });
    expect(status.body).not.toContain(token.access_token);
  });
});

describe('client credentials grant', () => {
  it('issues a token for the admin with the secret, without refresh token', async () => {
    const response = await exchange({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'read' });
    expect(response.statusCode).toBe(201);
    expect(response.json().refresh_token).toBeUndefined();
    expect(oauth.verifyAccessToken('acme', response.json().access_token)).toEqual({ userId: 100, scopes: ['read'] });
  });
});
